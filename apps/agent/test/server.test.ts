/**
 * The service as users and Kubernetes meet it: a real process on a real port.
 */
import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  openRawRequest,
  rawExchange,
  send,
  sleep,
  spawnServer,
  startSlowPost,
  tricklingPost,
  useServer,
} from "./support/http.ts";

const jsonHeaders = { "content-type": "application/json" };

describe("a running server", () => {
  // RUNNER=off: tasks move only through PATCH here, as without the runner
  const server = useServer({ BODY_LIMIT: "4kb", APP_VERSION: "main-abc1234", RUNNER: "off" });

  it("answers the probes", async () => {
    const health = await send(server.baseUrl, "/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "healthy", version: "main-abc1234" });
    const ready = await send(server.baseUrl, "/ready");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body).status).toBe("ready");
  });

  it("creates, reads, lists, moves and deletes a task", async () => {
    const created = await send(server.baseUrl, "/tasks", {
      method: "POST",
      headers: jsonHeaders,
      body: JSON.stringify({ title: "over the wire", description: "real sockets" }),
    });
    expect(created.status).toBe(201);
    const task = JSON.parse(created.body);
    expect(created.headers.location).toBe(`/tasks/${task.id}`);

    expect(JSON.parse((await send(server.baseUrl, `/tasks/${task.id}`)).body)).toEqual(task);
    const page = JSON.parse((await send(server.baseUrl, "/tasks?limit=5&status=created")).body);
    expect(page.items.map((t: { id: string }) => t.id)).toContain(task.id);

    const moved = await send(server.baseUrl, `/tasks/${task.id}`, {
      method: "PATCH",
      headers: jsonHeaders,
      body: JSON.stringify({ status: "running" }),
    });
    expect(JSON.parse(moved.body).status).toBe("running");
    const illegal = await send(server.baseUrl, `/tasks/${task.id}`, {
      method: "PATCH",
      headers: jsonHeaders,
      body: JSON.stringify({ status: "created" }),
    });
    expect(illegal.status).toBe(409);

    expect((await send(server.baseUrl, `/tasks/${task.id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect((await send(server.baseUrl, `/tasks/${task.id}`)).status).toBe(404);
  });

  it.each([
    ["wrong type", jsonHeaders, '{"title": 42}', 400, "validation_failed", "title"],
    ["missing field", jsonHeaders, '{"description": "x"}', 400, "validation_failed", "title"],
    [
      "unknown field",
      jsonHeaders,
      '{"title": "x", "owner": "me"}',
      400,
      "validation_failed",
      "owner",
    ],
    [
      "too long",
      jsonHeaders,
      JSON.stringify({ title: "x".repeat(201) }),
      400,
      "validation_failed",
      "title",
    ],
    ["malformed JSON", jsonHeaders, '{"title": ', 400, "malformed_json", undefined],
    [
      "wrong content type",
      { "content-type": "text/plain" },
      "title=x",
      415,
      "unsupported_media_type",
      undefined,
    ],
    [
      "body over BODY_LIMIT",
      jsonHeaders,
      JSON.stringify({ title: "x", description: "y".repeat(5000) }),
      413,
      "payload_too_large",
      undefined,
    ],
  ])(
    "answers %s with a JSON %i naming the problem",
    async (_name, headers, body, status, error, field) => {
      const res = await send(server.baseUrl, "/tasks", { method: "POST", headers, body });
      expect(res.status).toBe(status);
      expect(res.headers["content-type"]).toContain("application/json");
      const parsed = JSON.parse(res.body);
      expect(parsed.error).toBe(error);
      expect(parsed.message).toEqual(expect.any(String));
      if (field) expect(parsed.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    },
  );

  it("serves metrics, the OpenAPI document and the docs", async () => {
    const metrics = await send(server.baseUrl, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("http_requests_total");
    const openapi = await send(server.baseUrl, "/openapi.json");
    expect(JSON.parse(openapi.body).paths["/tasks"]).toBeDefined();
    const docs = await send(server.baseUrl, "/docs");
    expect(docs.status).toBe(200);
    expect(docs.body).toContain("swagger");
  });

  it("writes one JSON log line for a failed request, with the request id", async () => {
    await send(server.baseUrl, "/tasks?limit=0", { headers: { "x-request-id": "wire-7" } });
    await sleep(50);
    const line = server.logs().find((entry) => entry.reqId === "wire-7");
    expect(line).toMatchObject({
      level: "info",
      msg: "request completed",
      method: "GET",
      statusCode: 400,
    });
    expect(server.logs().filter((entry) => entry.reqId === "wire-7")).toHaveLength(1);
  });
});

describe("clients that break HTTP or take too long", () => {
  const server = useServer({
    RUNNER: "off",
    HEADERS_TIMEOUT_MS: "300",
    REQUEST_TIMEOUT_MS: "600",
  });

  it("answers a request that is not HTTP with 400 in the API's error body", async () => {
    const answer = await rawExchange(server.baseUrl, ["NOT HTTP AT ALL\r\n\r\n"]);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Content-Type: application/json");
    expect(answer.json).toEqual({
      error: "bad_request",
      message: expect.stringContaining("The request is not valid HTTP/1.1"),
    });
    expect(answer.closed).toBe(true);
  });

  it("answers headers over the size limit with 431 in the API's error body", async () => {
    const answer = await rawExchange(server.baseUrl, [
      `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"x".repeat(20_000)}\r\n\r\n`,
    ]);
    expect(answer.status).toBe(431);
    expect(answer.json).toEqual({
      error: "headers_too_large",
      message:
        "The request line and headers are larger than 16384 bytes; send fewer or shorter headers, or a shorter URL.",
    });
  });

  it("takes many small headers", async () => {
    const many = Array.from({ length: 500 }, (_, i) => `x-h${i}: ${i}\r\n`).join("");
    const answer = await rawExchange(server.baseUrl, [
      `GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${many}\r\n`,
    ]);
    expect(answer.status).toBe(200);
  });

  it("cuts off headers that trickle in, with 408 after HEADERS_TIMEOUT_MS", async () => {
    const answer = await rawExchange(
      server.baseUrl,
      ["GET /health HTTP/1.1\r\n", ...Array.from({ length: 100 }, (_, i) => `x-${i}: y\r\n`)],
      { gapMs: 100 },
    );
    expect(answer.status).toBe(408);
    expect(answer.json).toEqual({
      error: "request_timeout",
      message:
        "The request did not arrive in time: headers must arrive within 300 ms and the whole request within 600 ms; send it again.",
    });
    expect(answer.elapsedMs).toBeLessThan(5000);
  });

  it("cuts off a body that trickles in, with 408 after REQUEST_TIMEOUT_MS, while /health answers", async () => {
    const trickle = rawExchange(server.baseUrl, tricklingPost(), { gapMs: 50 });
    expect((await send(server.baseUrl, "/health")).status).toBe(200);
    const answer = await trickle;
    expect(answer.status).toBe(408);
    expect(answer.json?.error).toBe("request_timeout");
    expect(answer.elapsedMs).toBeLessThan(5000);
  });

  it("keeps an idle keep-alive connection open past the headers timeout", async () => {
    const request = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
    // two requests on one connection, 800 ms apart (the headers timeout is 300 ms)
    const answer = await rawExchange(server.baseUrl, [request, request], {
      gapMs: 800,
      waitMs: 1500,
    });
    expect(answer.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });
});

describe("many event streams on a low limit of open files", () => {
  it("refuses streams past what the limit holds with 503 while /health keeps answering", async () => {
    const server = await spawnServer({ RUNNER: "off" }, { fileLimit: 256 }).ready;
    try {
      const created = await send(server.baseUrl, "/tasks", {
        method: "POST",
        headers: jsonHeaders,
        body: JSON.stringify({ title: "watched by many" }),
      });
      const { id } = JSON.parse(created.body);
      const opened = await Promise.all(
        Array.from({ length: 300 }, () => openRawRequest(server.baseUrl, `/tasks/${id}/events`)),
      );
      const count = (status: number) => opened.filter((each) => each.status === status).length;
      expect(count(200)).toBe(166);
      expect(count(503)).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) {
        expect((await send(server.baseUrl, "/health")).status).toBe(200);
      }
      expect(server.logs()).toContainEqual(
        expect.objectContaining({
          msg: "EVENTS_MAX_STREAMS lowered to 166 to fit the limit of 256 open files; raise the limit (ulimit -n) for more",
        }),
      );
      for (const each of opened) each.close();
    } finally {
      server.child.kill("SIGKILL");
      await server.exited;
    }
  });
});

describe("shutdown of a running server", () => {
  it("on SIGTERM: /ready 503 during the drain, in-flight request completed, exit 0", async () => {
    const server = await spawnServer({ SHUTDOWN_DRAIN_MS: "2000" }).ready;
    const inFlight = startSlowPost(server.baseUrl, { title: "finishing during shutdown" });
    await inFlight.sent;
    server.child.kill("SIGTERM");

    // polled rather than timed: on a busy machine the signal may take a while to arrive
    let ready = await send(server.baseUrl, "/ready");
    for (let i = 0; i < 100 && ready.status !== 503; i++) {
      await sleep(20);
      ready = await send(server.baseUrl, "/ready");
    }
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({
      status: "not_ready",
      checks: { draining: { status: "fail" } },
    });
    expect((await send(server.baseUrl, "/health")).status).toBe(200);

    // drain over: the listener closes while the request is still open
    const deadline = Date.now() + 15_000;
    let refused = false;
    while (!refused && Date.now() < deadline) {
      refused = await send(server.baseUrl, "/health").then(
        () => false,
        () => true,
      );
      if (!refused) await sleep(100);
    }
    expect(refused).toBe(true);
    const answer = await inFlight.finish();
    expect(answer.status).toBe(201);

    expect(await server.exited).toEqual({ code: 0, signal: null });
    const messages = server.logs().map((line) => line.msg);
    expect(messages).toContain("shutdown complete");
  });

  it("on SIGTERM with a client trickling its body in: closes it after the grace and exits 0 promptly", async () => {
    const server = await spawnServer({
      SHUTDOWN_DRAIN_MS: "100",
      SHUTDOWN_REQUEST_GRACE_MS: "300",
    }).ready;
    const trickle = rawExchange(server.baseUrl, tricklingPost(), { gapMs: 50, waitMs: 15_000 });
    await sleep(200);
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    const outcome = await Promise.race([server.exited, sleep(8000).then(() => "still running")]);
    expect(outcome).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(8000);
    expect((await trickle).closed).toBe(true);
    expect(server.logs().map((line) => line.msg)).toContain(
      "requests still in flight after SHUTDOWN_REQUEST_GRACE_MS; closing their connections",
    );
  });

  it("exits non-zero on a second signal", async () => {
    const server = await spawnServer({ SHUTDOWN_DRAIN_MS: "3000" }).ready;
    server.child.kill("SIGTERM");
    // Only once the server has taken the first (/ready turns 503 at once) does the second
    // count as a second: on a busy machine both could otherwise reach it together, and a
    // copy arriving right after the first is ignored on purpose.
    while ((await fetch(`${server.baseUrl}/ready`)).status !== 503) await sleep(20);
    await sleep(400);
    server.child.kill("SIGINT");
    const { code } = await server.exited;
    expect(code).toBe(1);
  });

  it("exits non-zero when shutdown outlasts SHUTDOWN_TIMEOUT_MS", async () => {
    const server = await spawnServer({
      SHUTDOWN_DRAIN_MS: "50",
      SHUTDOWN_TIMEOUT_MS: "400",
      SHUTDOWN_REQUEST_GRACE_MS: "5000",
    }).ready;
    const stuck = startSlowPost(server.baseUrl);
    await stuck.sent;
    server.child.kill("SIGTERM");
    const { code } = await server.exited;
    expect(code).toBe(1);
    stuck.abort();
  });
});

describe("configuration errors", () => {
  it("print one line for an agent module that cannot be loaded", async () => {
    const started = spawnServer({ AGENT_MODULE: "./nope.js" });
    expect((await started.exited).code).toBe(1);
    const lines = started.stderr().split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^[a-z0-9-]+: cannot set up the agent: AGENT_MODULE="\.\/nope\.js" could not be loaded/,
    );
    expect(started.stdout()).not.toContain("nope.js");
  });

  it("print one line for a port that is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const started = spawnServer({ PORT: String(port) });
      expect((await started.exited).code).toBe(1);
      expect(started.stderr()).toBe(
        `agent: cannot listen on 127.0.0.1:${port}: the port is already in use by another process (EADDRINUSE); stop it or set PORT to a free port\n`,
      );
      expect(started.stdout()).not.toContain("EADDRINUSE");
    } finally {
      blocker.close();
    }
  });

  it("stop the process with exit 1 and one line naming the variable", async () => {
    const started = spawnServer({ PORT: "http" });
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.stderr()).toBe(
      'agent: configuration error: PORT="http" is invalid: expected an integer from 0 to 65535\n',
    );
    expect(started.stdout()).toBe("");
  });
});

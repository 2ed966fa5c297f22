import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ExampleAgent } from "../src/agent/example-agent.ts";
import { createLogger } from "../src/platform/logger.ts";
import { type Service, type ServiceOptions, startService } from "../src/service.ts";
import { MemoryTaskStore } from "../src/tasks/memory-store.ts";
import { send, sleep, startSlowPost } from "./support/http.ts";
import { isFinal, scriptedAgent, untilAborted, waitForTask } from "./support/runner.ts";

interface Harness {
  signals: EventEmitter;
  exits: number[];
  exited: Promise<number>;
  stderr: string[];
  logs: Array<Record<string, unknown>>;
  start(env?: Record<string, string>, extra?: ServiceOptions): Promise<Service | undefined>;
}

const services: Service[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) {
    await service.runner?.stop(0);
    await service.app.close();
    await service.store.close();
  }
});

function harness(): Harness {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    onExit = resolve;
  });
  const stderr: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  return {
    signals,
    exits,
    exited,
    stderr,
    logs,
    async start(env = {}, extra = {}) {
      const fullEnv = { PORT: "0", HOST: "127.0.0.1", SHUTDOWN_DRAIN_MS: "200", ...env };
      const service = await startService({
        env: fullEnv,
        signals,
        exit: (code) => {
          exits.push(code);
          onExit(code);
        },
        stderr: { write: (text: string) => stderr.push(text) > 0 },
        logger: createLogger({ logLevel: "info", logPretty: false, appVersion: "test" }, sink),
        ...extra,
      });
      if (service) services.push(service);
      return service;
    },
  };
}

function baseUrl(service: Service): string {
  const address = service.app.server.address();
  if (!address || typeof address === "string") throw new Error("not listening");
  return `http://127.0.0.1:${address.port}`;
}

describe("startService", () => {
  it("stops with exit 1 and one line per bad variable when the configuration is invalid", async () => {
    const h = harness();
    expect(await h.start({ PORT: "eighty" })).toBeUndefined();
    expect(h.exits).toEqual([1]);
    expect(h.stderr).toEqual([
      'agent: configuration error: PORT="eighty" is invalid: expected an integer from 0 to 65535\n',
    ]);
  });

  it("stops with exit 1 and says why when the port is taken", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const h = harness();
      expect(await h.start({ PORT: String(port) })).toBeUndefined();
      expect(h.exits).toEqual([1]);
      expect(h.stderr).toEqual([
        `agent: cannot listen on 127.0.0.1:${port}: the port is already in use by another process (EADDRINUSE); stop it or set PORT to a free port\n`,
      ]);
      expect(h.logs.filter((line) => line.level === "fatal")).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it("serves, then on SIGTERM: /ready 503 at once, keeps serving through the drain, finishes in-flight work, exits 0", async () => {
    const h = harness();
    const service = await h.start({ SHUTDOWN_DRAIN_MS: "400" });
    if (!service) throw new Error("did not start");
    const url = baseUrl(service);
    expect((await send(url, "/ready")).status).toBe(200);

    const inFlight = startSlowPost(url);
    await inFlight.sent;
    h.signals.emit("SIGTERM", "SIGTERM");

    const ready = await send(url, "/ready");
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks.draining.status).toBe("fail");
    expect((await send(url, "/health")).status).toBe(200);
    const during = await send(url, "/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "during the drain" }),
    });
    expect(during.status).toBe(201);
    expect(h.exits).toEqual([]);

    await sleep(600); // past the drain: the server is closing but waits for the request
    expect(h.exits).toEqual([]);
    const answer = await inFlight.finish();
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).title).toBe("in flight");

    expect(await h.exited).toBe(0);
    expect(h.exits).toEqual([0]);
    await expect(service.store.check()).rejects.toThrow("closed");
    const messages = h.logs.map((line) => line.msg);
    expect(messages).toContain(
      "shutting down: /ready answers 503, still serving while traffic drains",
    );
    expect(messages).toContain("shutdown complete");
    expect(h.logs.find((line) => line.reason === "SIGTERM")).toBeDefined();
  });

  it("shuts down the same way on SIGINT", async () => {
    const h = harness();
    const service = await h.start({ SHUTDOWN_DRAIN_MS: "0" });
    if (!service) throw new Error("did not start");
    h.signals.emit("SIGINT", "SIGINT");
    expect(await h.exited).toBe(0);
  });

  it("ignores a copy of the signal right after it, and exits 1 at once on a later second one", async () => {
    const h = harness();
    const service = await h.start({ SHUTDOWN_DRAIN_MS: "5000", SHUTDOWN_TIMEOUT_MS: "10000" });
    if (!service) throw new Error("did not start");
    h.signals.emit("SIGTERM", "SIGTERM");
    h.signals.emit("SIGINT", "SIGINT"); // the same Ctrl-C relayed by a process manager
    await sleep(400);
    expect(h.exits).toEqual([]);
    h.signals.emit("SIGINT", "SIGINT");
    expect(await h.exited).toBe(1);
    expect(h.logs.some((line) => line.msg === "second signal during shutdown; exiting now")).toBe(
      true,
    );
  });

  it("exits 1 when in-flight work outlasts SHUTDOWN_TIMEOUT_MS", async () => {
    const h = harness();
    const service = await h.start({ SHUTDOWN_DRAIN_MS: "50", SHUTDOWN_TIMEOUT_MS: "300" });
    if (!service) throw new Error("did not start");
    const stuck = startSlowPost(baseUrl(service));
    await stuck.sent;
    const started = Date.now();
    h.signals.emit("SIGTERM", "SIGTERM");
    expect(await h.exited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(h.logs.some((line) => String(line.msg).includes("SHUTDOWN_TIMEOUT_MS"))).toBe(true);
    stuck.abort();
  });

  it("stops with exit 1 when the task store cannot be opened", async () => {
    const h = harness();
    const service = await h.start(
      {},
      {
        createStore: async () => {
          throw new Error("password authentication failed");
        },
      },
    );
    expect(service).toBeUndefined();
    expect(h.exits).toEqual([1]);
    expect(h.stderr).toEqual([
      "agent: cannot open the task store: password authentication failed; check DATABASE_URL\n",
    ]);
  });

  it("exits 1 when closing the store fails during shutdown", async () => {
    const h = harness();
    const store = new MemoryTaskStore();
    store.close = async () => {
      throw new Error("pool already ended");
    };
    const service = await h.start({ SHUTDOWN_DRAIN_MS: "0" }, { createStore: async () => store });
    if (!service) throw new Error("did not start");
    h.signals.emit("SIGTERM", "SIGTERM");
    expect(await h.exited).toBe(1);
    expect(h.logs.some((line) => line.msg === "shutdown failed")).toBe(true);
    services.splice(services.indexOf(service), 1);
  });

  it("shuts down once when asked twice programmatically", async () => {
    const h = harness();
    const service = await h.start({ SHUTDOWN_DRAIN_MS: "0" });
    if (!service) throw new Error("did not start");
    await Promise.all([service.shutdown("test"), service.shutdown("test again")]);
    expect(h.exits).toEqual([0]);
  });
});

describe("startService with the runner", () => {
  const post = (url: string, title: string) =>
    send(url, "/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });

  it("runs tasks; on SIGTERM lets a run finish within the drain, releases the other, then closes the store", async () => {
    const h = harness();
    const store = new MemoryTaskStore();
    const order: string[] = [];
    const release = store.release.bind(store);
    store.release = async (id, owner) => {
      order.push("release");
      return release(id, owner);
    };
    // kept open after shutdown, so the test can read the outcome
    store.close = async () => {
      order.push("close");
    };
    const agent = scriptedAgent(async (task, { signal }) => {
      if (task.title === "quick") await sleep(150);
      else await untilAborted(signal);
      return "ok";
    });
    const service = await h.start(
      { SHUTDOWN_DRAIN_MS: "400" },
      { createStore: async () => store, agent },
    );
    if (!service) throw new Error("did not start");
    const url = baseUrl(service);
    const quick = JSON.parse((await post(url, "quick")).body);
    const slow = JSON.parse((await post(url, "slow")).body);
    await expect.poll(() => agent.calls.length).toBe(2);

    h.signals.emit("SIGTERM", "SIGTERM");
    expect(await h.exited).toBe(0);
    expect(await store.get(quick.id)).toMatchObject({ status: "completed", result: "ok" });
    expect(await store.get(slow.id)).toMatchObject({ status: "created", attempts: 1 });
    expect(order).toEqual(["release", "close"]);
  });

  it("ROLE=worker serves only /health, /ready and /metrics, runs tasks, and exits without the HTTP drain", async () => {
    const h = harness();
    const store = new MemoryTaskStore();
    const service = await h.start(
      { ROLE: "worker", SHUTDOWN_DRAIN_MS: "5000", SHUTDOWN_TIMEOUT_MS: "10000" },
      { createStore: async () => store, agent: new ExampleAgent({ delayMs: 0 }) },
    );
    if (!service) throw new Error("did not start");
    const url = baseUrl(service);
    for (const path of ["/health", "/ready", "/metrics"]) {
      expect((await send(url, path)).status).toBe(200);
    }
    for (const path of ["/tasks", "/openapi.json", "/docs"]) {
      expect((await send(url, path)).status).toBe(404);
    }
    const task = await store.create({ title: "run by the worker" });
    expect((await waitForTask(store, task.id, isFinal)).status).toBe("completed");

    const began = performance.now();
    h.signals.emit("SIGTERM", "SIGTERM");
    expect(await h.exited).toBe(0);
    expect(performance.now() - began).toBeLessThan(2_000);
  });

  it.each([
    ["ROLE=api", { ROLE: "api" }],
    ["RUNNER=off", { RUNNER: "off" }],
  ])("%s leaves tasks to PATCH, as without a runner", async (_name, env) => {
    const h = harness();
    const agent = scriptedAgent(async () => "never");
    const service = await h.start(env, { agent });
    if (!service) throw new Error("did not start");
    expect(service.runner).toBeUndefined();
    const task = JSON.parse((await post(baseUrl(service), "stays")).body);
    await sleep(100);
    expect(await service.store.get(task.id)).toMatchObject({ status: "created", attempts: 0 });
    expect(agent.calls).toHaveLength(0);
  });

  it("stops with exit 1 naming AGENT_MODULE when the agent cannot be loaded", async () => {
    const h = harness();
    expect(await h.start({ AGENT_MODULE: "./no/such/agent.js" })).toBeUndefined();
    expect(h.exits).toEqual([1]);
    expect(h.stderr).toHaveLength(1);
    expect(h.stderr[0]).toMatch(
      /^[a-z0-9-]+: cannot set up the agent: AGENT_MODULE="\.\/no\/such\/agent\.js" could not be loaded \(Cannot find module .*\): give the path of a JavaScript module \(relative to .*\) or a package name\n$/,
    );
    expect(h.logs).toEqual([]);
  });
});

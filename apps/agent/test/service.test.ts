import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { type Service, startService } from "../src/service.ts";
import { MemoryTaskStore } from "../src/tasks/memory-store.ts";
import { send, sleep, startSlowPost } from "./support/http.ts";

interface Harness {
  signals: EventEmitter;
  exits: number[];
  exited: Promise<number>;
  stderr: string[];
  logs: Array<Record<string, unknown>>;
  start(
    env?: Record<string, string>,
    extra?: Pick<Parameters<typeof startService>[0] & object, "createStore">,
  ): Promise<Service | undefined>;
}

const services: Service[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) {
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
      const fatal = h.logs.find((line) => line.level === "fatal");
      expect(fatal?.msg).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(fatal?.msg).toContain("EADDRINUSE");
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
    expect(h.logs.find((line) => line.level === "fatal")?.msg).toBe(
      "cannot open the task store; check DATABASE_URL",
    );
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

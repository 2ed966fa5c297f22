import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { AccessLog } from "../src/platform/access-log.ts";
import { connectionCapacity, openFileLimit } from "../src/platform/capacity.ts";
import { registerOpenApi } from "../src/platform/openapi.ts";
import { MemoryTaskStore } from "../src/tasks/memory-store.ts";
import { createTestApp } from "./support/app.ts";

describe("buildApp defaults", () => {
  it("builds its own logger and readiness, ready once the server listens", async () => {
    const app = await buildApp({
      config: loadConfig({ LOG_LEVEL: "silent" }),
      store: new MemoryTaskStore(),
    });
    try {
      expect((await app.inject("/ready")).json().checks.starting.status).toBe("fail");
      await app.listen({ port: 0, host: "127.0.0.1" });
      expect((await app.inject("/ready")).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("error handler", () => {
  it("passes other client errors through in the error format", async () => {
    const { app } = await createTestApp();
    app.get("/teapot", async () => {
      throw Object.assign(new Error("I am short and stout"), { statusCode: 418 });
    });
    app.get("/gone", async () => {
      throw Object.assign(new Error("moved away"), { statusCode: 410 });
    });
    const teapot = await app.inject("/teapot");
    expect(teapot.statusCode).toBe(418);
    expect(teapot.json()).toEqual({ error: "bad_request", message: "I am short and stout" });
    expect((await app.inject("/gone")).json()).toEqual({
      error: "bad_request",
      message: "moved away",
    });
    await app.close();
  });

  it("names a Content-Length that does not match the body", async () => {
    const { app } = await createTestApp();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { "content-type": "application/json", "content-length": "1000" },
      payload: '{"title":"x"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("bad_request");
    await app.close();
  });
});

describe("AccessLog", () => {
  it("logs a request that ended in an error at error level with the error", () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const log = {
      error: (obj: Record<string, unknown>, msg: string) => lines.push(["error", obj, msg]),
      info: (obj: Record<string, unknown>, msg: string) => lines.push(["info", obj, msg]),
    };
    const request = { method: "GET", url: "/x", log } as never;
    const reply = { statusCode: 500, elapsedTime: 1.2345, log } as never;
    new AccessLog().requestCompleted(new Error("socket broke"), request, reply);
    expect(lines).toEqual([
      [
        "error",
        { method: "GET", url: "/x", statusCode: 500, responseTime: 1.23, err: expect.any(Error) },
        "request errored",
      ],
    ]);
  });

  it("asks a logger with isLevelEnabled first and builds no line it would drop", () => {
    const asked: string[] = [];
    const written: string[] = [];
    const log = {
      isLevelEnabled: (level: string) => {
        asked.push(level);
        return level === "info";
      },
      trace: () => written.push("trace"),
      debug: () => written.push("debug"),
      info: (_obj: unknown, msg: string) => written.push(`info ${msg}`),
    };
    const request = { method: "POST", url: "/tasks", log } as never;
    const access = new AccessLog();
    access.incomingRequest(request, {} as never);
    access.requestCompleted(null, request, { statusCode: 201, elapsedTime: 1, log } as never);
    access.requestCompleted(null, request, { statusCode: 409, elapsedTime: 1, log } as never);
    expect(asked).toEqual(["trace", "debug", "info"]);
    expect(written).toEqual(["info request completed"]);
  });
});

describe("OpenAPI", () => {
  it("retries building the documentation after a failure", async () => {
    const app = Fastify({ logger: false });
    let attempts = 0;
    registerOpenApi(app, {
      version: "1",
      describe: async (instance) => {
        attempts += 1;
        if (attempts === 1) throw new Error("not yet");
        instance.get("/only", { schema: { summary: "Only route" } }, async () => "ok");
      },
    });
    expect((await app.inject("/openapi.json")).statusCode).toBe(500);
    const doc = await app.inject("/openapi.json");
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(["/only"]);
    expect(attempts).toBe(2);
    await app.close();
  });
});

describe("logger used by the app", () => {
  it("accepts any pino logger", async () => {
    const app = await buildApp({
      config: loadConfig({}),
      store: new MemoryTaskStore(),
      logger: pino({ level: "silent" }),
    });
    expect((await app.inject("/health")).statusCode).toBe(200);
    await app.close();
  });
});

describe("metrics registry", () => {
  it("is created once and resets the request and task counters with the rest", async () => {
    const { app } = await createTestApp();
    await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { "content-type": "application/json" },
      payload: { title: "t" },
    });
    const registry = await app.metrics.registry();
    expect(await app.metrics.registry()).toBe(registry);
    expect(await registry.metrics()).toMatch(/^tasks_created_total\{version="[^"]+"\} 1$/m);
    registry.resetMetrics();
    const text = await registry.metrics();
    expect(text).toMatch(/^tasks_created_total\{version="[^"]+"\} 0$/m);
    expect(text).not.toContain('route="/tasks"');
    await app.close();
  });
});

describe("connection capacity", () => {
  it("reads the soft limit on open files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "limits-"));
    const file = join(dir, "limits");
    await writeFile(
      file,
      "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n",
    );
    expect(openFileLimit(file)).toBe(1024);
    await writeFile(
      file,
      "Max open files            unlimited            unlimited            files\n",
    );
    expect(openFileLimit(file)).toBeUndefined();
    expect(openFileLimit(join(dir, "missing"))).toBeUndefined();
    await rm(dir, { recursive: true });
  });

  it("keeps streams and connections inside the file limit, with headroom for probes", () => {
    expect(connectionCapacity({ eventsMaxStreams: 1000, databasePoolMax: 10 }, 1_048_576)).toEqual({
      maxConnections: 1_048_518,
      maxStreams: 1000,
    });
    expect(connectionCapacity({ eventsMaxStreams: 1000, databasePoolMax: 10 }, 256)).toEqual({
      maxConnections: 198,
      maxStreams: 166,
      lowered: { configured: 1000, fileLimit: 256 },
    });
    expect(connectionCapacity({ eventsMaxStreams: 1000, databasePoolMax: 10 }, undefined)).toEqual({
      maxConnections: undefined,
      maxStreams: 1000,
    });
  });
});

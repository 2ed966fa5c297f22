import pino from "pino";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { MemoryTaskStore } from "../src/tasks/memory-store.ts";
import { appPerTest, createTestApp, json } from "./support/app.ts";

const setup = appPerTest();

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

describe("request ids and logs", () => {
  it("keeps a sane incoming x-request-id, echoes it and logs with it", async () => {
    const { app, logs } = await setup({ env: { LOG_LEVEL: "debug" } });
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { ...json, "x-request-id": "trace-42" },
      payload: { title: "t" },
    });
    expect(res.headers["x-request-id"]).toBe("trace-42");
    const line = logs.find((entry) => entry.msg === "request completed");
    expect(line).toMatchObject({
      level: "debug",
      reqId: "trace-42",
      method: "POST",
      url: "/tasks",
      statusCode: 201,
      service: "agent",
    });
    expect(line?.responseTime).toEqual(expect.any(Number));
    expect(typeof line?.time).toBe("string");
  });

  it("gives requests without a plausible x-request-id a new unique one", async () => {
    const { app } = await setup();
    const first = (await app.inject("/health")).headers["x-request-id"];
    const second = (
      await app.inject({ url: "/health", headers: { "x-request-id": "bad id with spaces" } })
    ).headers["x-request-id"];
    const other = await createTestApp();
    const elsewhere = (await other.app.inject("/health")).headers["x-request-id"];
    await other.app.close();
    for (const id of [first, second, elsewhere]) expect(id).toMatch(/^[\w-]{8}-[0-9a-z]+$/);
    expect(new Set([first, second, elsewhere]).size).toBe(3);
  });

  it("logs successful requests at debug and client errors at info", async () => {
    const quiet = await setup();
    await quiet.app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "t" },
    });
    await quiet.app.inject({ url: "/tasks/not-a-uuid", headers: { "x-request-id": "bad-1" } });
    expect(quiet.logs.filter((line) => line.msg === "request completed")).toEqual([
      expect.objectContaining({ level: "info", reqId: "bad-1", statusCode: 400 }),
    ]);
    await quiet.app.close();

    const verbose = await setup({ env: { LOG_LEVEL: "debug" } });
    await verbose.app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "t" },
    });
    await verbose.app.inject("/tasks/00000000-0000-4000-8000-000000000000");
    expect(
      verbose.logs
        .filter((line) => line.msg === "request completed")
        .map((line) => [line.level, line.statusCode]),
    ).toEqual([
      ["debug", 201],
      ["info", 404],
    ]);
  });

  it("keeps the probes out of the info log", async () => {
    const { app, logs } = await setup();
    await app.inject("/health");
    await app.inject("/ready");
    await app.inject("/metrics");
    expect(logs.filter((line) => line.msg === "request completed")).toEqual([]);
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

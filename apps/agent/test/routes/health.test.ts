import { describe, expect, it } from "vitest";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import { StoreUnavailableError } from "../../src/tasks/store.ts";
import { appPerTest } from "../support/app.ts";

const setup = appPerTest();

describe("GET /health", () => {
  it("answers healthy with the version, uptime and time", async () => {
    const { app } = await setup({ env: { APP_VERSION: "abc1234" } });
    const res = await app.inject("/health");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    const body = res.json();
    expect(body).toEqual({
      status: "healthy",
      version: "abc1234",
      uptime_s: expect.any(Number),
      timestamp: expect.any(String),
    });
    expect(body.uptime_s).toBeGreaterThan(0);
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 10_000);
  });

  it("falls back to the package version and stays up while the store is down", async () => {
    const store = new MemoryTaskStore();
    await store.close();
    const { app } = await setup({ store });
    const res = await app.inject("/health");
    expect(res.statusCode).toBe(200);
    expect(res.json().version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("GET /ready", () => {
  it("is ready with every check passing", async () => {
    const { app } = await setup();
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: "ready",
      checks: {
        starting: { status: "pass" },
        draining: { status: "pass" },
        store: { status: "pass" },
      },
    });
  });

  it("is 503 naming the starting check until the server listens", async () => {
    const { app } = await setup({ started: false });
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe("not_ready");
    expect(body.error).toBe("not_ready");
    expect(body.checks.starting).toEqual({
      status: "fail",
      message: "the server has not finished starting",
    });
    expect(body.message).toBe("starting: the server has not finished starting");
  });

  it("is 503 naming the draining check once shutdown began", async () => {
    const { app, readiness } = await setup();
    readiness.startDraining();
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.draining.status).toBe("fail");
    expect(res.json().message).toContain("draining");
  });

  it("is 503 naming the store check while the store is unreachable, and recovers", async () => {
    let down = true;
    const store = new MemoryTaskStore();
    const original = store.check.bind(store);
    store.check = async () => {
      if (down) throw new StoreUnavailableError("connection refused");
      return original();
    };
    const { app, logs } = await setup({ store });
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.store).toEqual({
      status: "fail",
      message: "the memory task store is unreachable: connection refused",
    });
    expect(logs.some((line) => line.level === "warn" && line.check === "store")).toBe(true);
    down = false;
    expect((await app.inject("/ready")).statusCode).toBe(200);
    expect(logs.some((line) => line.msg === "the task store is reachable again")).toBe(true);
  });

  it("counts a store check that hangs as failed after the timeout", async () => {
    const store = new MemoryTaskStore();
    store.check = () => new Promise(() => {});
    const { app } = await setup({ store, checkTimeoutMs: 50 });
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.store.message).toContain("no answer within 50 ms");
  });

  it("reuses a store check within the interval and shares one check between concurrent probes", async () => {
    const store = new MemoryTaskStore();
    let calls = 0;
    store.check = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const { app } = await setup({ store, checkIntervalMs: 60_000 });
    const answers = await Promise.all([
      app.inject("/ready"),
      app.inject("/ready"),
      app.inject("/ready"),
    ]);
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 200]);
    await app.inject("/ready");
    expect(calls).toBe(1);
  });
});

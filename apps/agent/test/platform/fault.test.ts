import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { registerFaultInjection } from "../../src/platform/fault.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe("FAULT_ERROR_RATIO", () => {
  it("is off by default: API requests are served", async () => {
    current = await createTestApp();
    const res = await current.app.inject({
      method: "POST",
      url: "/tasks",
      payload: { title: "t" },
    });
    expect(res.statusCode).toBe(201);
  });

  it("answers API requests 500 in the error format, counted in the request metrics", async () => {
    current = await createTestApp({ env: { FAULT_ERROR_RATIO: "1" } });
    const { app, logs } = current;
    const created = await app.inject({ method: "POST", url: "/tasks", payload: { title: "t" } });
    expect(created.statusCode).toBe(500);
    expect(created.json()).toEqual({
      error: "fault_injected",
      message: "This error was injected on purpose (FAULT_ERROR_RATIO is set on this server).",
    });
    expect((await current.store.list({ limit: 10 })).items).toEqual([]);
    const metrics = (await app.inject("/metrics")).body;
    expect(metrics).toMatch(
      /http_requests_total\{method="POST",route="\/tasks",status_code="500"[^}]*\} 1/,
    );
    expect(logs.some((line) => String(line.msg).startsWith("fault injection is on"))).toBe(true);
  });

  it("leaves the probes and /metrics alone, so a faulty version still looks healthy", async () => {
    current = await createTestApp({ env: { FAULT_ERROR_RATIO: "1" } });
    for (const url of ["/health", "/ready", "/metrics"]) {
      expect((await current.app.inject(url)).statusCode, url).toBe(200);
    }
  });

  it("fails the given share of requests", async () => {
    const app = Fastify();
    const draws = [0.1, 0.3, 0.5, 0.7, 0.9];
    let next = 0;
    registerFaultInjection(app, { errorRatio: 0.5 }, () => draws[next++ % draws.length] ?? 0);
    app.get("/work", async () => ({ ok: true }));
    const statuses: number[] = [];
    for (let i = 0; i < draws.length; i++) statuses.push((await app.inject("/work")).statusCode);
    expect(statuses).toEqual([500, 500, 200, 200, 200]);
    await app.close();
  });
});

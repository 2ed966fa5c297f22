import { describe, expect, it } from "vitest";
import { appPerTest, createTestApp, json } from "../support/app.ts";
import { sample } from "../support/metrics.ts";

const setup = appPerTest();
describe("GET /metrics", () => {
  it("serves Prometheus text with request counts and durations by route template and status", async () => {
    const { app } = await setup();
    const id = (
      await app.inject({ method: "POST", url: "/tasks", headers: json, payload: { title: "t" } })
    ).json().id;
    await app.inject(`/tasks/${id}`);
    await app.inject("/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70");
    await app.inject("/no/such/route");
    // refused before its handler runs, still counted under its route
    await app.inject({ method: "POST", url: "/tasks", headers: json, payload: { title: 1 } });
    const res = await app.inject("/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    const text = res.body;
    const requests = (labels: Record<string, string>) =>
      sample(text, "http_requests_total", labels);
    expect(requests({ method: "POST", route: "/tasks", status_code: "201" })).toBe(1);
    expect(requests({ method: "GET", route: "/tasks/:id", status_code: "200" })).toBe(1);
    expect(requests({ method: "GET", route: "/tasks/:id", status_code: "404" })).toBe(1);
    expect(requests({ method: "GET", route: "unmatched", status_code: "404" })).toBe(1);
    expect(requests({ method: "POST", route: "/tasks", status_code: "400" })).toBe(1);
    const created = { method: "POST", route: "/tasks", status_code: "201" };
    expect(sample(text, "http_request_duration_seconds_count", created)).toBe(1);
    expect(sample(text, "http_request_duration_seconds_bucket", { ...created, le: "+Inf" })).toBe(
      1,
    );
    expect(sample(text, "http_request_duration_seconds_sum", created)).toBeGreaterThan(0);
    expect(text).toContain("process_resident_memory_bytes");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).not.toContain(id);
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

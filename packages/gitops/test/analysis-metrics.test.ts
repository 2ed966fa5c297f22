/** How verify reads metric names: from PromQL queries, and from a real app's GET /metrics. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exposedMetricNames, promqlMetricNames, readExportedMetrics } from "../src/index.ts";
import { REPO } from "./fixtures/verify/tree.ts";

const scratch = mkdtempSync(join(tmpdir(), "gitops-metrics-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("promqlMetricNames", () => {
  it("finds metrics, not functions, aggregations, labels, strings or durations", () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route="/tasks", method=~"POST|PUT"}[{{args.window}}])))',
      ),
    ).toEqual(["http_request_duration_seconds_bucket"]);
    expect(
      promqlMetricNames(
        '(sum(rate(a_total{x="y"}[5m])) or vector(0)) / on (job) group_left (instance) sum without (pod) (rate(b_total[5m] offset 1m)) > bool 0.5 and c unless d',
      ),
    ).toEqual(["a_total", "b_total", "c", "d"]);
    expect(
      promqlMetricNames('{__name__="named_total", job="x"} # a comment naming e_total'),
    ).toEqual(["named_total"]);
    expect(promqlMetricNames("count(up) + 1e3 - Inf * NaN")).toEqual(["up"]);
    expect(promqlMetricNames('label_replace(m, "dst", "$1", "src", "(.*)")')).toEqual(["m"]);
  });
});

describe("exposedMetricNames", () => {
  it("names declared families with their series suffixes, and every sample", () => {
    const text = [
      "# HELP req_seconds Duration.",
      "# TYPE req_seconds histogram",
      "# TYPE rpc summary",
      "# TYPE up_total counter",
      'up_total{job="x"} 1',
      "process_start_time_seconds 1700000000",
    ].join("\n");
    expect([...exposedMetricNames(text)].sort()).toEqual([
      "process_start_time_seconds",
      "req_seconds_bucket",
      "req_seconds_count",
      "req_seconds_sum",
      "rpc",
      "rpc_count",
      "rpc_sum",
      "up_total",
    ]);
  });
});

describe("readExportedMetrics", () => {
  it("starts the agent and reads its real GET /metrics, histograms included", async () => {
    const metrics = await readExportedMetrics(REPO, "agent");
    expect(metrics).toHaveProperty("names");
    const names = "names" in metrics ? metrics.names : new Set<string>();
    for (const name of [
      "http_requests_total",
      "http_request_duration_seconds_bucket",
      "tasks_created_total",
      "process_cpu_seconds_total",
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    expect(names.has("http_request_duration_seconds")).toBe(false);
  }, 60_000);

  it("says why when the app is missing or does not start", async () => {
    expect(await readExportedMetrics(scratch, "nope")).toEqual({
      source: "GET /metrics of apps/nope/src/server.ts",
      error: "apps/nope/src/server.ts does not exist, so the metric names it exports are unknown",
    });
    mkdirSync(join(scratch, "apps/broken/src"), { recursive: true });
    writeFileSync(
      join(scratch, "apps/broken/src/server.ts"),
      'console.error("PORT is taken"); process.exit(1);\n',
    );
    expect(await readExportedMetrics(scratch, "broken")).toEqual({
      source: "GET /metrics of apps/broken/src/server.ts",
      error: "apps/broken/src/server.ts exited before answering: PORT is taken",
    });
  });
});

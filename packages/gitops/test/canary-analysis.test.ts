/**
 * The canary's AnalysisTemplate, as the staging overlay renders it, against a real
 * Prometheus (Debian's `prometheus`) scraping real agents on 127.0.0.1: a healthy agent
 * passes every metric, one with FAULT_ERROR_RATIO=1 fails the error ratio, and one that
 * nobody calls fails for lack of traffic. The test starts everything itself and stops it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderKustomization } from "../src/index.ts";
import { REPO } from "./fixtures/verify/tree.ts";
import { type AnalysisMetric, analysisMetrics, measure } from "./helpers/analysis.ts";
import { type Started, startAgent, startPrometheus, stop } from "./helpers/processes.ts";

const PROMETHEUS = process.env.PROMETHEUS ?? "/usr/bin/prometheus";
const available = existsSync(PROMETHEUS);
if (!available) {
  console.warn(
    `canary-analysis.test.ts: no Prometheus at ${PROMETHEUS}: install Debian's prometheus (apt-get install prometheus; .ci/run does) or set PROMETHEUS to its path${process.env.CI ? "" : " (skipped outside CI)"}`,
  );
}

const NAMESPACE = "agent-staging";
/** Short enough for a test, long enough for several 1 s scrapes. */
const WINDOW = "15s";
const AGENTS = { healthy: {}, faulty: { FAULT_ERROR_RATIO: "1" }, idle: {} } as const;
type Name = keyof typeof AGENTS;

const objects = renderKustomization(join(REPO, "gitops/apps/agent/overlays/staging"));
const template = objects.find((o) => o.kind === "AnalysisTemplate") ?? { spec: {} };
const rollout = objects.find((o) => o.kind === "Rollout") ?? { spec: {} };

describe.runIf(available || process.env.CI)("the canary analysis on a real Prometheus", () => {
  const scratch = mkdtempSync(join(tmpdir(), "gitops-canary-"));
  const agents = new Map<Name, Started>();
  let prometheus: Started | undefined;
  let traffic: Promise<void> | undefined;
  let sending = true;

  beforeAll(async () => {
    expect(
      existsSync(PROMETHEUS),
      `no Prometheus at ${PROMETHEUS}: apt-get install prometheus`,
    ).toBe(true);
    for (const [name, env] of Object.entries(AGENTS))
      agents.set(name as Name, await startAgent(env));
    // What the ServiceMonitor's relabelling gives real pods: namespace and pod-template-hash.
    const targets = [...agents].map(([name, agent]) => ({
      targets: [new URL(agent.url).host],
      labels: { namespace: NAMESPACE, rollouts_pod_template_hash: name },
    }));
    const config = join(scratch, "prometheus.yml");
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [{ job_name: "agent", metrics_path: "/metrics", static_configs: targets }],
      }),
    );
    prometheus = await startPrometheus(PROMETHEUS, config, join(scratch, "data"));
    // Users create tasks on the healthy and the faulty agent until the test ends.
    const send = async (agent: Started) => {
      while (sending) {
        await fetch(`${agent.url}/tasks`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ title: "canary traffic" }),
        }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    traffic = Promise.all([send(agents.get("healthy")!), send(agents.get("faulty")!)]).then(
      () => undefined,
    );
  }, 120_000);

  afterAll(async () => {
    sending = false;
    await traffic;
    await stop(prometheus);
    for (const agent of agents.values()) await stop(agent);
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The template's metrics for one agent: what the Rollout passes, plus this Prometheus. */
  function metricsFor(name: Name): AnalysisMetric[] {
    return analysisMetrics(template, {
      "canary-hash": name,
      namespace: NAMESPACE,
      "prometheus-address": prometheus?.url ?? "",
      window: WINDOW,
    });
  }

  /** Measures every metric `count` times, 1 s apart; failed when any fails > failureLimit times. */
  async function analyse(name: Name) {
    const metrics = metricsFor(name);
    const failures = new Map<string, number>(metrics.map((m) => [m.name, 0]));
    const values = new Map<string, unknown[]>();
    for (let round = 0; round < Math.max(...metrics.map((m) => m.count)); round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const metric of metrics) {
        if (round >= metric.count) continue;
        const measurement = await measure(prometheus?.url ?? "", metric);
        values.set(metric.name, [...(values.get(metric.name) ?? []), measurement.value]);
        if (!measurement.successful)
          failures.set(metric.name, (failures.get(metric.name) ?? 0) + 1);
      }
    }
    const failed = metrics
      .filter((m) => (failures.get(m.name) ?? 0) > m.failureLimit)
      .map((m) => m.name);
    return { failed, values: Object.fromEntries(values) };
  }

  it("is the template the Rollout's analysis steps use, given the arguments it has no default for", () => {
    expect((template as { metadata?: { name?: string } }).metadata?.name).toBe("agent-canary");
    const steps = (rollout.spec as { strategy: { canary: { steps: Record<string, unknown>[] } } })
      .strategy.canary.steps;
    const analyses = steps.filter((s) => s.analysis !== undefined);
    expect(analyses.length).toBeGreaterThanOrEqual(1);
    const required = (template.spec as { args: { name: string; value?: string }[] }).args
      .filter((a) => a.value === undefined)
      .map((a) => a.name)
      .sort();
    for (const step of analyses) {
      const given = (step.analysis as { args: { name: string }[] }).args.map((a) => a.name).sort();
      expect(given).toEqual(required);
    }
    expect(metricsFor("healthy").map((m) => m.name)).toEqual([
      "requests",
      "error-ratio",
      "create-task-p99",
    ]);
  });

  it("passes a healthy canary once it has had its traffic", async () => {
    // Polls, not sleeps: under load the first scrapes may come late.
    const deadline = Date.now() + 90_000;
    let result = await analyse("healthy");
    while (result.failed.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      result = await analyse("healthy");
    }
    expect(result.failed, JSON.stringify(result.values)).toEqual([]);
  }, 120_000);

  it("fails a canary that answers errors, on its error ratio", async () => {
    const result = await analyse("faulty");
    expect(result.failed, JSON.stringify(result.values)).toEqual(["error-ratio"]);
    expect(result.values["error-ratio"]).toEqual([[1], [1], [1]]);
  }, 60_000);

  it("fails a canary that nobody called: no traffic is no verdict, never a pass", async () => {
    const result = await analyse("idle");
    expect(result.failed, JSON.stringify(result.values)).toEqual([
      "requests",
      "error-ratio",
      "create-task-p99",
    ]);
  }, 60_000);
});

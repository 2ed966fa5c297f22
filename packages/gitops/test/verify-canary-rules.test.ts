/** The canary rules on hand-made objects: the cases the repository's own tree does not show. */
import type { KubernetesObject } from "@repo/kustomize-ts";
import { describe, expect, it } from "vitest";
import {
  checkAnalysisMetrics,
  checkCanaryAnalysis,
  checkRolloutSelector,
  checkServiceMonitor,
  checkWorkloadRefReplicas,
} from "../src/verify/rules/canary.ts";
import type { RuleContext } from "../src/verify/rules/context.ts";

const labels = { app: "a" };

function obj(kind: string, apiVersion: string, name: string, spec: unknown, extra = {}) {
  return { apiVersion, kind, metadata: { name, ...extra }, spec } as KubernetesObject;
}

const deployment = obj("Deployment", "apps/v1", "a", {
  selector: { matchLabels: labels },
  template: { metadata: { labels }, spec: { containers: [{ name: "a" }] } },
});
const service = (name: string, selector = labels, extra = {}) =>
  obj("Service", "v1", name, { selector, ports: [{ name: "http", port: 80 }] }, extra);

function rollout(spec: Record<string, unknown>) {
  return obj("Rollout", "argoproj.io/v1alpha1", "a", {
    selector: { matchLabels: labels },
    ...spec,
  });
}

function context(objects: KubernetesObject[], extra: Partial<RuleContext> = {}): RuleContext {
  return {
    target: { label: "a/dev", dir: "/", path: "gitops/apps/a/overlays/dev", objects },
    objects,
    config: { repository: "o/r", registry: "ghcr.io", repoURL: "", imagePrefix: "", clusters: [] },
    apps: ["a"],
    ...extra,
  };
}

const run = (
  rule: typeof checkRolloutSelector,
  object: KubernetesObject,
  objects: KubernetesObject[],
  extra = {},
) => rule(object, context(objects, extra)).map((f) => `${f.rule}: ${f.problem}`);

describe("rollout-selector", () => {
  it("accepts a Rollout with its own template, and Services that select its pods", () => {
    const r = rollout({
      template: { metadata: { labels } },
      strategy: { canary: { stableService: "s", canaryService: "c" } },
    });
    expect(run(checkRolloutSelector, r, [r, service("s"), service("c")])).toEqual([]);
  });

  it("names a missing workloadRef target, a missing Service and a selector that misses the pods", () => {
    const missing = rollout({
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "b" },
    });
    expect(run(checkRolloutSelector, missing, [missing, deployment])).toEqual([
      "rollout-selector: workloadRef apps/v1 Deployment/b is not rendered here, so the Rollout has no pods to run",
    ]);
    const r = obj("Rollout", "argoproj.io/v1alpha1", "a", {
      selector: { matchLabels: { app: "b" } },
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "a" },
      strategy: { canary: { stableService: "s", canaryService: "c" } },
    });
    expect(run(checkRolloutSelector, r, [r, deployment, service("s", { app: "b" })])).toEqual([
      "rollout-selector: spec.selector does not select the labels of its pods (app=a): Argo Rollouts refuses it",
      "rollout-selector: strategy.canary.stableService Service/s selects app=b, which the Rollout's pods (app=a) do not all carry",
      "rollout-selector: strategy.canary.canaryService names Service/c, which is not rendered here",
    ]);
  });
});

describe("canary-analysis", () => {
  const template = obj("AnalysisTemplate", "argoproj.io/v1alpha1", "t", {
    args: [{ name: "hash" }, { name: "threshold", value: "1" }],
    metrics: [],
  });
  const steps = (list: unknown[]) => rollout({ strategy: { canary: { steps: list } } });

  it("accepts an analysis between the last partial weight and an explicit setWeight 100", () => {
    const r = steps([
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: "t" }], args: [{ name: "hash", value: "x" }] } },
      { setWeight: 100 },
      { pause: {} },
    ]);
    expect(run(checkCanaryAnalysis, r, [r, template])).toEqual([]);
  });

  it("refuses an analysis that comes only before the last partial weight, or no weights at all", () => {
    const early = steps([
      { setWeight: 10 },
      { analysis: { templates: [{ templateName: "t", clusterScope: true }] } },
      { setWeight: 60 },
      { pause: { duration: "1m" } },
    ]);
    expect(run(checkCanaryAnalysis, early, [early])).toEqual([
      "canary-analysis: the canary steps reach full weight without an analysis (nothing judges the canary after step 3 (setWeight 60)): a bad version takes all traffic unjudged",
    ]);
    const none = rollout({ strategy: { canary: {} } });
    expect(run(checkCanaryAnalysis, none, [none])[0]).toContain(
      "no setWeight below 100 comes first",
    );
    const blueGreen = rollout({ strategy: { blueGreen: { activeService: "s" } } });
    expect(run(checkCanaryAnalysis, blueGreen, [blueGreen])).toEqual([]);
  });

  it("names a missing template and a required argument the step does not give", () => {
    const r = steps([
      { setWeight: 10 },
      { analysis: { templates: [{ templateName: "t" }, { templateName: "gone" }] } },
    ]);
    expect(run(checkCanaryAnalysis, r, [r, template])).toEqual([
      'canary-analysis: step 2 (analysis) does not give argument "hash", which AnalysisTemplate/t requires',
      "canary-analysis: step 2 (analysis) uses AnalysisTemplate/gone, which is not rendered here: the step would fail",
    ]);
  });
});

describe("analysis-metrics", () => {
  const template = obj("AnalysisTemplate", "argoproj.io/v1alpha1", "t", {
    metrics: [
      { name: "web", provider: { web: { url: "http://x" } } },
      { name: "ratio", provider: { prometheus: { query: "sum(rate(http_requests_totl[1m]))" } } },
    ],
  });

  it("names each unknown metric with the app's name it is closest to", () => {
    const exportedMetrics = {
      source: "GET /metrics of apps/a/src/server.ts",
      names: new Set(["http_requests_total", "process_cpu_seconds_total"]),
    };
    const findings = checkAnalysisMetrics(template, context([template], { exportedMetrics }));
    expect(findings.map((f) => `${f.problem} -> ${f.fix}`)).toEqual([
      'metric "ratio" queries http_requests_totl, which the app does not export (GET /metrics of apps/a/src/server.ts): the query finds nothing and every rollout aborts -> did you mean http_requests_total? use a metric the app exports, or export http_requests_totl from the app',
    ]);
  });

  it("lists no guess for a name like none the app exports", () => {
    const far = obj("AnalysisTemplate", "argoproj.io/v1alpha1", "t", {
      metrics: [
        { name: "m", provider: { prometheus: { query: "sum(nginx_ingress_controller_latency)" } } },
      ],
    });
    const exportedMetrics = { source: "s", names: new Set(["http_requests_total"]) };
    expect(checkAnalysisMetrics(far, context([far], { exportedMetrics }))[0]?.fix).toBe(
      "use a metric the app exports (its GET /metrics lists them), or export nginx_ingress_controller_latency from the app",
    );
  });

  it("says once why it cannot check, and nothing when no names were read", () => {
    const exportedMetrics = { source: "s", error: "apps/a/src/server.ts does not exist" };
    expect(run(checkAnalysisMetrics, template, [template], { exportedMetrics })).toEqual([
      "analysis-metrics: cannot check the metric names of the queries: apps/a/src/server.ts does not exist",
    ]);
    expect(run(checkAnalysisMetrics, template, [template])).toEqual([]);
  });
});

describe("service-monitor and workload-ref-replicas", () => {
  const monitor = (selector: unknown, port = "http") =>
    obj("ServiceMonitor", "monitoring.coreos.com/v1", "m", { selector, endpoints: [{ port }] });

  it("names a selector that finds no Service, and a port the Service lacks", () => {
    const none = monitor({ matchLabels: { app: "x" } });
    expect(run(checkServiceMonitor, none, [none, service("s", labels, { labels })])).toEqual([
      "service-monitor: spec.selector matches the labels of no Service here, so nothing is scraped",
    ]);
    const port = monitor({ matchLabels: labels }, "metrics");
    expect(
      run(checkServiceMonitor, port, [port, deployment, service("s", labels, { labels })]),
    ).toEqual(['service-monitor: endpoint port "metrics" is not a port name of Service/s']);
  });

  it("lets the Deployment behind a Rollout go without replicas or with 0, never with more", () => {
    const r = rollout({ workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "a" } });
    const sized = (replicas?: number) =>
      obj("Deployment", "apps/v1", "a", { ...(deployment.spec as object), replicas });
    expect(run(checkWorkloadRefReplicas, sized(0), [r, sized(0)])).toEqual([]);
    expect(run(checkWorkloadRefReplicas, sized(undefined), [r, sized(undefined)])).toEqual([]);
    const three = sized(3);
    expect(run(checkWorkloadRefReplicas, three, [r, three])[0]).toContain(
      "Deployment/a sets spec.replicas: 3, but only lends its template to Rollout/a",
    );
    expect(run(checkWorkloadRefReplicas, three, [three])).toEqual([]);
  });
});

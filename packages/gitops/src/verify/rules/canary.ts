/**
 * Rules on progressive delivery: Argo Rollouts' Rollout and AnalysisTemplate, and the
 * prometheus-operator ServiceMonitor that feeds the analysis its metrics.
 */
import {
  apiGroup,
  type Json,
  podTemplate,
  record,
  records,
  selects,
  selectsMap,
  stringMap,
  text,
} from "../objects.ts";
import { promqlMetricNames } from "../promql.ts";
import { closest } from "../schema.ts";
import type { Finding, KubernetesObject } from "../types.ts";
import { objectName } from "../types.ts";
import type { ObjectRule } from "./context.ts";

const ANALYSIS_KINDS = new Set(["AnalysisTemplate", "ClusterAnalysisTemplate"]);

function isArgo(object: KubernetesObject, kind: string): boolean {
  return object.kind === kind && apiGroup(object.apiVersion) === "argoproj.io";
}

/** The object a Rollout's workloadRef names, if it is rendered here. */
export function workloadRefTarget(
  rollout: KubernetesObject,
  objects: KubernetesObject[],
): KubernetesObject | undefined {
  const ref = record(record(rollout.spec).workloadRef);
  return objects.find(
    (o) =>
      o.kind === ref.kind &&
      o.metadata.name === ref.name &&
      apiGroup(o.apiVersion) === apiGroup(text(ref.apiVersion) ?? ""),
  );
}

/** Labels of the pods a Rollout runs: its own template's, or its workloadRef's. */
export function rolloutPodLabels(
  rollout: KubernetesObject,
  objects: KubernetesObject[],
): Record<string, string> | undefined {
  const spec = record(rollout.spec);
  if (spec.workloadRef !== undefined) {
    const target = workloadRefTarget(rollout, objects);
    return target ? podTemplate(target)?.labels : undefined;
  }
  return stringMap(record(record(spec.template).metadata).labels);
}

function describeSelector(selector: Record<string, string>): string {
  return (
    Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",") || "(empty)"
  );
}

/** The Rollout's selector, its pods, its workloadRef and its stable/canary Services agree. */
export const checkRolloutSelector: ObjectRule = (object, { objects }) => {
  if (!isArgo(object, "Rollout")) return [];
  const spec = record(object.spec);
  const ref = record(spec.workloadRef);
  const findings: Finding[] = [];
  if (spec.workloadRef !== undefined && !workloadRefTarget(object, objects)) {
    return [
      {
        rule: "rollout-selector",
        problem: `workloadRef ${String(ref.apiVersion)} ${String(ref.kind)}/${String(ref.name)} is not rendered here, so the Rollout has no pods to run`,
        fix: "point workloadRef at the Deployment of this overlay (apiVersion apps/v1, kind Deployment, its name)",
      },
    ];
  }
  const labels = rolloutPodLabels(object, objects) ?? {};
  if (!selects(spec.selector, labels)) {
    findings.push({
      rule: "rollout-selector",
      problem: `spec.selector does not select the labels of its pods (${describeSelector(labels)}): Argo Rollouts refuses it`,
      fix: `make spec.selector.matchLabels a subset of the pod template labels${spec.workloadRef ? ` of ${String(ref.kind)}/${String(ref.name)}` : ""}`,
    });
  }
  const canary = record(record(spec.strategy).canary);
  for (const role of ["stableService", "canaryService"]) {
    const name = text(canary[role]);
    if (!name) continue;
    const service = objects.find((o) => o.kind === "Service" && o.metadata.name === name);
    if (!service) {
      findings.push({
        rule: "rollout-selector",
        problem: `strategy.canary.${role} names Service/${name}, which is not rendered here`,
        fix: `add Service ${name} (selecting the Rollout's pods) or correct the name`,
      });
      continue;
    }
    const selector = stringMap(record(service.spec).selector);
    if (!selectsMap(selector, labels)) {
      findings.push({
        rule: "rollout-selector",
        problem: `strategy.canary.${role} Service/${name} selects ${describeSelector(selector)}, which the Rollout's pods (${describeSelector(labels)}) do not all carry`,
        fix: `make Service/${name}'s spec.selector equal to the Rollout's spec.selector.matchLabels (Argo Rollouts adds the pod-template-hash itself)`,
      });
    }
  }
  return findings;
};

function stepLabel(index: number, step: Json): string {
  const kind = Object.keys(step)[0] ?? "step";
  const value = step.setWeight !== undefined ? ` ${String(step.setWeight)}` : "";
  return `step ${index + 1} (${kind}${value})`;
}

/** Every canary puts an analysis between its last partial weight and full weight. */
export const checkCanaryAnalysis: ObjectRule = (object, { objects }) => {
  if (!isArgo(object, "Rollout")) return [];
  const strategy = record(record(object.spec).strategy);
  if (strategy.canary === undefined) return [];
  const steps = records(record(strategy.canary).steps);
  const findings: Finding[] = [];
  const full = steps.findIndex((s) => typeof s.setWeight === "number" && s.setWeight >= 100);
  const end = full === -1 ? steps.length : full;
  let lastPartial = -1;
  steps.forEach((step, index) => {
    if (index < end && typeof step.setWeight === "number" && step.setWeight > 0)
      lastPartial = index;
  });
  const judged = steps.some(
    (s, index) => s.analysis !== undefined && index > lastPartial && index < end,
  );
  if (lastPartial === -1 || !judged) {
    const after =
      lastPartial === -1
        ? "no setWeight below 100 comes first"
        : `nothing judges the canary after ${stepLabel(lastPartial, steps[lastPartial] ?? {})}`;
    findings.push({
      rule: "canary-analysis",
      problem: `the canary steps reach full weight without an analysis (${after}): a bad version takes all traffic unjudged`,
      fix: "add `- analysis: {templates: [{templateName: <an AnalysisTemplate>}]}` after a `setWeight` below 100 and before full weight",
    });
  }
  steps.forEach((step, index) => {
    if (step.analysis === undefined) return;
    const analysis = record(step.analysis);
    const given = new Set(records(analysis.args).map((a) => text(a.name)));
    for (const ref of records(analysis.templates)) {
      const name = text(ref.templateName) ?? "";
      if (ref.clusterScope === true) continue;
      const template = objects.find(
        (o) => isArgo(o, "AnalysisTemplate") && o.metadata.name === name,
      );
      if (!template) {
        findings.push({
          rule: "canary-analysis",
          problem: `${stepLabel(index, step)} uses AnalysisTemplate/${name}, which is not rendered here: the step would fail`,
          fix: `add AnalysisTemplate ${name} to this overlay or correct templateName`,
        });
        continue;
      }
      for (const arg of records(record(template.spec).args)) {
        const argName = text(arg.name) ?? "";
        if (arg.value === undefined && arg.valueFrom === undefined && !given.has(argName)) {
          findings.push({
            rule: "canary-analysis",
            problem: `${stepLabel(index, step)} does not give argument "${argName}", which AnalysisTemplate/${name} requires`,
            fix: `add {name: ${argName}, value: ...} (or valueFrom) to the step's analysis.args`,
          });
        }
      }
    }
  });
  return findings;
};

function suggestion(name: string, exported: ReadonlySet<string>): string {
  const near = closest(name, exported);
  return near
    ? `did you mean ${near}? use a metric the app exports, or export ${name} from the app`
    : `use a metric the app exports (its GET /metrics lists them), or export ${name} from the app`;
}

/** Every metric a Prometheus query of an analysis reads is one the app exports. */
export const checkAnalysisMetrics: ObjectRule = (object, { exportedMetrics }) => {
  if (!ANALYSIS_KINDS.has(object.kind) || apiGroup(object.apiVersion) !== "argoproj.io") return [];
  const findings: Finding[] = [];
  for (const metric of records(record(object.spec).metrics)) {
    const query = text(record(record(metric.provider).prometheus).query);
    if (query === undefined) continue;
    if (!exportedMetrics) continue;
    if ("error" in exportedMetrics) {
      return [
        {
          rule: "analysis-metrics",
          problem: `cannot check the metric names of the queries: ${exportedMetrics.error}`,
          fix: "make the app start with `node apps/<app>/src/server.ts` (after pnpm install), so verify can read its GET /metrics",
        },
      ];
    }
    for (const name of promqlMetricNames(query)) {
      if (exportedMetrics.names.has(name)) continue;
      findings.push({
        rule: "analysis-metrics",
        problem: `metric "${String(metric.name)}" queries ${name}, which the app does not export (${exportedMetrics.source}): the query finds nothing and every rollout aborts`,
        fix: suggestion(name, exportedMetrics.names),
      });
    }
  }
  return findings;
};

/**
 * A ServiceMonitor selects Services rendered here, by a port they have, and never two
 * Services in front of the same pods (each pod would be scraped, and counted, twice).
 */
export const checkServiceMonitor: ObjectRule = (object, { objects }) => {
  if (object.kind !== "ServiceMonitor" || apiGroup(object.apiVersion) !== "monitoring.coreos.com")
    return [];
  const spec = record(object.spec);
  const services = objects.filter(
    (o) => o.kind === "Service" && selects(spec.selector, stringMap(o.metadata.labels)),
  );
  if (services.length === 0) {
    return [
      {
        rule: "service-monitor",
        problem: "spec.selector matches the labels of no Service here, so nothing is scraped",
        fix: "make spec.selector.matchLabels match the labels (metadata.labels) of the app's Service",
      },
    ];
  }
  const findings: Finding[] = [];
  for (const endpoint of records(spec.endpoints)) {
    const port = text(endpoint.port);
    if (port === undefined) continue;
    for (const service of services) {
      if (!records(record(service.spec).ports).some((p) => p.name === port)) {
        findings.push({
          rule: "service-monitor",
          problem: `endpoint port "${port}" is not a port name of ${objectName(service)}`,
          fix: `set endpoints[].port to a name in ${objectName(service)}'s spec.ports`,
        });
      }
    }
  }
  const pods = objects.map(podTemplate).filter((t) => t?.longRunning);
  for (const pod of pods) {
    const fronting = services.filter((s) =>
      selectsMap(stringMap(record(s.spec).selector), pod?.labels ?? {}),
    );
    if (fronting.length > 1) {
      findings.push({
        rule: "service-monitor",
        problem: `selects ${fronting.map(objectName).join(", ")}, which all route to the pods of ${objectName(pod?.owner as KubernetesObject)}: each pod is scraped ${fronting.length} times and its requests counted ${fronting.length} times`,
        fix: "narrow spec.selector to one Service per set of pods (e.g. matchExpressions: rollout-role DoesNotExist)",
      });
    }
  }
  return findings;
};

/**
 * The workload a Rollout's workloadRef names sets no replicas (or 0): Argo Rollouts scales it
 * to zero, and a count in git would have Argo CD scale it back up on every sync.
 */
export const checkWorkloadRefReplicas: ObjectRule = (object, { objects }) => {
  const replicas = record(object.spec).replicas;
  if (replicas === undefined || replicas === 0) return [];
  const rollout = objects.find(
    (o) => isArgo(o, "Rollout") && workloadRefTarget(o, objects) === object,
  );
  if (!rollout) return [];
  return [
    {
      rule: "workload-ref-replicas",
      problem: `${objectName(object)} sets spec.replicas: ${JSON.stringify(replicas)}, but only lends its template to ${objectName(rollout)}: Argo CD would keep scaling it up while Argo Rollouts scales it to zero`,
      fix: `size ${objectName(rollout)} instead (a Rollout patch with spec.replicas, or an HPA on it) and drop ${objectName(object)}'s replicas: entry`,
    },
  ];
};

export const CANARY_RULES: ObjectRule[] = [
  checkWorkloadRefReplicas,
  checkRolloutSelector,
  checkCanaryAnalysis,
  checkAnalysisMetrics,
  checkServiceMonitor,
];

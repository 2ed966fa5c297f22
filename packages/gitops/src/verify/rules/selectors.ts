/** Rules on objects that point at other objects: Service, PodDisruptionBudget, HorizontalPodAutoscaler. */
import {
  minimumReplicas,
  type PodTemplate,
  podTemplate,
  record,
  records,
  scales,
  selects,
  selectsMap,
  stringMap,
  text,
} from "../objects.ts";
import type { Finding, KubernetesObject } from "../types.ts";
import { objectName } from "../types.ts";
import { workloadRefTarget } from "./canary.ts";
import type { ObjectRule } from "./context.ts";
import { parseQuantity } from "./quantity.ts";

function templates(objects: KubernetesObject[]): PodTemplate[] {
  return objects.map(podTemplate).filter((t): t is PodTemplate => t !== undefined);
}

export const checkService: ObjectRule = (object, { objects }) => {
  if (object.kind !== "Service") return [];
  const spec = record(object.spec);
  if (spec.type === "ExternalName") return [];
  const selector = stringMap(spec.selector);
  const labels =
    Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",") || "(empty)";
  const pods = templates(objects);
  const serving = pods.filter((p) => p.longRunning && selectsMap(selector, p.labels));
  const others = pods.filter((p) => !p.longRunning && selectsMap(selector, p.labels));
  const findings: Finding[] = [];
  if (serving.length === 0) {
    findings.push({
      rule: "service-selector",
      problem: `selector ${labels} matches the pods of no Deployment here`,
      fix: "make spec.selector equal to the Deployment's spec.template.metadata.labels (the ones in its spec.selector)",
    });
  }
  for (const other of others) {
    findings.push({
      rule: "service-selector",
      problem: `selector ${labels} also matches the pods of ${objectName(other.owner)}, which would receive traffic`,
      fix: "add a label that only the serving pods carry (e.g. app.kubernetes.io/component: server) to the selector",
    });
  }
  for (const port of records(spec.ports)) {
    const target = port.targetPort ?? port.port;
    for (const pod of serving) {
      const ports = pod.containers.flatMap((c) => records(c.ports));
      const found =
        typeof target === "string"
          ? ports.some((p) => p.name === target)
          : ports.some((p) => p.containerPort === target);
      if (!found) {
        findings.push({
          rule: "service-target-port",
          problem: `port ${String(port.name ?? port.port)} targets ${JSON.stringify(target)}, which the pods of ${objectName(pod.owner)} do not declare`,
          fix: "set targetPort to the name of a container port (e.g. http)",
        });
      }
    }
  }
  return findings;
};

export const checkPodDisruptionBudget: ObjectRule = (object, { objects }) => {
  if (object.kind !== "PodDisruptionBudget") return [];
  const spec = record(object.spec);
  const guarded = templates(objects).filter(
    (p) => p.longRunning && selects(spec.selector, p.labels),
  );
  if (guarded.length === 0) {
    return [
      {
        rule: "pdb-selector",
        problem: "spec.selector matches the pods of no Deployment here, so it protects nothing",
        fix: "make spec.selector.matchLabels equal to the Deployment's spec.selector.matchLabels",
      },
    ];
  }
  const findings: Finding[] = [];
  for (const pod of guarded) {
    const replicas = minimumReplicas(pod.owner, objects);
    const allowed = disruptionsAllowed(spec, replicas);
    if (allowed < 1) {
      findings.push({
        rule: "pdb-evictable",
        problem: `with ${replicas} replica(s) of ${objectName(pod.owner)}, minAvailable ${JSON.stringify(spec.minAvailable ?? null)} / maxUnavailable ${JSON.stringify(spec.maxUnavailable ?? null)} allows no eviction: node drains hang`,
        fix: "use maxUnavailable: 1 (or a minAvailable below the smallest replica count)",
      });
    }
  }
  return findings;
};

/** How many pods of `replicas` healthy ones the budget lets go at once. */
function disruptionsAllowed(spec: Record<string, unknown>, replicas: number): number {
  const count = (value: unknown): number | undefined => {
    if (typeof value === "number") return value;
    const percent = /^(\d+)%$/.exec(text(value) ?? "");
    // Kubernetes rounds percentages up for both fields.
    return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : undefined;
  };
  const maxUnavailable = count(spec.maxUnavailable);
  if (maxUnavailable !== undefined) return maxUnavailable;
  const minAvailable = count(spec.minAvailable);
  if (minAvailable !== undefined) return replicas - minAvailable;
  return 0;
}

export const checkHorizontalPodAutoscaler: ObjectRule = (object, { objects }) => {
  if (object.kind !== "HorizontalPodAutoscaler") return [];
  const spec = record(object.spec);
  const ref = record(spec.scaleTargetRef);
  const target = objects.find((o) => scales(object, o));
  if (!target) {
    return [
      {
        rule: "hpa-target",
        problem: `scaleTargetRef ${String(ref.apiVersion)} ${String(ref.kind)}/${String(ref.name)} is not rendered here`,
        fix: "point scaleTargetRef at the Deployment of this overlay (apiVersion apps/v1, kind Deployment, its name)",
      },
    ];
  }
  const findings: Finding[] = [];
  const min = typeof spec.minReplicas === "number" ? spec.minReplicas : 1;
  const max = typeof spec.maxReplicas === "number" ? spec.maxReplicas : 0;
  if (min > max) {
    findings.push({
      rule: "hpa-target",
      problem: `minReplicas ${min} is above maxReplicas ${max}`,
      fix: "set maxReplicas at least minReplicas",
    });
  }
  // A Rollout with a workloadRef runs the pods of the workload it names.
  const pod = podTemplate(
    target.kind === "Rollout" ? (workloadRefTarget(target, objects) ?? target) : target,
  );
  for (const metric of records(spec.metrics)) {
    const resource = record(metric.resource);
    const name = text(resource.name);
    if (metric.type !== "Resource" || !name || record(resource.target).type !== "Utilization")
      continue;
    for (const container of pod?.containers ?? []) {
      const request = parseQuantity(record(record(container.resources).requests)[name]);
      if (request === undefined) {
        findings.push({
          rule: "hpa-target",
          problem: `scales on ${name} utilization, but container ${String(container.name)} of ${objectName(target)} has no ${name} request to measure it against`,
          fix: `set resources.requests.${name} on every container of ${objectName(target)}`,
        });
      }
    }
  }
  return findings;
};

/**
 * A workload an HPA scales leaves spec.replicas out: Argo CD applies every rendered field on
 * each sync, so a rendered count would undo the HPA's. Without it nothing needs ignoring.
 */
export const checkHpaReplicas: ObjectRule = (object, { objects }) => {
  if (object.kind === "HorizontalPodAutoscaler") return [];
  const replicas = record(object.spec).replicas;
  if (replicas === undefined) return [];
  const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler" && scales(o, object));
  if (!hpa) return [];
  return [
    {
      rule: "hpa-replicas",
      problem: `${objectName(object)} sets spec.replicas: ${JSON.stringify(replicas)}, but ${objectName(hpa)} scales it`,
      fix: `remove spec.replicas from ${objectName(object)} (drop its replicas: entry or patch it out with op: remove): the HPA owns it; Argo CD would reset it on every sync`,
    },
  ];
};

export const SELECTOR_RULES: ObjectRule[] = [
  checkService,
  checkPodDisruptionBudget,
  checkHorizontalPodAutoscaler,
  checkHpaReplicas,
];

/** Each app overlay ships a PostSync hook Job that proves a sync works end to end. */
export function checkSmokeTest(objects: KubernetesObject[]): Finding | undefined {
  const hooked = objects.some(
    (o) =>
      o.kind === "Job" &&
      (o.metadata.annotations?.["argocd.argoproj.io/hook"] ?? "")
        .split(",")
        .map((h) => h.trim())
        .includes("PostSync"),
  );
  if (hooked) return undefined;
  return {
    rule: "smoke-test",
    problem:
      "no PostSync hook Job checks the app after a sync: pods that are up but broken pass as healthy",
    fix: "ship a Job annotated argocd.argoproj.io/hook: PostSync that calls the Service (see the agent's base/smoke-test.yaml)",
  };
}

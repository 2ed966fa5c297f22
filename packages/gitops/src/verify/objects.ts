/** Small, total accessors for rendered objects: bad input yields undefined, never a crash. */
import type { KubernetesObject } from "./types.ts";

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function records(value: unknown): Json[] {
  return list(value).filter(isRecord);
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) {
    if (typeof item === "string") out[key] = item;
  }
  return out;
}

/** Kinds whose objects run pods for as long as they exist. */
export const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

export interface PodTemplate {
  owner: KubernetesObject;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Json;
  containers: Json[];
  initContainers: Json[];
  longRunning: boolean;
}

/** The pod template an object runs, if any (Deployment, Job, CronJob, Pod, ...). */
export function podTemplate(object: KubernetesObject): PodTemplate | undefined {
  const spec = record(object.spec);
  let template: Json | undefined;
  if (LONG_RUNNING.has(object.kind) || object.kind === "Job") template = record(spec.template);
  else if (object.kind === "CronJob")
    template = record(record(record(spec.jobTemplate).spec).template);
  else if (object.kind === "Pod") template = { metadata: object.metadata, spec: object.spec };
  if (!template) return undefined;
  const metadata = record(template.metadata);
  const podSpec = record(template.spec);
  return {
    owner: object,
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    spec: podSpec,
    containers: records(podSpec.containers),
    initContainers: records(podSpec.initContainers),
    longRunning: LONG_RUNNING.has(object.kind),
  };
}

/** Does a LabelSelector (matchLabels + matchExpressions) select these labels? */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  const sel = record(selector);
  const matchLabels = stringMap(sel.matchLabels);
  const expressions = records(sel.matchExpressions);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  for (const expression of expressions) {
    const key = text(expression.key) ?? "";
    const values = list(expression.values).filter((v): v is string => typeof v === "string");
    const value = labels[key];
    switch (expression.operator) {
      case "In":
        if (value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (value === undefined) return false;
        break;
      case "DoesNotExist":
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's plain map selector. */
export function selectsMap(selector: Record<string, string>, labels: Record<string, string>) {
  return selects({ matchLabels: selector }, labels);
}

/** Replicas a workload runs at the least: the HPA's minimum when one scales it. */
export function minimumReplicas(workload: KubernetesObject, objects: KubernetesObject[]): number {
  const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler" && scales(o, workload));
  if (hpa) {
    const min = record(hpa.spec).minReplicas;
    return typeof min === "number" ? min : 1;
  }
  const replicas = record(workload.spec).replicas;
  return typeof replicas === "number" ? replicas : 1;
}

export function scales(hpa: KubernetesObject, workload: KubernetesObject): boolean {
  const ref = record(record(hpa.spec).scaleTargetRef);
  return (
    ref.kind === workload.kind &&
    ref.name === workload.metadata.name &&
    apiGroup(text(ref.apiVersion) ?? "") === apiGroup(workload.apiVersion)
  );
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** Kinds that live outside namespaces (the ones an app or Argo CD config could ship). */
export const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
  "CSIDriver",
  "VolumeAttachment",
  "Node",
]);

/**
 * Glob match as Argo CD does it: `*` any run of characters, `?` one, `[...]` a class.
 * Directory patterns are matched one path segment at a time, so `*` never crosses a `/`.
 */
export function globMatch(pattern: string, value: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    const end = c === "[" ? pattern.indexOf("]", i + 1) : -1;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (end !== -1) {
      source += `[${pattern.slice(i + 1, end)}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  try {
    return new RegExp(`^${source}$`).test(value);
  } catch {
    return false;
  }
}

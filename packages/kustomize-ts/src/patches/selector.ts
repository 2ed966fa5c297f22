/**
 * Resource ids and selectors as kustomize's resid package defines them: ids print as
 * `Kind.version.group/name.namespace`, a selector field left empty matches anything, and
 * namespaces compare by their effective value ("" and "default" are the same namespace;
 * cluster-scoped kinds have none).
 */

export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

/** kustomize's list of kinds that are not namespaced (resid.notNamespaceableKinds). */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CSIDriver",
  "CSINode",
  "CertificateSigningRequest",
  "Cluster",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CustomResourceDefinition",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "StorageClass",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

const PREVIOUS_NAMES = "config.kubernetes.io/previousNames";
const PREVIOUS_KINDS = "config.kubernetes.io/previousKinds";
const PREVIOUS_NAMESPACES = "config.kubernetes.io/previousNamespaces";

export function parseGroupVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf("/");
  return i < 0 ? ["", apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

interface ObjectLike {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> };
}

/**
 * The ids a resource answers to: its current one, then those it had before name/kind/
 * namespace changes that kustomize recorded in its build annotations.
 */
export function resIdsOf(obj: ObjectLike): ResId[] {
  const [group, version] = parseGroupVersion(str(obj.apiVersion));
  const ids: ResId[] = [
    {
      group,
      version,
      kind: str(obj.kind),
      name: str(obj.metadata?.name),
      namespace: str(obj.metadata?.namespace),
    },
  ];
  const annotations = obj.metadata?.annotations ?? {};
  if (!(PREVIOUS_NAMES in annotations)) return ids;
  const names = str(annotations[PREVIOUS_NAMES]).split(",");
  const namespaces = str(annotations[PREVIOUS_NAMESPACES]).split(",");
  const kinds = str(annotations[PREVIOUS_KINDS]).split(",");
  if (names.length !== namespaces.length || names.length !== kinds.length) return ids;
  names.forEach((name, i) => {
    ids.push({ group, version, kind: kinds[i]!, name, namespace: namespaces[i]! });
  });
  return ids;
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id.kind)) return "_non_namespaceable_";
  if (id.namespace === "" || id.namespace === "default") return "default";
  return id.namespace;
}

/** resid.ResId.IsSelectedBy: every non-empty selector field must match. */
export function matchesSelector(id: ResId, selector: ResId): boolean {
  return (
    (selector.name === "" || selector.name === id.name) &&
    (selector.namespace === "" || effectiveNamespace(selector) === effectiveNamespace(id)) &&
    (selector.group === "" || selector.group === id.group) &&
    (selector.version === "" || selector.version === id.version) &&
    (selector.kind === "" || selector.kind === id.kind)
  );
}

/** resid.ResId.String(). */
export function resIdString(id: ResId): string {
  const kind = id.kind || "[noKind]";
  const version = id.version || "[noVer]";
  const group = id.group || "[noGrp]";
  const name = id.name || "[noName]";
  const namespace = id.namespace || "[noNs]";
  return `${kind}.${version}.${group}/${name}.${namespace}`;
}

type Requirement = (labels: Record<string, unknown>) => boolean;

const KEY_CHARS = /^[A-Za-z0-9._\-/]+$/;

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function parseRequirement(text: string): Requirement {
  const t = text.trim();
  const setMatch = /^([^\s!=<>()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
  if (setMatch) {
    const [, key, op, list] = setMatch as unknown as [string, string, string, string];
    const values = new Set(list.split(",").map((v) => v.trim()));
    return op === "in"
      ? (labels) => Object.hasOwn(labels, key) && values.has(str(labels[key]))
      : (labels) => !Object.hasOwn(labels, key) || !values.has(str(labels[key]));
  }
  const cmp = /^([^\s!=<>()]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)$/.exec(t);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    switch (op) {
      case "!=":
        return (labels) => !Object.hasOwn(labels, key) || str(labels[key]) !== value;
      case ">":
      case "<": {
        const bound = Number(value);
        if (!Number.isInteger(bound)) throw new Error(`invalid label selector "${text}"`);
        return (labels) => {
          if (!Object.hasOwn(labels, key)) return false;
          const n = Number(str(labels[key]));
          return Number.isInteger(n) && (op === ">" ? n > bound : n < bound);
        };
      }
      default:
        return (labels) => Object.hasOwn(labels, key) && str(labels[key]) === value;
    }
  }
  if (t.startsWith("!") && KEY_CHARS.test(t.slice(1).trim())) {
    const key = t.slice(1).trim();
    return (labels) => !Object.hasOwn(labels, key);
  }
  if (KEY_CHARS.test(t)) return (labels) => Object.hasOwn(labels, t);
  throw new Error(`unable to parse requirement: "${text}"`);
}

/** Matches a Kubernetes label selector string ("a=b,c!=d,e in (x,y),!f,g") against a map. */
export function matchesLabelSelector(
  labels: Record<string, unknown> | undefined,
  selector: string,
): boolean {
  if (selector.trim() === "") return true;
  const requirements = splitTopLevel(selector).map(parseRequirement);
  const map = labels ?? {};
  return requirements.every((r) => r(map));
}

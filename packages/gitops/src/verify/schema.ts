/**
 * Schema checks with the validators that `kubernetes-models` and `@kubernetes-models/argo-cd`,
 * `-/argo-rollouts`, `-/prometheus-operator`, `-/external-secrets` and `-/sealed-secrets` ship. Those packages carry their OpenAPI schemas only as compiled validators (no JSON
 * schema to re-apply with additionalProperties refused), and those validators let unknown
 * fields through. A compiled validator looks up every property its schema defines on each
 * object it checks, so we hand it a proxy that records those look-ups: any key of an object
 * that the validator inspected but never looked up is not in the schema. Objects the
 * validator never looks into (free-form fields such as Helm values) stay unchecked.
 */
import type { Finding, KubernetesObject } from "./types.ts";

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface ModelClass {
  apiVersion?: string;
  kind?: string;
  prototype: { validate(this: unknown): void };
}

/** API groups of custom resources, and the packages that carry their models, tried in order. */
const PACKAGES: Record<string, string[]> = {
  // Argo CD (Application, AppProject, ApplicationSet) and Argo Rollouts (Rollout,
  // AnalysisTemplate, ...) share the group.
  "argoproj.io": [
    "@kubernetes-models/argo-cd/argoproj.io",
    "@kubernetes-models/argo-rollouts/argoproj.io",
  ],
  "monitoring.coreos.com": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com"],
  "external-secrets.io": ["@kubernetes-models/external-secrets/external-secrets.io"],
  "generators.external-secrets.io": [
    "@kubernetes-models/external-secrets/generators.external-secrets.io",
  ],
  "bitnami.com": ["@kubernetes-models/sealed-secrets/bitnami.com"],
};

/**
 * Fields the packages' generator leaves out of the compiled validators although the types
 * declare them (it strips every "description" key, including properties of that name, and
 * the x-kubernetes-* extensions of CRD schemas). They are accepted wherever they appear.
 */
const UNCOMPILED_FIELDS = /^(description|x-kubernetes-[a-z-]+)$/;

const modelCache = new Map<string, Promise<ModelClass | undefined>>();

/** The model class for apiVersion/kind, or undefined when neither package knows it. */
export function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  let model = modelCache.get(key);
  if (!model) {
    model = importModel(apiVersion, kind);
    modelCache.set(key, model);
  }
  return model;
}

async function importModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  // Only well-formed names reach import(): the specifier is built from manifest data.
  if (!/^([a-z0-9.-]+\/)?v[0-9]+[a-z0-9]*$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return undefined;
  }
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const bases = PACKAGES[group] ?? [
    group === "" ? "kubernetes-models" : `kubernetes-models/${group}`,
  ];
  for (const base of bases) {
    try {
      const module = (await import(`${base}/${version}/${kind}`)) as Record<string, unknown>;
      const model = module[kind] as ModelClass | undefined;
      // Sub-types (Container, ObjectMeta, ...) are models too, but carry no apiVersion/kind.
      if (model?.apiVersion === apiVersion && model.kind === kind) return model;
    } catch {
      // Not in this package: try the next.
    }
  }
  return undefined;
}

/** Wraps `value` so that every property looked up on any nested object is recorded. */
function recordLookups(root: unknown) {
  const seen = new Map<object, Set<string>>();
  const paths = new Map<object, string>();
  const proxies = new WeakMap<object, unknown>();
  const wrap = (value: unknown, path: string): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const existing = proxies.get(value);
    if (existing) return existing;
    const keys = new Set<string>();
    seen.set(value, keys);
    paths.set(value, path);
    const proxy = new Proxy(value, {
      get(target, property, receiver) {
        const result = Reflect.get(target, property, receiver);
        if (typeof property !== "string") return result;
        keys.add(property);
        if (!Object.hasOwn(target, property)) return result;
        return wrap(result, `${path}/${property}`);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return { proxy: wrap(root, ""), seen, paths };
}

/** `/spec/template/spec/containers/0/name` -> `spec.template.spec.containers[0].name` */
export function fieldPath(instancePath: string, property?: string): string {
  const parts = instancePath.split("/").filter(Boolean);
  if (property !== undefined) parts.push(property);
  let out = "";
  for (const raw of parts) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || "(the object)";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The candidate nearest to `name` by edit distance, if any is near enough to be a typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function describeError(error: AjvError): Finding {
  const where = fieldPath(error.instancePath);
  const params = error.params;
  switch (error.keyword) {
    case "required": {
      const missing = fieldPath(error.instancePath, String(params.missingProperty));
      return {
        rule: "schema",
        problem: `required field ${missing} is missing`,
        fix: `add ${missing}`,
      };
    }
    case "type":
      return {
        rule: "schema",
        problem: `${where} must be of type ${String(params.type)}`,
        fix: `write ${where} as ${/^[aeiou]/.test(String(params.type)) ? "an" : "a"} ${String(params.type)}${params.type === "string" ? " (quote numbers and booleans)" : ""}`,
      };
    case "enum":
      return {
        rule: "schema",
        problem: `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        fix: `use one of the allowed values for ${where}`,
      };
    default:
      return {
        rule: "schema",
        problem: `${where} ${error.message ?? `fails the schema's "${error.keyword}" check`}`,
        fix: `correct ${where} (kubectl explain shows the field's type)`,
      };
  }
}

/** Schema findings for one rendered object: wrong types, missing and unknown fields. */
export async function checkSchema(object: KubernetesObject): Promise<Finding[]> {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const kind = typeof object.kind === "string" ? object.kind : "";
  const model = await loadModel(apiVersion, kind);
  if (!model) {
    return [
      {
        rule: "unknown-kind",
        problem: `no schema for apiVersion "${apiVersion}" kind "${kind}"`,
        fix: "check apiVersion and kind for typos; verify knows the Kubernetes API (kubernetes-models) and the CRDs of Argo CD, Argo Rollouts, prometheus-operator, External Secrets and Sealed Secrets",
      },
    ];
  }
  const { proxy, seen, paths } = recordLookups(object);
  const findings: Finding[] = [];
  try {
    model.prototype.validate.call(proxy);
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    for (const item of errors) findings.push(describeError(item));
  }
  for (const [value, keys] of seen) {
    // Arrays and objects the validator never looked into (free-form fields) are not judged.
    if (Array.isArray(value) || keys.size === 0) continue;
    for (const key of Object.keys(value)) {
      if (keys.has(key) || UNCOMPILED_FIELDS.test(key)) continue;
      const path = fieldPath(paths.get(value) ?? "", key);
      const suggestion = closest(key, keys);
      findings.push({
        rule: "unknown-field",
        problem: `${path} is not a field of ${kind} ${apiVersion}`,
        fix: suggestion ? `did you mean "${suggestion}"? rename or remove it` : "remove it",
      });
    }
  }
  return findings;
}

/**
 * ApplicationSet generators as Argo CD's ApplicationSet controller runs them, for the
 * generators this repository uses: git directories, list, clusters, and matrix and merge
 * over them. Clusters come from a fixture (gitops/repository.yaml `clusters:`), standing in
 * for the cluster Secrets Argo CD holds. What the controller does, and verify mirrors:
 * - clusters: one parameter set per cluster Secret matching the selector; the local cluster
 *   (in-cluster, which has no Secret) only when the selector is empty and no Secret names
 *   https://kubernetes.default.svc. It carries no `metadata` parameter.
 * - matrix: the second child is rendered with each parameter set of the first; the two sets
 *   are merged, the first child's values winning.
 * - merge: the first child's sets, overridden by the sets of later children that have the
 *   same values for the mergeKeys (top-level keys only with goTemplate); sets of a child
 *   that are not unique by those keys are an error; unmatched later sets are dropped.
 */
import { isRecord, list, record, records, selects, stringMap, text } from "./objects.ts";

/** A cluster Argo CD knows through its cluster Secret: `argocd cluster add --name --label`. */
export interface Cluster {
  name: string;
  server: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  project?: string;
}

export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
export const IN_CLUSTER_NAME = "in-cluster";
const SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

export type Params = Record<string, unknown>;

/** What the controller would refuse (its ApplicationSet reports an ErrorOccurred condition). */
export class GeneratorError extends Error {}

export interface GeneratorContext {
  goTemplate: boolean;
  clusters: readonly Cluster[];
  /** Directories of the repository matching a git directories pattern. */
  directories(pattern: string): string[];
  /** Called for a git directories path that matches nothing. */
  onEmptyPattern?(pattern: string): void;
}

// ---------------------------------------------------------------- templates

export type Rendered = { value: string } | { unsupported: string } | { missing: string };

function lookup(params: Params, path: string[]): { found: boolean; value?: unknown } {
  let current: unknown = params;
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return { found: false };
    current = current[key];
  }
  return { found: true, value: current };
}

function evaluate(expression: string, params: Params, goTemplate: boolean) {
  if (!goTemplate) {
    return Object.hasOwn(params, expression)
      ? { found: true, value: params[expression] }
      : { found: false };
  }
  const field = /^\.([\w-]+(?:\.[\w-]+)*)?$/;
  const plain = field.exec(expression);
  if (plain) return lookup(params, plain[1] ? plain[1].split(".") : []);
  const index = /^index\s+(\.[\w.-]*)((?:\s+(?:\d+|"[^"]*"))+)$/.exec(expression);
  if (index) {
    const base = field.exec(index[1] ?? "");
    if (!base) return undefined;
    let found = lookup(params, base[1] ? base[1].split(".") : []);
    for (const arg of (index[2] ?? "").trim().split(/\s+/)) {
      if (!found.found) return found;
      const key = arg.startsWith('"') ? arg.slice(1, -1) : Number(arg);
      const value = found.value;
      if (typeof key === "number" && Array.isArray(value)) {
        if (key >= value.length) return { found: false };
        found = { found: true, value: value[key] };
      } else if (typeof key === "string" && isRecord(value)) {
        // index on a map yields the zero value for a missing key, even with missingkey=error.
        found = { found: true, value: Object.hasOwn(value, key) ? value[key] : "" };
      } else return { found: false };
    }
    return found;
  }
  return undefined;
}

/** Renders one string: `{{...}}` expressions are field paths or `index` calls. */
export function renderString(value: string, params: Params, goTemplate: boolean): Rendered {
  let failure: Rendered | undefined;
  const out = value.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, expression: string) => {
    const result = evaluate(expression, params, goTemplate);
    if (result === undefined) failure ??= { unsupported: whole };
    else if (!result.found) failure ??= { missing: whole };
    else if (isRecord(result.value) || Array.isArray(result.value))
      failure ??= { unsupported: whole };
    else return String(result.value ?? "");
    return whole;
  });
  return failure ?? { value: out };
}

/** Renders every string in `value`; the first expression that fails is returned instead. */
export function renderDeep(
  value: unknown,
  params: Params,
  goTemplate: boolean,
  keepMissing = false,
): { value: unknown } | { unsupported: string } | { missing: string } {
  let failure: { unsupported: string } | { missing: string } | undefined;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") {
      const result = renderString(item, params, goTemplate);
      if ("value" in result) return result.value;
      if (!("missing" in result && keepMissing)) failure ??= result;
      return item;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (isRecord(item))
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v)]));
    return item;
  };
  const out = walk(value);
  return failure ?? { value: out };
}

// ---------------------------------------------------------------- merging

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === "" ||
    value === false ||
    value === 0 ||
    (Array.isArray(value) && value.length === 0) ||
    (isRecord(value) && Object.keys(value).length === 0)
  );
}

/** mergo.Merge(dst, src, WithOverride): maps merge deeply; empty src values never override. */
export function mergeOverride(dst: Params, src: Params): Params {
  const out: Params = { ...dst };
  for (const [key, value] of Object.entries(src)) {
    const current = out[key];
    if (isRecord(current) && isRecord(value)) out[key] = mergeOverride(current, value);
    else if (!isEmpty(value) || !(key in out)) out[key] = value;
  }
  return out;
}

/** JSON with sorted keys, as Go's encoding/json writes maps. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function byMergeKey(keys: string[], sets: Params[], child: number): Map<string, Params> {
  const out = new Map<string, Params>();
  const unique = [...new Set(keys)];
  for (const set of sets) {
    const key = canonical(Object.fromEntries(unique.map((k) => [k, set[k] ?? null])));
    if (out.has(key)) {
      throw new GeneratorError(
        `the merge generator's child ${child + 1} yields two parameter sets with the same ${unique.join(", ")} (${key}); Argo CD refuses the whole ApplicationSet`,
      );
    }
    out.set(key, set);
  }
  return out;
}

// ---------------------------------------------------------------- generators

function gitParams(generator: Params, context: GeneratorContext): Params[] {
  if (records(generator.files).length > 0) {
    throw new GeneratorError("git files generators are not expanded by verify");
  }
  const directories = records(generator.directories);
  const excluded = directories.filter((d) => d.exclude === true).map((d) => text(d.path) ?? "");
  const found: string[] = [];
  for (const entry of directories.filter((d) => d.exclude !== true)) {
    const pattern = text(entry.path) ?? "";
    const matches = context
      .directories(pattern)
      .filter((dir) => !excluded.some((ex) => ex && context.directories(ex).includes(dir)));
    if (matches.length === 0) context.onEmptyPattern?.(pattern);
    for (const dir of matches) if (!found.includes(dir)) found.push(dir);
  }
  return found.map((dir) => {
    const segments = dir.split("/");
    const basename = segments.at(-1) ?? "";
    const normalized = basename.replace(/[^a-zA-Z0-9-.]/g, "-");
    const params: Params = context.goTemplate
      ? { path: { path: dir, basename, basenameNormalized: normalized, segments } }
      : {
          path: dir,
          "path.basename": basename,
          "path.basenameNormalized": normalized,
          ...Object.fromEntries(segments.map((s, i) => [`path[${i}]`, s])),
        };
    return withValues(params, generator.values, context.goTemplate);
  });
}

function withValues(params: Params, values: unknown, goTemplate: boolean): Params {
  const entries = Object.entries(stringMap(values));
  if (entries.length === 0) return params;
  const rendered: Record<string, string> = {};
  for (const [key, value] of entries) {
    const result = renderString(value, params, goTemplate);
    if (!("value" in result)) {
      throw new GeneratorError(
        `values.${key} uses ${"missing" in result ? result.missing : result.unsupported}, which its generator does not provide`,
      );
    }
    rendered[key] = result.value;
  }
  if (goTemplate) return { ...params, values: rendered };
  return { ...params, ...Object.fromEntries(entries.map(([k]) => [`values.${k}`, rendered[k]])) };
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-.]/g, "-");
}

function clusterParams(generator: Params, context: GeneratorContext): Params[] {
  const selector = record(generator.selector);
  const selective =
    Object.keys(record(selector.matchLabels)).length > 0 ||
    records(selector.matchExpressions).length > 0;
  const out: Params[] = [];
  const sorted = [...context.clusters].sort((a, b) => a.name.localeCompare(b.name));
  for (const cluster of sorted) {
    const labels = { ...(cluster.labels ?? {}), [SECRET_TYPE_LABEL]: "cluster" };
    if (selective && !selects(selector, labels)) continue;
    const annotations = cluster.annotations ?? {};
    const base: Params = {
      name: cluster.name,
      nameNormalized: normalizeName(cluster.name),
      server: cluster.server,
      project: cluster.project ?? "",
    };
    const params: Params = context.goTemplate
      ? {
          ...base,
          metadata: {
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
            labels,
          },
        }
      : {
          ...base,
          ...Object.fromEntries(
            Object.entries(annotations).map(([k, v]) => [`metadata.annotations.${k}`, v]),
          ),
          ...Object.fromEntries(
            Object.entries(labels).map(([k, v]) => [`metadata.labels.${k}`, v]),
          ),
        };
    out.push(withValues(params, generator.values, context.goTemplate));
  }
  if (!selective && !context.clusters.some((c) => c.server === IN_CLUSTER_SERVER)) {
    const local: Params = {
      name: IN_CLUSTER_NAME,
      nameNormalized: IN_CLUSTER_NAME,
      server: IN_CLUSTER_SERVER,
      project: "",
    };
    out.push(withValues(local, generator.values, context.goTemplate));
  }
  return out;
}

function listParams(generator: Params, goTemplate: boolean): Params[] {
  if (generator.elementsYaml !== undefined) {
    throw new GeneratorError("list generators with elementsYaml are not expanded by verify");
  }
  return records(generator.elements).map((element) =>
    goTemplate
      ? element
      : Object.fromEntries(Object.entries(element).map(([k, v]) => [k, String(v)])),
  );
}

const KINDS = ["git", "list", "clusters", "matrix", "merge"];

/** The parameter sets one generator yields. Throws GeneratorError for what verify or Argo CD refuses. */
export function generateParams(generator: Params, context: GeneratorContext, depth = 0): Params[] {
  const kinds = Object.keys(generator).filter((key) => key !== "selector" && key !== "template");
  const unknown = kinds.find((kind) => !KINDS.includes(kind));
  if (unknown) throw new GeneratorError(`the ${unknown} generator is not expanded by verify`);
  if (kinds.length !== 1) {
    throw new GeneratorError(
      `a generator entry must hold exactly one generator, not ${kinds.join(" and ") || "none"}`,
    );
  }
  if (generator.selector !== undefined) {
    throw new GeneratorError("post selectors on generators are not expanded by verify");
  }
  const kind = kinds[0] as string;
  const spec = record(generator[kind]);
  if ((kind === "matrix" || kind === "merge") && depth >= 2) {
    throw new GeneratorError(`${kind} generators nest at most once inside matrix or merge`);
  }
  switch (kind) {
    case "git":
      return gitParams(spec, context);
    case "list":
      return listParams(spec, context.goTemplate);
    case "clusters":
      return clusterParams(spec, context);
    case "matrix":
      return matrixParams(spec, context, depth);
    default:
      return mergeParams(spec, context, depth);
  }
}

function matrixParams(spec: Params, context: GeneratorContext, depth: number): Params[] {
  const children = list(spec.generators).filter(isRecord);
  if (children.length !== 2) {
    throw new GeneratorError(
      `a matrix generator needs exactly two child generators, not ${children.length}`,
    );
  }
  const [first, second] = children as [Params, Params];
  const out: Params[] = [];
  for (const a of generateParams(first, context, depth + 1)) {
    // The second child sees the first's parameters; values it cannot resolve stay as written.
    const interpolated = renderDeep(second, a, context.goTemplate, true);
    if (!("value" in interpolated)) {
      throw new GeneratorError(
        `the matrix generator's second child uses ${"missing" in interpolated ? interpolated.missing : interpolated.unsupported}, which verify cannot evaluate`,
      );
    }
    for (const b of generateParams(record(interpolated.value), context, depth + 1)) {
      if (context.goTemplate) out.push(mergeOverride(mergeOverride({}, b), a));
      else {
        const clash = Object.keys(a).find((k) => k in b && b[k] !== a[k]);
        if (clash) {
          throw new GeneratorError(
            `the matrix generator's children both set ${clash} to different values`,
          );
        }
        out.push({ ...a, ...b });
      }
    }
  }
  return out;
}

function mergeParams(spec: Params, context: GeneratorContext, depth: number): Params[] {
  const children = list(spec.generators).filter(isRecord);
  if (children.length < 2) throw new GeneratorError("a merge generator needs two or more children");
  const keys = list(spec.mergeKeys).filter((k): k is string => typeof k === "string");
  if (keys.length === 0) throw new GeneratorError("a merge generator needs at least one mergeKey");
  const sets = children.map((child) => generateParams(child, context, depth + 1));
  const base = byMergeKey(keys, sets[0] ?? [], 0);
  for (const [i, later] of sets.slice(1).entries()) {
    const overrides = byMergeKey(keys, later, i + 1);
    for (const [key, set] of base) {
      const override = overrides.get(key);
      if (!override) continue;
      base.set(key, context.goTemplate ? mergeOverride(set, override) : { ...set, ...override });
    }
  }
  return [...base.values()];
}

/** Reads a cluster list (repository.yaml `clusters:` or a fixture file); problems name the entry. */
export function parseClusters(value: unknown, where: string): Cluster[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new GeneratorError(`${where} must be a list of clusters`);
  return value.map((entry, i) => {
    const item = record(entry);
    const name = text(item.name);
    const server = text(item.server);
    if (!name || !server || !/^https?:\/\//.test(server)) {
      throw new GeneratorError(
        `${where}[${i}] needs a name and a server URL (as \`argocd cluster list\` shows them)`,
      );
    }
    const labels = stringMap(item.labels);
    const annotations = stringMap(item.annotations);
    return {
      name,
      server,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ...(text(item.project) ? { project: text(item.project) as string } : {}),
    };
  });
}

export interface GeneratedApplication {
  metadata: Params;
  spec: Params;
}

/**
 * The Applications an ApplicationSet generates for the given clusters, or the problems that
 * stop it (as one-line texts); `empty` names git directories paths that match nothing.
 */
export function renderApplicationSet(
  applicationSet: unknown,
  clusters: readonly Cluster[],
  directories: (pattern: string) => string[],
): { applications: GeneratedApplication[]; problems: string[]; empty: string[] } {
  const spec = record(record(applicationSet).spec);
  const goTemplate = spec.goTemplate === true;
  const empty: string[] = [];
  const context: GeneratorContext = {
    goTemplate,
    clusters,
    directories,
    onEmptyPattern: (pattern) => {
      if (!empty.includes(pattern)) empty.push(pattern);
    },
  };
  const applications: GeneratedApplication[] = [];
  const problems: string[] = [];
  for (const [i, generator] of records(spec.generators).entries()) {
    let sets: Params[];
    try {
      sets = generateParams(generator, context);
    } catch (error) {
      if (!(error instanceof GeneratorError)) throw error;
      problems.push(`spec.generators[${i}]: ${error.message}`);
      continue;
    }
    for (const params of sets) {
      const rendered = renderDeep(spec.template, params, goTemplate);
      if (!("value" in rendered)) {
        problems.push(
          "missing" in rendered
            ? `template uses ${rendered.missing}, which the generators do not provide for every Application`
            : `template uses ${rendered.unsupported}, which verify cannot evaluate`,
        );
        continue;
      }
      const template = record(rendered.value);
      applications.push({ metadata: record(template.metadata), spec: record(template.spec) });
    }
  }
  applications.sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  return { applications, problems: [...new Set(problems)], empty };
}

/**
 * kustomize's `replacements` (api/filters/replacement): copy one field of one source
 * resource into fields of selected target resources.
 */

import { syncAliases } from "../aliases.ts";
import { type KubernetesObject, KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import {
  type CreateKind,
  FieldPathError,
  isMap,
  lookupPath,
  matchPath,
  type Slot,
  scalarText,
  settleUntagged,
  smarterSplitPath,
  Untagged,
} from "../dot-path.ts";
import { setOwn } from "../own.ts";
import {
  matchesLabelSelector,
  matchesSelector,
  type ResId,
  resIdString,
  resIdsOf,
} from "../patches/selector.ts";
import type { Resource } from "../resource.ts";
import { parseYamlStream } from "../yaml/parse.ts";
import { plainValue } from "../yaml/resolve.ts";

// biome-ignore lint/suspicious/noExplicitAny: YAML data is untyped by nature.
type Value = any;

const DEFAULT_FIELD_PATH = "metadata.name";

interface FieldOptions {
  delimiter: string;
  index: number;
  create: boolean;
}

interface Selector extends ResId {
  labelSelector?: string;
  annotationSelector?: string;
}

interface SourceSelector extends ResId {
  fieldPath: string;
  options: FieldOptions;
}

interface TargetSelector {
  select: Selector | undefined;
  reject: Selector[];
  fieldPaths: string[];
  options: FieldOptions;
}

interface Replacement {
  source: SourceSelector | undefined;
  targets: TargetSelector[] | undefined;
}

class ReplacementError extends Error {}

const RESID_KEYS = ["group", "version", "kind", "name", "namespace"];

function checkKeys(value: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ReplacementError(`json: unknown field "${key}"`);
  }
}

function asString(v: unknown, field: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new ReplacementError(`field "${field}" must be a string`);
}

function parseOptions(v: unknown): FieldOptions {
  const options: FieldOptions = { delimiter: "", index: 0, create: false };
  if (v === undefined || v === null) return options;
  if (!isMap(v)) throw new ReplacementError(`"options" must be a map`);
  checkKeys(v, ["delimiter", "index", "create"]);
  options.delimiter = asString(v.delimiter, "delimiter");
  if (v.index !== undefined && v.index !== null) {
    if (typeof v.index !== "number" || !Number.isInteger(v.index)) {
      throw new ReplacementError(`"options.index" must be an integer`);
    }
    options.index = v.index;
  }
  if (v.create !== undefined && v.create !== null) {
    if (typeof v.create !== "boolean")
      throw new ReplacementError(`"options.create" must be a boolean`);
    options.create = v.create;
  }
  return options;
}

function parseResId(v: Record<string, unknown>): ResId {
  return {
    group: asString(v.group, "group"),
    version: asString(v.version, "version"),
    kind: asString(v.kind, "kind"),
    name: asString(v.name, "name"),
    namespace: asString(v.namespace, "namespace"),
  };
}

function parseSelector(v: unknown, what: string): Selector {
  if (!isMap(v)) throw new ReplacementError(`"${what}" must be a map`);
  checkKeys(v, [...RESID_KEYS, "labelSelector", "annotationSelector"]);
  return {
    ...parseResId(v),
    labelSelector: asString(v.labelSelector, "labelSelector"),
    annotationSelector: asString(v.annotationSelector, "annotationSelector"),
  };
}

function parseReplacement(v: unknown): Replacement {
  if (!isMap(v))
    throw new ReplacementError("each replacement must be a map with source and targets");
  if ("path" in v) {
    throw new ReplacementError(
      `replacement files ("path: ${String(v.path)}") must be loaded before replacements are applied`,
    );
  }
  checkKeys(v, ["source", "targets"]);
  let source: SourceSelector | undefined;
  if (v.source !== undefined && v.source !== null) {
    if (!isMap(v.source)) throw new ReplacementError(`"source" must be a map`);
    checkKeys(v.source, [...RESID_KEYS, "fieldPath", "options"]);
    source = {
      ...parseResId(v.source),
      fieldPath: asString(v.source.fieldPath, "fieldPath"),
      options: parseOptions(v.source.options),
    };
  }
  let targets: TargetSelector[] | undefined;
  if (v.targets !== undefined && v.targets !== null) {
    if (!Array.isArray(v.targets)) throw new ReplacementError(`"targets" must be a list`);
    targets = v.targets.map((t) => {
      if (!isMap(t)) throw new ReplacementError("each target must be a map");
      checkKeys(t, ["select", "reject", "fieldPaths", "options"]);
      const reject = t.reject ?? [];
      if (!Array.isArray(reject)) throw new ReplacementError(`"reject" must be a list`);
      const fieldPaths = t.fieldPaths ?? [];
      if (!Array.isArray(fieldPaths)) throw new ReplacementError(`"fieldPaths" must be a list`);
      return {
        select:
          t.select === undefined || t.select === null
            ? undefined
            : parseSelector(t.select, "select"),
        reject: reject.map((r) => parseSelector(r, "reject")),
        fieldPaths: fieldPaths.map((p) => asString(p, "fieldPaths")),
        options: parseOptions(t.options),
      };
    });
  }
  return { source, targets };
}

function sourceString(s: SourceSelector): string {
  const id = resIdString(s);
  return s.fieldPath === "" ? id : `${id}:${s.fieldPath}`;
}

/** kyaml's IsNilOrEmpty: missing, null, {} or []. */
function isNilOrEmpty(v: Value): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/** Earlier ids of a resource (before prefixes, suffixes, namespace or kind changes). */
export interface PreviousId {
  kind: string;
  name: string;
  namespace: string;
}
type PreviousIds = (obj: KubernetesObject, index: number) => readonly PreviousId[];

function idsOf(obj: KubernetesObject, index: number, previous: PreviousIds | undefined): ResId[] {
  const ids = resIdsOf(obj);
  if (previous === undefined) return ids;
  const { group, version } = ids[0]!;
  for (const p of previous(obj, index)) ids.push({ group, version, ...p });
  return ids;
}

function selectSource(
  objects: KubernetesObject[],
  selector: SourceSelector,
  previous: PreviousIds | undefined,
): KubernetesObject {
  let match: KubernetesObject | undefined;
  for (const [i, obj] of objects.entries()) {
    if (!idsOf(obj, i, previous).some((id) => matchesSelector(id, selector))) continue;
    if (match !== undefined) {
      throw new ReplacementError(`multiple matches for selector ${sourceString(selector)}`);
    }
    match = obj;
  }
  if (match === undefined)
    throw new ReplacementError(`nothing selected by ${sourceString(selector)}`);
  return match;
}

function getReplacement(
  objects: KubernetesObject[],
  source: SourceSelector,
  previous: PreviousIds | undefined,
): Value {
  const obj = selectSource(objects, source, previous);
  const fieldPath = source.fieldPath === "" ? DEFAULT_FIELD_PATH : source.fieldPath;
  let value: Value;
  try {
    value = lookupPath(obj, smarterSplitPath(fieldPath));
  } catch (err) {
    if (err instanceof FieldPathError) {
      throw new ReplacementError(`error looking up replacement source: ${err.message}`);
    }
    throw err;
  }
  if (isNilOrEmpty(value)) {
    throw new ReplacementError(
      `fieldPath \`${fieldPath}\` is missing for replacement source ${resIdString(source)}`,
    );
  }
  const { delimiter, index } = source.options;
  if (delimiter === "") return value;
  if (isMap(value) || Array.isArray(value)) {
    throw new ReplacementError("delimiter option can only be used with scalar nodes");
  }
  const parts = scalarText(value).split(delimiter);
  if (index >= parts.length || index < 0) {
    throw new ReplacementError(
      `options.index ${index} is out of bounds for value ${scalarText(value)}`,
    );
  }
  // The piece keeps the source field's YAML type, as kyaml copies the node.
  return typeof value === "string" ? parts[index] : retype(value, parts[index]!);
}

function kindOfValue(v: Value): CreateKind {
  if (Array.isArray(v)) return "seq";
  if (isMap(v)) return "map";
  return "scalar";
}

function yamlTag(v: Value): string {
  if (v === null) return "!!null";
  if (typeof v === "boolean") return "!!bool";
  if (typeof v === "number") return Number.isInteger(v) ? "!!int" : "!!float";
  return "!!str";
}

/**
 * `text` given the YAML type of `like`: kyaml keeps a scalar's tag and changes only its
 * text, so the result must still read as that type (an int field takes "5", not "abc").
 */
function retype(like: Value, text: string): Value {
  if (like instanceof Untagged) return new Untagged(text);
  if (typeof like === "string") return text;
  const resolved = plainValue(text, "v3");
  const fits =
    like === null
      ? resolved === null
      : typeof like === "number"
        ? typeof resolved === "number" &&
          (Number.isInteger(like)
            ? Number.isInteger(resolved) || /[.eE]/.test(text) === false
            : true)
        : typeof resolved === typeof like;
  if (!fits) {
    throw new ReplacementError(
      `map[string]interface {}(nil): yaml: cannot decode ${yamlTag(resolved)} \`${text}\` as a ${yamlTag(like)}`,
    );
  }
  return resolved;
}

function setFieldValue(options: FieldOptions, slot: Slot, value: Value): void {
  const parent = slot.parent as Value;
  const current = parent[slot.key];
  let next: Value = structuredClone(value);
  const scalarTarget = current instanceof Untagged || (!isMap(current) && !Array.isArray(current));
  if (options.delimiter !== "") {
    if (!scalarTarget) {
      throw new ReplacementError("delimiter option can only be used with scalar nodes");
    }
    const tv = (current instanceof Untagged ? current.text : scalarText(current)).split(
      options.delimiter,
    );
    const v = isMap(next) || Array.isArray(next) ? "" : scalarText(next);
    if (options.index < 0) tv.unshift(v);
    else if (options.index >= tv.length) tv.push(v);
    else tv[options.index] = v;
    next =
      typeof next === "string"
        ? tv.join(options.delimiter)
        : plainValue(tv.join(options.delimiter), "v3");
  }
  if (scalarTarget) {
    // A scalar target keeps its type and takes only the text.
    setOwn(
      parent,
      slot.key,
      retype(current, isMap(next) || Array.isArray(next) ? "" : scalarText(next)),
    );
    return;
  }
  setOwn(parent, slot.key, next);
}

function fieldRetrievalError(fieldPath: string, create: boolean): string {
  return create
    ? `unable to find or create field "${fieldPath}" in replacement target`
    : `unable to find field "${fieldPath}" in replacement target`;
}

function copyValueToTarget(target: KubernetesObject, value: Value, selector: TargetSelector): void {
  const create: CreateKind = selector.options.create ? kindOfValue(value) : undefined;
  for (const fp of selector.fieldPaths) {
    let slots: Slot[];
    try {
      // kustomize accepts one leading dot (".spec.replicas"), as kubebuilder writes them.
      slots = matchPath(target, smarterSplitPath(fp.startsWith(".") ? fp.slice(1) : fp), create);
    } catch (err) {
      if (err instanceof FieldPathError) {
        throw new ReplacementError(
          `${fieldRetrievalError(fp, create !== undefined)}: ${err.message}`,
        );
      }
      throw err;
    }
    if (slots.length === 0)
      throw new ReplacementError(fieldRetrievalError(fp, create !== undefined));
    for (const slot of slots) setFieldValue(selector.options, slot, value);
  }
}

function applyToTargets(
  objects: KubernetesObject[],
  value: Value,
  targets: TargetSelector[],
  previous: PreviousIds | undefined,
): void {
  for (const selector of targets) {
    const select = selector.select;
    if (select === undefined) throw new ReplacementError("target must specify resources to select");
    const fieldPaths =
      selector.fieldPaths.length === 0 ? [DEFAULT_FIELD_PATH] : selector.fieldPaths;
    const withPaths = { ...selector, fieldPaths };
    for (const [i, obj] of objects.entries()) {
      if (!matchesLabelsAndAnnotations(obj, select, selector.reject)) continue;
      const ids = idsOf(obj, i, previous);
      // As kustomize: a reject matching any of the resource's ids (old names too) wins.
      const chosen =
        ids.some((id) => matchesSelector(id, select)) &&
        !selector.reject.some((r) => !isEmptyResId(r) && ids.some((id) => matchesSelector(id, r)));
      if (chosen) {
        copyValueToTarget(obj, value, withPaths);
        settleUntagged(obj);
      }
    }
  }
}

function isEmptyResId(id: ResId): boolean {
  return (
    id.group === "" && id.version === "" && id.kind === "" && id.name === "" && id.namespace === ""
  );
}

function matchesLabelsAndAnnotations(
  obj: KubernetesObject,
  select: Selector,
  reject: Selector[],
): boolean {
  if (!matchesMetaSelectors(obj, select)) return false;
  for (const r of reject) {
    if (!r.annotationSelector && !r.labelSelector) continue;
    if (matchesMetaSelectors(obj, r)) return false;
  }
  return true;
}

function matchesMetaSelectors(obj: KubernetesObject, s: Selector): boolean {
  try {
    return (
      matchesLabelSelector(obj.metadata?.annotations, s.annotationSelector ?? "") &&
      matchesLabelSelector(obj.metadata?.labels, s.labelSelector ?? "")
    );
  } catch (err) {
    throw new ReplacementError((err as Error).message);
  }
}

/**
 * Applies kustomize `replacements` to `objects`, in place and in order. `source` names the
 * kustomization (or replacement file) in errors. `previousIds` gives the ids a resource had
 * before renames in this build, which selectors also match (as kustomize's do).
 */
export function applyReplacements(
  objects: KubernetesObject[],
  replacements: unknown[],
  source: string,
  previousIds?: PreviousIds,
): void {
  replacements.forEach((raw, i) => {
    try {
      const r = parseReplacement(raw);
      if (r.source === undefined || r.targets === undefined) {
        throw new ReplacementError("replacements must specify a source and at least one target");
      }
      const value = getReplacement(objects, r.source, previousIds);
      applyToTargets(objects, value, r.targets, previousIds);
    } catch (err) {
      if (err instanceof ReplacementError) {
        throw new KustomizeError(err.message, { file: source, key: `replacements[${i}]` });
      }
      throw err;
    }
  });
}

export interface ReplacementConfig {
  /** Replacement entries, or `{path: file}` entries naming files of them. */
  replacements: readonly unknown[];
}

/** `replacements` of a kustomization or a ReplacementTransformer config. */
export const replacementTransformer: Transformer<ReplacementConfig> = (list, ctx, config) => {
  const { ldr, where } = ctx;
  const entries: unknown[] = [];
  config.replacements.forEach((entry, i) => {
    const path = (entry as { path?: unknown } | null)?.path;
    if (typeof path !== "string") {
      entries.push(entry);
      return;
    }
    const text = ldr.readFile(path, { file: where.file, key: `replacements[${i}]` });
    // A replacement file holds entries (a list of them per document, or one), not resources.
    for (const doc of parseYamlStream(text, ldr.display(ldr.abs(path)))) {
      if (Array.isArray(doc)) entries.push(...doc);
      else entries.push(doc);
    }
  });
  const objects = list.map((r) => r.obj);
  applyReplacements(objects, entries, where.file, (_obj, i) => (list[i] as Resource).prevIds);
  objects.forEach((obj, i) => {
    const r = list[i] as Resource;
    r.obj = obj;
    syncAliases(obj, r.aliases);
  });
};

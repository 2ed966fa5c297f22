/**
 * Strategic merge of plain YAML data, following kyaml's merge2 walker (the engine of
 * kustomize 5.5's patchesStrategicMerge) step by step, including its quirks: patch elements
 * of merged lists come first, elements lacking the merge key disturb the list, `$patch`
 * directives are only honoured where kyaml looks for them, `$setElementOrder`,
 * `$retainKeys` and `$deleteFromPrimitiveList` are not interpreted.
 *
 * Values are mutated in place: callers pass copies.
 */
import { stringify } from "yaml";
import { hasMergeStrategy, patchStrategyAndKeys, type Schema, type SchemaNode } from "./schema.ts";

// biome-ignore lint/suspicious/noExplicitAny: YAML data is untyped by nature.
type Value = any;
type Map = Record<string, Value>;

/** A field whose null value was kept from the target (kyaml returns an untagged "null"). */
const KEPT_NULL = Symbol("kept-null");

export class MergeError extends Error {
  override readonly name = "MergeError";
}

const DIRECTIVE = "$patch";
type Directive = "merge" | "replace" | "delete";

function isMap(v: Value): v is Map {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
function isMissingOrNull(v: Value): boolean {
  return v === undefined || v === null;
}
function isEmptyMap(v: Value): boolean {
  return isMap(v) && Object.keys(v).length === 0;
}

type NodeKind = "map" | "seq" | "scalar";
function kindOf(v: Value): NodeKind {
  if (Array.isArray(v)) return "seq";
  if (isMap(v)) return "map";
  return "scalar";
}
const KIND_NAMES: Record<NodeKind, string> = {
  map: "MappingNode",
  seq: "SequenceNode",
  scalar: "ScalarNode",
};

/**
 * The text kyaml compares nodes by (yaml.Node.Value): "" for maps and lists, "null" for an
 * explicit null.
 */
export function scalarText(v: Value): string {
  if (v === undefined) return "";
  if (v === null) return "null";
  if (typeof v === "object") return "";
  return String(v);
}

/** kustomize's message for a patch whose node kind differs from the target's. */
function wrongKind(expected: NodeKind, node: Value): MergeError {
  return new MergeError(
    `wrong node kind: expected ${KIND_NAMES[expected]} but got ${KIND_NAMES[kindOf(node)]}: node contents:\n${stringify(node).trimEnd()}`,
  );
}

function errorIfAnyInvalid(kind: NodeKind, sources: Value[]): void {
  for (const s of sources) {
    if (isMissingOrNull(s)) continue;
    const k = kindOf(s);
    if (k !== kind) {
      throw wrongKind(kind, s);
    }
  }
}

function sequenceDirective(patch: Value[]): Directive {
  const holder = patch.find((e) => isMap(e) && DIRECTIVE in e);
  if (holder === undefined || Object.keys(holder).length !== 1) return "merge";
  const v = scalarText(holder[DIRECTIVE]);
  if (v === "delete" || v === "replace" || v === "merge") {
    // kyaml's ElementSetter also drops null and empty elements while eliding.
    const kept = patch.filter(
      (e) =>
        !isMissingOrNull(e) &&
        !isEmptyMap(e) &&
        !(isMap(e) && DIRECTIVE in e && scalarText(e[DIRECTIVE]) === v),
    );
    patch.splice(0, patch.length, ...kept);
    return v;
  }
  throw new MergeError(`unknown patch strategy '${v}'`);
}

/** kyaml's determineSmpDirective: reads and removes the `$patch` directive of a patch node. */
function determineDirective(patch: Value): Directive {
  if (patch === undefined) return "merge";
  if (Array.isArray(patch)) return sequenceDirective(patch);
  if (isMap(patch)) {
    if (!(DIRECTIVE in patch)) return "merge";
    const v = scalarText(patch[DIRECTIVE]);
    if (v === "delete" || v === "replace" || v === "merge") {
      delete patch[DIRECTIVE];
      return v;
    }
    throw new MergeError(`unknown patch strategy '${v}'`);
  }
  throw new MergeError(
    `no implemented strategic merge patch strategy for '${JSON.stringify(patch)}'`,
  );
}

function tryDirective(patch: Value): Directive | undefined {
  try {
    return determineDirective(patch);
  } catch {
    return undefined;
  }
}

/** sources[0] is the target (dest), sources[1] the patch (origin). */
type Sources = [Value, Value];

/** Merges `sources` (target, patch) under `schema`; `tables` resolves the types. */
export function walk(sources: Sources, schema: SchemaNode | undefined, tables: Schema): Value {
  const s = schemaOf(sources, schema, tables);
  const first = sources.find((x) => !isMissingOrNull(x));
  if (first === undefined) return walkMap(sources, s, tables);
  const kind = kindOf(first);
  errorIfAnyInvalid(kind, sources);
  if (kind === "map") return walkMap(sources, s, tables);
  if (kind === "seq") {
    if (s !== undefined && hasMergeStrategy(s)) return walkAssociativeSequence(sources, s, tables);
    // Lists without a merge strategy are replaced by the patch's.
    return sources[1] !== undefined ? sources[1] : sources[0];
  }
  return sources[1] !== undefined ? sources[1] : sources[0];
}

/** kyaml's Walker.GetSchema: the inherited schema, else the one named by apiVersion/kind. */
function schemaOf(
  sources: Sources,
  schema: SchemaNode | undefined,
  tables: Schema,
): SchemaNode | undefined {
  if (schema !== undefined) return schema;
  for (const src of sources) {
    if (!isMap(src)) continue;
    const found = tables.forType(src.apiVersion, src.kind);
    if (found !== undefined) return found;
  }
  return undefined;
}

function visitMap(sources: Sources): Value {
  const [dest, origin] = sources;
  if (isMissingOrNull(dest)) {
    if (tryDirective(origin) === "delete") return undefined;
    if (origin === undefined && dest === null) return KEPT_NULL;
    return origin;
  }
  if (origin === null) return undefined;
  const directive = determineDirective(origin);
  if (directive === "delete") return undefined;
  if (directive === "replace") return origin;
  return dest;
}

function walkMap(sources: Sources, schema: SchemaNode | undefined, tables: Schema): Value {
  const dest = visitMap(sources);
  if (dest === undefined) return undefined;
  sources[0] = dest;
  const names = new Set<string>();
  for (const src of sources) if (isMap(src)) for (const k of Object.keys(src)) names.add(k);
  for (const key of [...names].sort()) {
    const fieldSources: Sources = [
      isMap(sources[0]) && Object.hasOwn(sources[0], key) ? sources[0][key] : undefined,
      isMap(sources[1]) && Object.hasOwn(sources[1], key) ? sources[1][key] : undefined,
    ];
    const val = walk(fieldSources, tables.field(schema, key), tables);
    if (!isMap(dest)) continue;
    if (isMissingOrNull(val)) delete dest[key];
    else setField(dest, key, val === KEPT_NULL ? null : val);
  }
  return dest;
}

/** Sets an own property, even one named like an Object.prototype member. */
function setField(map: Map, key: string, val: Value): void {
  Object.defineProperty(map, key, {
    value: val,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function visitAssociativeList(sources: Sources): Value {
  const [dest, origin] = sources;
  if (isMissingOrNull(dest)) return origin;
  if (origin === null) return undefined;
  const directive = determineDirective(origin);
  if (directive === "delete") return undefined;
  if (directive === "replace") return origin;
  return dest;
}

/** kyaml's ElementValuesList: per element, the text of each key ("" when absent or empty). */
function elementKeyValues(list: Value, keys: string[]): string[][] {
  if (!Array.isArray(list)) return [];
  return list.map((elem) =>
    keys.map((key) => {
      if (!isMap(elem) || !Object.hasOwn(elem, key)) return "";
      const v = elem[key];
      if (v === null || v === undefined) return "";
      if (typeof v === "object") return "";
      return String(v);
    }),
  );
}

function sameTuple(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Key tuples of all elements, patch first (kustomize merges with "prepend"). */
function elementValues(sources: Sources, keys: string[]): string[][] {
  const out: string[][] = [];
  for (const src of [sources[1], sources[0]]) {
    if (src === undefined) continue;
    for (const tuple of elementKeyValues(src, keys)) {
      if (tuple.length === 0 || out.some((t) => sameTuple(t, tuple))) continue;
      out.push(tuple);
    }
  }
  return out;
}

/**
 * kyaml's validateKeys: the keys that have a value in some element of `valuesList` (all keys
 * when none has), and this element's values for them.
 */
function validateKeys(
  valuesList: string[][],
  values: string[],
  keys: string[],
): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of valuesList) {
    vs.forEach((v, i) => {
      if (v !== "") valid.add(keys[i]!);
    });
  }
  if (valid.size === 0) return [keys, values];
  return [
    keys.filter((k) => valid.has(k)),
    values.filter((v, i) => v !== "" || valid.has(keys[i]!)),
  ];
}

/**
 * kyaml's match: two key tuples are the same element when they share a value and differ
 * only where one of them is empty; the result fills the empty places.
 */
function matchTuples(a: string[], b: string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const res: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) {
      common = true;
      res.push(a[i]!);
      continue;
    }
    if (a[i] !== "" && b[i] !== "") return undefined;
    res.push(a[i] !== "" ? a[i]! : b[i]!);
  }
  return common ? res : undefined;
}

/** kyaml's mergeValues, for lists with several merge keys (ports: containerPort+protocol). */
function mergeValues(valuesList: string[][]): void {
  for (let i = 0; i < valuesList.length; i++) {
    const a = valuesList[i]!;
    for (let j = 0; j < valuesList.length; j++) {
      const res = matchTuples(a, valuesList[j]!);
      if (res !== undefined) {
        valuesList[i] = res;
        valuesList[j] = res;
      }
    }
  }
}

/** kyaml's ElementMatcher: the first map element whose fields have exactly these texts. */
function findElement(list: Value, keys: string[], values: string[]): Value {
  if (!Array.isArray(list)) return undefined;
  if (keys.length === 0 || keys[0] === "") {
    return list.find((elem) => scalarText(elem) === (values[0] ?? ""));
  }
  return list.find(
    (elem) =>
      isMap(elem) &&
      keys.every(
        (key, i) => Object.hasOwn(elem, key) && scalarTextOfField(elem[key]) === values[i],
      ),
  );
}
function scalarTextOfField(v: Value): string {
  return scalarText(v);
}

/**
 * kyaml's ElementSetter on a list of maps, in place. Matching uses kyaml's FieldMatcher, for
 * which an empty value matches any element that has the field at all.
 */
function setElement(list: Value[], element: Value, keys: string[], values: string[]): void {
  const mappingSetter = keys.length > 0 && keys[0] !== "" && values.length > 0 && values[0] !== "";
  const next: Value[] = [];
  let found = false;
  for (const elem of list) {
    if (isMissingOrNull(elem) || isEmptyMap(elem)) continue;
    if (!isMap(elem) && mappingSetter) {
      next.push(elem);
      continue;
    }
    let matches = true;
    let last: boolean | undefined;
    for (let j = 0; j < keys.length; j++) {
      if (j < values.length) last = fieldMatches(elem, keys[j]!, values[j]!);
      if (!last) {
        matches = false;
        break;
      }
    }
    if (!matches) {
      if (values.length > 0) next.push(elem);
      continue;
    }
    found = true;
    if (element === undefined) continue;
    next.push(element);
  }
  list.splice(0, list.length, ...next);
  if (isMissingOrNull(element)) return;
  if (!found) list.push(element);
}

/** kyaml's FieldMatcher{Name, StringValue}; an empty name matches a scalar element by text. */
function fieldMatches(elem: Value, key: string, value: string): boolean {
  if (isMissingOrNull(elem)) return false;
  if (key === "") {
    if (kindOf(elem) !== "scalar") {
      throw wrongKind("scalar", elem);
    }
    return scalarText(elem) === value;
  }
  if (!isMap(elem)) {
    throw wrongKind("map", elem);
  }
  if (!Object.hasOwn(elem, key)) return false;
  return value === "" || scalarText(elem[key]) === value;
}

/** kyaml's appendListNode: merges src into dst (mutating dst) and returns dst. */
function appendListNode(dst: Value[], src: Value[], keys: string[]): Value[] {
  for (const elem of [...src]) {
    if (keys[0] === "") {
      setElement(dst, elem, [""], [scalarText(elem)]);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      if (!isMap(elem)) {
        throw wrongKind("map", elem);
      }
      if (!Object.hasOwn(elem, key)) {
        // kyaml appends an element lacking a key, then still sets it below.
        dst.push(elem);
        continue;
      }
      values.push(scalarText(elem[key]));
    }
    // With several keys kyaml first removes the matches, to avoid duplicates.
    if (keys.length > 1) setElement(dst, undefined, keys, values);
    setElement(dst, elem, keys, values);
  }
  return dst;
}

function walkAssociativeSequence(
  sources: Sources,
  schema: SchemaNode | undefined,
  tables: Schema,
): Value {
  const dest = visitAssociativeList(sources);
  if (dest === undefined || dest === null) return undefined;
  sources[0] = dest;
  const [, keys] = patchStrategyAndKeys(schema);
  const values = elementValues(sources, keys);
  if (values.length !== 0 || keys.length > 0) {
    return setAssociativeElements(sources, values, keys, dest, tables.element(schema), tables);
  }
  // A list of scalars merged as a set (finalizers).
  const primitives = primitiveValues(sources).map((v) => [v]);
  return setAssociativeElements(sources, primitives, [""], dest, tables.element(schema), tables);
}

function setAssociativeElements(
  sources: Sources,
  valuesList: string[][],
  keys: string[],
  dest: Value[],
  schema: SchemaNode | undefined,
  tables: Schema,
): Value {
  const toAdd: Value[] = [];
  if (keys.length > 1) mergeValues(valuesList);
  let validKeys: string[] = keys;
  let validValues: string[];
  for (const values of valuesList) {
    if (values.length === 0) continue;
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const [lookupKeys, lookupValues] = validateKeys([validValues], validValues, validKeys);
    const val = walk(
      [
        findElement(sources[0], lookupKeys, lookupValues),
        findElement(sources[1], lookupKeys, lookupValues),
      ],
      schema,
      tables,
    );
    let exit = false;
    for (let i = 0; i < validKeys.length; i++) {
      const key = validKeys[i]!;
      if (isMissingOrNull(val) || val === KEPT_NULL || isEmptyMap(val)) {
        if (Array.isArray(dest)) setElement(dest, undefined, validKeys, validValues);
        exit = true;
      } else if (isMap(val) && !Object.hasOwn(val, key) && validValues[i] !== "") {
        val[key] = resolveKeyValue(validValues[i]!);
      }
    }
    if (exit) continue;
    setElement(toAdd, val, validKeys, validValues);
  }
  if (valuesList.length === 0) return dest;
  return appendListNode(toAdd, Array.isArray(dest) ? dest : [], validKeys);
}

/** A merge key kyaml writes back is an untagged scalar: numbers stay numbers. */
function resolveKeyValue(text: string): Value {
  return /^-?(0|[1-9][0-9]*)$/.test(text) ? Number(text) : text;
}

function primitiveValues(sources: Sources): string[] {
  const out: string[] = [];
  for (const src of [sources[1], sources[0]]) {
    if (!Array.isArray(src)) continue;
    for (const item of src) {
      const text = scalarText(item);
      if (!out.includes(text)) out.push(text);
    }
  }
  return out;
}

export { KEPT_NULL };

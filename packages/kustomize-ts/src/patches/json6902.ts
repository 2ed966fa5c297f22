/**
 * JSON patches (RFC 6902) as kustomize 5.5 applies them: through evanphx/json-patch v4, whose
 * behaviour differs from the RFC in places users rely on (replace of a missing object key
 * adds it, negative array indexes count from the end, a missing "value" means null), with
 * that library's error messages.
 */

import { type KubernetesObject, KustomizeError } from "../api.ts";
import { setOwn } from "../own.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON data is untyped by nature.
type Json = any;
type Container = { kind: "doc"; doc: Record<string, Json> } | { kind: "ary"; ary: Json[] };

class PatchError extends Error {}

const MISSING = "missing value";
const INVALID_INDEX = "invalid index referenced";
const TEST_FAILED = "test failed";

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function decodeKey(part: string): string {
  return part.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Go's strconv.Atoi, with its error text. */
function atoi(key: string): number {
  if (/^[+-]?\d+$/.test(key)) {
    const n = Number.parseInt(key, 10);
    if (Number.isSafeInteger(n)) return n;
    throw new PatchError(`strconv.Atoi: parsing "${key}": value out of range`);
  }
  throw new PatchError(`strconv.Atoi: parsing "${key}": invalid syntax`);
}

function containerOf(v: Json): Container | undefined {
  if (Array.isArray(v)) return { kind: "ary", ary: v };
  if (isObject(v)) return { kind: "doc", doc: v };
  return undefined;
}

/** Resolves a JSON pointer to the container of its last token. */
function findObject(root: Container, path: string): [Container, string] | undefined {
  const split = path.split("/");
  if (split.length < 2) return undefined;
  let doc = root;
  for (const part of split.slice(1, -1)) {
    let next: Json;
    try {
      next = get(doc, decodeKey(part));
    } catch {
      return undefined;
    }
    const c = next === null || next === undefined ? undefined : containerOf(next);
    if (c === undefined) return undefined;
    doc = c;
  }
  return [doc, decodeKey(split[split.length - 1]!)];
}

function invalidIndex(idx: number): PatchError {
  return new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
}

function get(c: Container, key: string): Json {
  if (c.kind === "doc") return Object.hasOwn(c.doc, key) ? c.doc[key] : undefined;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.ary.length) throw invalidIndex(idx);
    idx += c.ary.length;
  }
  if (idx >= c.ary.length) throw invalidIndex(idx);
  return c.ary[idx];
}

function set(c: Container, key: string, val: Json): void {
  if (c.kind === "doc") {
    setOwn(c.doc, key, val);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.ary.length) throw invalidIndex(idx);
    idx += c.ary.length;
  }
  if (idx >= c.ary.length) throw invalidIndex(idx);
  c.ary[idx] = val;
}

function add(c: Container, key: string, val: Json): void {
  if (c.kind === "doc") {
    setOwn(c.doc, key, val);
    return;
  }
  if (key === "-") {
    c.ary.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (err) {
    throw new PatchError(`value was not a proper array index: '${key}': ${(err as Error).message}`);
  }
  const size = c.ary.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  c.ary.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (c.kind === "doc") {
    if (!Object.hasOwn(c.doc, key)) {
      throw new PatchError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    }
    delete c.doc[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.ary.length) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -c.ary.length) throw invalidIndex(idx);
    idx += c.ary.length;
  }
  c.ary.splice(idx, 1);
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) {
    return (a ?? null) === (b ?? null);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

type Operation = Record<string, Json>;

function opPath(op: Operation, field: "path" | "from", what: string): string {
  const v = op[field];
  if (v === undefined || v === null) {
    throw new PatchError(`${what}: ${MISSING}`);
  }
  if (typeof v !== "string") {
    throw new PatchError(
      `${what}: json: cannot unmarshal ${jsonType(v)} into Go value of type string`,
    );
  }
  return v;
}

function jsonType(v: Json): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v;
}

function value(op: Operation): Json {
  return op.value === undefined ? null : structuredClone(op.value);
}

function apply(doc: { root: Json }, op: Operation): void {
  const kind = typeof op.op === "string" ? op.op : op.op === undefined ? "unknown" : String(op.op);
  const root = (): Container => {
    const c = containerOf(doc.root);
    if (c === undefined) throw new PatchError("the document is not an object or array");
    return c;
  };
  switch (kind) {
    case "add": {
      const path = opPath(op, "path", "add operation failed to decode path");
      const found = findObject(root(), path);
      if (!found)
        throw new PatchError(
          `add operation does not apply: doc is missing path: "${path}": ${MISSING}`,
        );
      try {
        add(found[0], found[1], value(op));
      } catch (err) {
        throw new PatchError(`error in add for path: '${path}': ${(err as Error).message}`);
      }
      return;
    }
    case "remove": {
      const path = opPath(op, "path", "remove operation failed to decode path");
      const found = findObject(root(), path);
      if (!found)
        throw new PatchError(
          `remove operation does not apply: doc is missing path: "${path}": ${MISSING}`,
        );
      try {
        remove(found[0], found[1]);
      } catch (err) {
        throw new PatchError(`error in remove for path: '${path}': ${(err as Error).message}`);
      }
      return;
    }
    case "replace": {
      const path = opPath(op, "path", "replace operation failed to decode path");
      if (path === "") {
        const v = value(op);
        if (containerOf(v) === undefined) {
          throw new PatchError("replace operation value must be object or array");
        }
        doc.root = v;
        return;
      }
      const found = findObject(root(), path);
      if (!found)
        throw new PatchError(
          `replace operation does not apply: doc is missing path: ${path}: ${MISSING}`,
        );
      try {
        get(found[0], found[1]);
      } catch {
        throw new PatchError(
          `replace operation does not apply: doc is missing key: ${path}: ${MISSING}`,
        );
      }
      try {
        set(found[0], found[1], value(op));
      } catch (err) {
        throw new PatchError(`error in remove for path: '${path}': ${(err as Error).message}`);
      }
      return;
    }
    case "move": {
      const from = opPath(op, "from", "move operation failed to decode from");
      const src = findObject(root(), from);
      if (!src)
        throw new PatchError(
          `move operation does not apply: doc is missing from path: ${from}: ${MISSING}`,
        );
      let val: Json;
      try {
        val = get(src[0], src[1]);
        remove(src[0], src[1]);
      } catch (err) {
        throw new PatchError(`error in move for path: '${src[1]}': ${(err as Error).message}`);
      }
      const path = opPath(op, "path", "move operation failed to decode path");
      const dst = findObject(root(), path);
      if (!dst)
        throw new PatchError(
          `move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`,
        );
      try {
        add(dst[0], dst[1], val === undefined ? null : val);
      } catch (err) {
        throw new PatchError(`error in move for path: '${path}': ${(err as Error).message}`);
      }
      return;
    }
    case "copy": {
      const from = opPath(op, "from", "copy operation failed to decode from");
      const src = findObject(root(), from);
      if (!src)
        throw new PatchError(
          `copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`,
        );
      let val: Json;
      try {
        val = get(src[0], src[1]);
      } catch (err) {
        throw new PatchError(`error in copy for from: '${from}': ${(err as Error).message}`);
      }
      const path = opPath(op, "path", "copy operation failed to decode path");
      const dst = findObject(root(), path);
      if (!dst)
        throw new PatchError(
          `copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`,
        );
      try {
        add(dst[0], dst[1], val === undefined ? null : structuredClone(val));
      } catch (err) {
        throw new PatchError(`error while adding value during copy: ${(err as Error).message}`);
      }
      return;
    }
    case "test": {
      const path = opPath(op, "path", "test operation failed to decode path");
      if (path === "") {
        if (deepEqual(doc.root, op.value)) return;
        throw new PatchError(`testing value ${path} failed: ${TEST_FAILED}`);
      }
      const found = findObject(root(), path);
      if (!found)
        throw new PatchError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
      let val: Json;
      try {
        val = get(found[0], found[1]);
      } catch (err) {
        throw new PatchError(`error in test for path: '${path}': ${(err as Error).message}`);
      }
      if (deepEqual(val ?? null, op.value ?? null)) return;
      throw new PatchError(`testing value ${path} failed: ${TEST_FAILED}`);
    }
    default:
      throw new PatchError(`Unexpected kind: ${kind}`);
  }
}

function describe(op: unknown): string {
  try {
    return JSON.stringify(op);
  } catch {
    return String(op);
  }
}

/**
 * Applies RFC 6902 operations to a copy of `target` and returns it. `operations` is the parsed
 * patch (a list of operations); `source` names the patch in errors.
 */
export function applyJson6902(
  target: KubernetesObject,
  operations: unknown,
  source: string,
): KubernetesObject {
  if (!Array.isArray(operations)) {
    throw new KustomizeError(
      "a JSON patch must be a list of operations (op, path, value/from); got " +
        (operations === null ? "null" : jsonType(operations)),
      { file: source },
    );
  }
  const doc = { root: structuredClone(target) as Json };
  for (const op of operations) {
    if (!isObject(op)) {
      throw new KustomizeError(
        `JSON patch operation ${describe(op)} is not an object with op and path`,
        { file: source },
      );
    }
    try {
      apply(doc, op);
    } catch (err) {
      if (err instanceof PatchError) {
        throw new KustomizeError(`${err.message} (operation ${describe(op)})`, { file: source });
      }
      throw err;
    }
  }
  if (!isObject(doc.root)) {
    throw new KustomizeError(
      "the JSON patch turned the resource into something other than an object",
      {
        file: source,
      },
    );
  }
  return doc.root as KubernetesObject;
}

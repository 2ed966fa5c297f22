/**
 * Dot-separated kyaml field paths, as replacements use them: `a.b.[name=x].c`, `a.0.b`, `a.*.b`,
 * `metadata.annotations.[example.com/key]`, `a\.b` (an escaped dot).
 *
 * Two lookups exist, as in kyaml: `lookupPath` (PathGetter: exact `[k=v]` matching, used for
 * replacement sources) and `matchPath` (PathMatcher: `[k=v]` is an unanchored regular
 * expression, `*` visits every list element, `create` adds what is missing; used for
 * replacement targets).
 */

import { stringify } from "yaml";
import { setOwn } from "./own.ts";
import { plainValue } from "./yaml/resolve.ts";

// biome-ignore lint/suspicious/noExplicitAny: YAML data is untyped by nature.
type Value = any;

export class FieldPathError extends Error {
  override readonly name = "FieldPathError";
}

/** kyaml's PathSplitter: splits on `delimiter`, a backslash before it escapes it. */
export function splitPath(path: string, delimiter = "."): string[] {
  const parts = path.split(delimiter);
  const out: string[] = [parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const last = out.length - 1;
    if (out[last]!.endsWith("\\")) out[last] = `${out[last]!.slice(0, -1)}${delimiter}${parts[i]}`;
    else out.push(parts[i]!);
  }
  return out;
}

/**
 * kyaml's SmarterPathSplitter: like splitPath, but a bracketed part may contain the
 * delimiter. `[k=v]` keeps its brackets (a list entry); `[a.b]` loses them (a map key).
 */
export function smarterSplitPath(path: string, delimiter = "."): string[] {
  const split = splitPath(path, delimiter);
  const out: string[] = [];
  for (let i = 0; i < split.length; i++) {
    const elem = split[i]!;
    if (elem.startsWith("[") && !elem.endsWith("]")) {
      const bracketed = [elem];
      while (i < split.length - 1) {
        i++;
        bracketed.push(split[i]!);
        if (split[i]!.endsWith("]")) break;
      }
      const joined = bracketed.join(delimiter);
      out.push(joined.includes("=") ? joined : trimBrackets(joined));
    } else {
      out.push(elem);
    }
  }
  return out;
}

function trimBrackets(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s[start] === "[" || s[start] === "]")) start++;
  while (end > start && (s[end - 1] === "[" || s[end - 1] === "]")) end--;
  return s.slice(start, end);
}

export function isMap(v: Value): v is Record<string, Value> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isListIndex(part: string): boolean {
  return part.startsWith("[") && part.endsWith("]");
}

function isIndexNumber(part: string): boolean {
  return /^[+-]?\d+$/.test(part) && Number.parseInt(part, 10) >= 0;
}

function splitIndexNameValue(part: string): [string, string] {
  const inner = part.slice(1, -1);
  const eq = inner.indexOf("=");
  if (eq < 0) {
    throw new FieldPathError(
      `list path element must contain fieldName=fieldValue for element to match: ${part}`,
    );
  }
  return [inner.slice(0, eq), inner.slice(eq + 1)];
}

function kindName(v: Value): string {
  if (Array.isArray(v)) return "SequenceNode";
  if (isMap(v)) return "MappingNode";
  return "ScalarNode";
}

export function wrongKind(expected: string, v: Value): FieldPathError {
  return new FieldPathError(
    `wrong node kind: expected ${expected} but got ${kindName(v)}: node contents:\n${stringify(v).trimEnd()}`,
  );
}

/** The text kyaml compares a scalar by. */
export function scalarText(v: Value): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return "";
  return String(v);
}

/**
 * kyaml's PathGetter without create (yaml.Lookup): returns the value at `path`, or undefined
 * when a part is missing. `[k=v]` matches a list element exactly, a number indexes a list,
 * `-` is the last element.
 */
export function lookupPath(root: Value, path: string[]): Value {
  let match: Value = root;
  const parts = path.map((p) => p.trim()).filter((p) => p !== "");
  for (const part of parts) {
    if (match === null || match === undefined) return undefined;
    if (/^[+-]?\d+$/.test(part) || part === "-") {
      if (!Array.isArray(match)) throw wrongKind("SequenceNode", match);
      const idx = part === "-" ? match.length - 1 : Number.parseInt(part, 10);
      if (idx < 0 && part !== "-")
        throw new FieldPathError(`array index ${idx} cannot be negative`);
      match = idx >= 0 && idx < match.length ? match[idx] : undefined;
    } else if (isListIndex(part)) {
      const [name, value] = splitIndexNameValue(part);
      if (!Array.isArray(match)) throw wrongKind("SequenceNode", match);
      match = match.find((elem) =>
        name === ""
          ? scalarText(elem) === value && !isMap(elem) && !Array.isArray(elem)
          : isMap(elem) && Object.hasOwn(elem, name) && scalarText(elem[name]) === value,
      );
    } else {
      if (!isMap(match)) throw wrongKind("MappingNode", match);
      match = Object.hasOwn(match, part) ? match[part] : undefined;
    }
  }
  return match;
}

/** A place holding a value: `parent[key]`. */
export interface Slot {
  parent: Record<string, Value> | Value[];
  key: string | number;
}

/** What a created leaf should be: a scalar, a map or a list (kyaml's Create kind). */
export type CreateKind = "scalar" | "map" | "seq" | undefined;

function kindFor(next: string | undefined, leaf: CreateKind): CreateKind {
  if (next === undefined || next === "") return leaf;
  if (isListIndex(next) || isIndexNumber(next)) return "seq";
  return "map";
}

function emptyOf(kind: CreateKind): Value {
  if (kind === "seq") return [];
  if (kind === "map") return {};
  return new Untagged("");
}

/**
 * A scalar created by a replacement path: it has no YAML type of its own, so the text it
 * ends up with decides it (a created field set to "5" prints as the number 5).
 */
export class Untagged {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Turns the untyped scalars left by `matchPath` into plain values. */
export function settleUntagged(v: Value): Value {
  if (v instanceof Untagged) return plainValue(v.text, "v3");
  if (Array.isArray(v)) {
    v.forEach((e, i) => {
      v[i] = settleUntagged(e);
    });
  } else if (isMap(v)) {
    for (const [k, e] of Object.entries(v)) v[k] = settleUntagged(e);
  }
  return v;
}

/** The text kyaml matches `[k=regex]` against: the value's YAML form. */
function matchText(v: Value): string {
  if (v instanceof Untagged) return v.text;
  if (v === null) return "null";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new FieldPathError(`error parsing regexp: ${(err as Error).message}`);
  }
}

/**
 * kyaml's PathMatcher: every slot matching `path` under `slot`'s value, creating missing
 * parts when `create` is set.
 */
export function matchPath(root: Value, path: string[], create: CreateKind): Slot[] {
  const holder = { root };
  return matchIn({ parent: holder, key: "root" }, path, create);
}

function valueAt(slot: Slot): Value {
  return (slot.parent as Value)[slot.key];
}

function matchIn(slot: Slot, path: string[], create: CreateKind): Slot[] {
  if (path.length === 0) return [slot];
  const [part, ...rest] = path as [string, ...string[]];
  const rn = valueAt(slot);
  if (isIndexNumber(part)) {
    if (!Array.isArray(rn)) throw wrongKind("SequenceNode", rn);
    const idx = Number.parseInt(part, 10);
    if (rn.length === idx && create !== undefined) rn.push(emptyOf(kindFor(rest[0], create)));
    if (rn.length < idx + 1) {
      throw new FieldPathError(`index ${idx} specified but only ${rn.length} elements found`);
    }
    return matchIn({ parent: rn, key: idx }, rest, create);
  }
  if (isListIndex(part)) return matchSeq(rn, part, rest, create);
  if (part === "") {
    // kyaml's Get(""): matches a scalar whose text is empty, refuses maps and lists.
    if (rn === null || rn === undefined) return [];
    if (isMap(rn) || Array.isArray(rn)) throw wrongKind("ScalarNode", rn);
    return scalarText(rn) === "" ? matchIn(slot, rest, create) : [];
  }
  if (part === "*") {
    if (rn === null || rn === undefined) return [];
    if (!Array.isArray(rn)) throw wrongKind("SequenceNode", rn);
    return rn.flatMap((_, i) => matchIn({ parent: rn, key: i }, rest, create));
  }
  if (rn === null || rn === undefined) {
    if (create === undefined) return [];
    // kyaml would append to a null node; an empty map is what such a path means.
    const created: Record<string, Value> = {};
    setOwn(slot.parent as object, slot.key, created);
    return matchField(created, part, rest, create);
  }
  if (!isMap(rn)) throw wrongKind("MappingNode", rn);
  return matchField(rn, part, rest, create);
}

function matchField(
  rn: Record<string, Value>,
  part: string,
  rest: string[],
  create: CreateKind,
): Slot[] {
  if (!Object.hasOwn(rn, part)) {
    if (create === undefined) return [];
    setOwn(rn, part, emptyOf(kindFor(rest[0], create)));
  }
  return matchIn({ parent: rn, key: part }, rest, create);
}

function matchSeq(
  rn: Value,
  part: string,
  rest: string[],
  create: CreateKind,
  retried = false,
): Slot[] {
  const [field, pattern] = splitIndexNameValue(part);
  const regex = compile(pattern);
  if (rn !== null && rn !== undefined && !Array.isArray(rn)) throw wrongKind("SequenceNode", rn);
  const list: Value[] = Array.isArray(rn) ? rn : [];
  const found: Slot[] = [];
  list.forEach((elem, i) => {
    if (field === "") {
      if (regex.test(matchText(elem))) found.push({ parent: list, key: i });
      return;
    }
    if (!isMap(elem) || !Object.hasOwn(elem, field)) return;
    if (!regex.test(matchText(elem[field]))) return;
    found.push(...matchIn({ parent: list, key: i }, rest, create));
  });
  if (found.length > 0 || create === undefined || !Array.isArray(rn) || retried) return found;
  // A list entry created from `[k=v]` holds v as an untyped YAML scalar.
  list.push(field === "" ? new Untagged(pattern) : { [field]: new Untagged(pattern) });
  return matchSeq(rn, part, rest, create, true);
}

/**
 * Slash-separated field spec paths (`spec/template/metadata/labels`, `\/` a literal slash):
 * field specs are "apply to kind K at path a/b/c" rules, walked the way kustomize's
 * fieldspec filter does (sequences are traversed transparently, `[]` marks a sequence,
 * fields are created only when the spec says so).
 */

import { KustomizeError } from "./api.ts";
import { setOwn } from "./own.ts";
import { type Gvk, gvkSelected } from "./resource.ts";

export interface FieldSpec {
  group: string;
  version: string;
  kind: string;
  path: string;
  create: boolean;
}

/** Parses the compact "group/version/kind|path[|c]" form of config/fieldspecs.ts. */
export function compactSpec(text: string): FieldSpec {
  const [gvk, path, flag] = text.split("|") as [string, string, string | undefined];
  const [group, version, kind] = gvk.split("/") as [string, string, string];
  return { group, version, kind, path, create: flag === "c" };
}

/** Splits a field path on "/", keeping "\/" as a literal slash. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "\\" && path[i + 1] === "/") {
      cur += "/";
      i++;
    } else if (c === "/") {
      out.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

export function specMatches(spec: FieldSpec, gvk: Gvk): boolean {
  return gvkSelected(gvk, spec);
}

export type Container = Record<string, unknown> | unknown[];
/** Called with the holder of the field found at the end of the path. */
/** `trail` is the path from the object's root to `holder[key]` (valid during the call only). */
export type SetFn = (holder: Container, key: string | number, trail: (string | number)[]) => void;
/** What to create when the final field is missing: a map, a scalar (string), or nothing. */
export type CreateKind = "map" | "scalar" | undefined;

const pathCache = new Map<string, string[]>();

function segmentsOf(path: string): string[] {
  let segs = pathCache.get(path);
  if (!segs) {
    segs = splitPath(path);
    pathCache.set(path, segs);
  }
  return segs;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Applies `set` at every place `spec.path` leads to in `obj` (GVK must already match). */
export function walkSpec(
  obj: Record<string, unknown>,
  spec: FieldSpec,
  createKind: CreateKind,
  set: SetFn,
): void {
  const segs = segmentsOf(spec.path);
  handleMap(obj, segs, 0, spec.create ? createKind : undefined, set, spec.path, []);
}

function walkNode(
  holder: Container,
  key: string | number,
  segs: string[],
  i: number,
  createKind: CreateKind,
  set: SetFn,
  path: string,
  trail: (string | number)[],
): void {
  trail.push(key);
  try {
    walkValue(holder, key, segs, i, createKind, set, path, trail);
  } finally {
    trail.pop();
  }
}

function walkValue(
  holder: Container,
  key: string | number,
  segs: string[],
  i: number,
  createKind: CreateKind,
  set: SetFn,
  path: string,
  trail: (string | number)[],
): void {
  if (i === segs.length) {
    set(holder, key, trail);
    return;
  }
  const node = (holder as Record<string | number, unknown>)[key];
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (let j = 0; j < node.length; j++) walkNode(node, j, segs, i, createKind, set, path, trail);
    return;
  }
  if (isMap(node)) {
    handleMap(node, segs, i, createKind, set, path, trail);
    return;
  }
  throw new KustomizeError(
    `field path "${path}": expected sequence or mapping node at "${segs.slice(0, i).join("/")}"`,
  );
}

function handleMap(
  map: Record<string, unknown>,
  segs: string[],
  i: number,
  createKind: CreateKind,
  set: SetFn,
  path: string,
  trail: (string | number)[],
): void {
  const seg = segs[i] as string;
  const isSeq = seg.endsWith("[]");
  const name = isSeq ? seg.slice(0, -2) : seg;
  if (name === "")
    throw new KustomizeError(`field path "${path}": cannot set or create an empty field name`);
  const last = i === segs.length - 1;
  const current = Object.hasOwn(map, name) ? map[name] : undefined;
  if (current === undefined) {
    if (createKind === undefined || isSeq) return;
    setOwn(map, name, last ? (createKind === "map" ? {} : "") : {});
  } else if (current === null) {
    if (isSeq) setOwn(map, name, []);
    else if (createKind !== undefined)
      setOwn(map, name, last ? (createKind === "map" ? {} : "") : {});
  }
  walkNode(map, name, segs, i + 1, createKind, set, path, trail);
}

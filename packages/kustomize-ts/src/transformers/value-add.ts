/**
 * kustomize's ValueAddTransformer: writes one value into a field of the selected resources,
 * or inserts it as a part of the slash-separated path the field holds (`filePathPosition`).
 * `metadata/namespace` goes through the namespace filter (binding subjects named `default`
 * too), as in kustomize.
 */
import { posix } from "node:path";
import { KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import {
  FieldPathError,
  isMap,
  matchPath,
  scalarText,
  settleUntagged,
  Untagged,
  wrongKind,
} from "../dot-path.ts";
import type { Selector } from "../kustomization.ts";
import { setOwn } from "../own.ts";
import type { Resource } from "../resource.ts";
import { splitPath } from "../slash-path.ts";
import { plainValue } from "../yaml/resolve.ts";
import { setNamespace } from "./namespace.ts";
import { selectResources } from "./patches.ts";

export interface ValueAddTarget {
  /** The resources to change; all of them without one. */
  selector?: Selector;
  /** A slash-separated field path (`\/` a literal slash). */
  fieldPath: string;
  /** 0: the value replaces the field's; n: it becomes part n of the path the field holds. */
  filePathPosition: number;
}

export interface ValueAddConfig {
  value: string;
  targets: readonly ValueAddTarget[];
}

export const valueAddTransformer: Transformer<ValueAddConfig> = (resources, ctx, config) => {
  for (const target of config.targets) {
    const selected = target.selector
      ? selectResources(resources, target.selector, ctx.where)
      : resources;
    for (const r of selected) {
      if (target.fieldPath === "metadata/namespace") {
        setNamespace(r, { namespace: config.value, fieldSpecs: [] });
      } else {
        addValue(r, config.value, target);
      }
    }
  }
};

function addValue(r: Resource, value: string, target: ValueAddTarget): void {
  let slot: ReturnType<typeof matchPath>[number] | undefined;
  try {
    slot = matchPath(r.obj, splitPath(target.fieldPath), "scalar")[0];
    if (slot === undefined) return;
    const current = (slot.parent as Record<string | number, unknown>)[slot.key];
    const created = current instanceof Untagged;
    if (!created && (isMap(current) || Array.isArray(current))) {
      throw wrongKind("ScalarNode", current);
    }
    const text = created ? current.text : scalarText(current);
    const next =
      target.filePathPosition > 0
        ? insertPathPart(text, target.filePathPosition - 1, value)
        : value;
    // A string field stays one; a new field or a number takes the type the text reads as.
    setOwn(slot.parent, slot.key, typeof current === "string" ? next : plainValue(next, "v3"));
    settleUntagged(r.obj);
  } catch (error) {
    if (error instanceof FieldPathError)
      throw new KustomizeError(error.message, { file: r.source });
    throw error;
  }
}

/** kyaml's filesys.PathSplit: a leading "/" gives a first empty part. */
function pathSplit(path: string): string[] {
  if (path === "") return [];
  const cut = path.lastIndexOf("/") + 1;
  const dir = path.slice(0, cut);
  const file = path.slice(cut);
  if (dir === "/") return file === "" ? [""] : ["", file];
  const parent = dir.endsWith("/") ? dir.slice(0, -1) : dir;
  return parent === "" ? [file] : [...pathSplit(parent), file];
}

/** Go's filepath.Join: empty parts dropped, the result cleaned. */
function goJoin(parts: readonly string[]): string {
  const kept = parts.filter((p) => p !== "");
  return kept.length === 0 ? "" : posix.normalize(kept.join("/"));
}

/** kyaml's filesys.InsertPathPart: `part` at position `pos` of the path (0 the first). */
export function insertPathPart(path: string, pos: number, part: string): string {
  if (part === "") return path;
  const parts = pathSplit(path);
  let at = Math.min(Math.max(pos, 0), parts.length);
  if (parts.length > 0 && parts[0] === "" && at < parts.length) at++;
  const result = [...parts.slice(0, at), part, ...parts.slice(at)];
  return result[0] === "" ? `/${goJoin(result.slice(1))}` : goJoin(result);
}

/**
 * Strategic merge patches as kustomize 5.5 applies them (resource.ApplySmPatch): the patch
 * takes the target's apiVersion, is merged by kyaml's rules (see merge-walker.ts), and the
 * target keeps its name, kind and namespace unless the patch options allow a change.
 */
import { type KubernetesObject, KustomizeError } from "../api.ts";
import { KEPT_NULL, MergeError, walk } from "./merge-walker.ts";
import { Schema } from "./schema.ts";

export interface StrategicMergeOptions {
  /** kustomize's `options.allowNameChange` of a patch entry. */
  allowNameChange?: boolean;
  /** kustomize's `options.allowKindChange` of a patch entry. */
  allowKindChange?: boolean;
  /** The patch's file (or "inline patch"), named in errors. */
  source?: string;
  /** The build's schema (a kustomization's `openapi`); kustomize's built-in one by default. */
  schema?: Schema;
}

/** A deep copy that also unshares values the YAML parser shared (aliases). */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  }
  return v;
}

function metadataOf(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = obj.metadata;
  if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
    return meta as Record<string, unknown>;
  }
  const created: Record<string, unknown> = {};
  obj.metadata = created;
  return created;
}

/**
 * Applies one strategic merge patch document to a copy of `target` and returns the result,
 * or null when the patch deletes the whole object (`$patch: delete`). Inputs are not
 * modified.
 */
export function strategicMerge(
  target: KubernetesObject,
  patch: Record<string, unknown>,
  options: StrategicMergeOptions = {},
): KubernetesObject | null {
  const dest = clone(target) as Record<string, unknown>;
  const origin = clone(patch);
  const name = target.metadata?.name;
  const namespace = target.metadata?.namespace;
  const kind = target.kind;
  // resmap.ApplySmPatch: the patch copy gets the target's group/version, keeps its kind.
  if (origin !== null && typeof origin === "object") {
    if (target.apiVersion === undefined) delete origin.apiVersion;
    else origin.apiVersion = target.apiVersion;
  }
  let merged: unknown;
  try {
    merged = walk([dest, origin], undefined, options.schema ?? Schema.builtIn);
  } catch (err) {
    if (err instanceof MergeError) {
      throw new KustomizeError(
        `strategic merge patch failed on ${kind} ${String(name)}: ${err.message}`,
        options.source === undefined ? {} : { file: options.source },
      );
    }
    throw err;
  }
  if (
    merged === undefined ||
    merged === null ||
    merged === KEPT_NULL ||
    typeof merged !== "object" ||
    Object.keys(merged).length === 0
  ) {
    return null;
  }
  // kustomize keeps the target node it merged into: when the patch replaces the whole
  // object (`$patch: replace` at its top) the merge result is another node, and is dropped.
  const result = merged === dest ? dest : (clone(target) as Record<string, unknown>);
  if (!options.allowKindChange) result.kind = kind;
  if (!options.allowNameChange) metadataOf(result).name = name;
  if (namespace === undefined || namespace === "") {
    const meta = result.metadata;
    if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
      delete (meta as Record<string, unknown>).namespace;
    }
  } else {
    metadataOf(result).namespace = namespace;
  }
  return result as KubernetesObject;
}

/**
 * Applying `patches`, `patchesStrategicMerge` and `patchesJson6902`: loading each patch,
 * telling strategic-merge from JSON 6902, and choosing the resources it applies to
 * (`target` selectors with regexes, label and annotation selectors; otherwise the patch's
 * own id), as kustomize's patch transformers do.
 */
import { parse } from "yaml";
import { syncAliases } from "../aliases.ts";
import type { KubernetesObject } from "../api.ts";
import { KustomizeError } from "../api.ts";
import type { Transformer, Where } from "../context.ts";
import type { PatchArg, Selector } from "../kustomization.ts";
import { applyJson6902 } from "../patches/json6902.ts";
import type { Schema } from "../patches/schema.ts";
import { matchesLabelSelector } from "../patches/selector.ts";
import { strategicMerge } from "../patches/strategic-merge.ts";
import { effectiveNamespace, idEquals, idString, type ResId, type Resource } from "../resource.ts";
import { resourcesFromText } from "../resources.ts";

function anchored(pattern: string | undefined, where: Where): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, "u");
  } catch (error) {
    throw new KustomizeError(
      `invalid regular expression "${pattern}" in patch target: ${(error as Error).message}`,
      where,
    );
  }
}

function orgEffectiveNamespace(r: Resource): string {
  const first = r.prevIds[0];
  if (!first) return effectiveNamespace(r.curId());
  return first.namespace === "" || first.namespace === "default" ? "default" : first.namespace;
}

/** kustomize's ResMap.Select: the resources a patch or replacement `target` picks. */
export function selectResources(
  resources: readonly Resource[],
  s: Selector,
  where: Where,
): Resource[] {
  const group = anchored(s.group, where);
  const version = anchored(s.version, where);
  const kind = anchored(s.kind, where);
  const name = anchored(s.name, where);
  const namespace = anchored(s.namespace, where);
  const out: Resource[] = [];
  for (const r of resources) {
    const cur = r.curId();
    const org = r.orgId();
    if (
      namespace &&
      !namespace.test(orgEffectiveNamespace(r)) &&
      !namespace.test(effectiveNamespace(cur))
    )
      continue;
    if (name && !name.test(org.name) && !name.test(cur.name)) continue;
    const gvk = r.gvk();
    if (group && !group.test(gvk.group)) continue;
    if (version && !version.test(gvk.version)) continue;
    if (kind && !kind.test(gvk.kind)) continue;
    try {
      if (
        s.labelSelector &&
        !matchesLabelSelector(r.labels() as Record<string, unknown>, s.labelSelector)
      )
        continue;
      if (
        s.annotationSelector &&
        !matchesLabelSelector(r.annotations() as Record<string, unknown>, s.annotationSelector)
      ) {
        continue;
      }
    } catch (error) {
      throw new KustomizeError(
        `invalid selector in patch target: ${(error as Error).message}`,
        where,
      );
    }
    out.push(r);
  }
  return out;
}

/** The resources whose current or any previous id equals `id`. */
function matchingAnyId(resources: readonly Resource[], id: ResId): Resource[] {
  return resources.filter((r) =>
    [...r.previousIds(), r.curId()].some((other) => idEquals(other, id)),
  );
}

interface SmPatch {
  res: Resource;
  patch: Record<string, unknown>;
}

function parseSmPatches(text: string, source: string): SmPatch[] {
  return resourcesFromText(text, source, { firstKeyWins: true }).map((res) => ({
    res,
    patch: res.obj as unknown as Record<string, unknown>,
  }));
}

function parseJsonPatch(text: string, source: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new KustomizeError("empty json patch operations", { file: source });
  let ops: unknown;
  try {
    ops = trimmed.startsWith("[") ? JSON.parse(trimmed) : parse(text, { version: "1.1" });
  } catch {
    try {
      ops = parse(text, { version: "1.1" });
    } catch (error) {
      const first = (error as Error).message.split("\n")[0] as string;
      const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      throw new KustomizeError(
        `invalid JSON patch: ${first.replace(/ at line \d+, column \d+:?$/, "")}`,
        { file: source, line },
      );
    }
  }
  if (!Array.isArray(ops))
    throw new KustomizeError("a JSON 6902 patch must be a list of operations", { file: source });
  return ops;
}

/** Replaces `r`'s object with `next`, or removes `r` from the list when `next` is null. */
function applySm(
  list: Resource[],
  r: Resource,
  patch: SmPatch,
  options: Record<string, boolean> | undefined,
  schema: Schema,
): void {
  const allowNameChange = options?.allowNameChange === true;
  const allowKindChange = options?.allowKindChange === true;
  if (allowNameChange || allowKindChange) r.storePreviousId();
  const next = strategicMerge(r.obj, patch.patch, {
    allowNameChange,
    allowKindChange,
    source: patch.res.source,
    schema,
  });
  if (next === null || Object.keys(next).length === 0) {
    const i = list.indexOf(r);
    if (i >= 0) list.splice(i, 1);
    return;
  }
  r.obj = next;
  syncAliases(r.obj, r.aliases);
}

const previousKeys = [
  "internal.config.kubernetes.io/previousKinds",
  "internal.config.kubernetes.io/previousNames",
  "internal.config.kubernetes.io/previousNamespaces",
] as const;

const ORIGIN = "config.kubernetes.io/origin";
const TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations";

/**
 * kustomize applies a `patches` JSON patch to a resource that carries its internal
 * previous-id annotations, so `metadata.annotations` always exists for the patch (adding
 * `/metadata/annotations/x` works on a resource without annotations); they are dropped again
 * afterwards, with the annotations map if it is left empty. The buildMetadata history
 * (origin, transformations) is kept in annotations too: a patch that replaces or removes
 * them loses it.
 */
function withInternalAnnotations(
  r: Resource,
  patch: (obj: KubernetesObject) => KubernetesObject,
): KubernetesObject {
  const meta = r.obj.metadata;
  if (!meta || typeof meta !== "object" || Array.isArray(meta)) return patch(r.obj);
  const before = meta.annotations;
  if (
    before !== undefined &&
    before !== null &&
    (typeof before !== "object" || Array.isArray(before))
  )
    return patch(r.obj);
  const ids = r.prevIds;
  const internal: Record<string, string> = {
    [previousKeys[0]]: ids.map((id) => id.kind).join(","),
    [previousKeys[1]]: ids.map((id) => id.name).join(","),
    [previousKeys[2]]: ids.map((id) => id.namespace).join(","),
  };
  if (r.origin !== undefined) internal[ORIGIN] = r.origin;
  if (r.transformations.length > 0) internal[TRANSFORMATIONS] = "-";
  const annotations: Record<string, string> = { ...(before ?? {}), ...internal };
  const next = patch({ ...r.obj, metadata: { ...meta, annotations } });
  const after = next.metadata?.annotations;
  const kept: Record<string, unknown> =
    after && typeof after === "object" && !Array.isArray(after) ? after : {};
  if (r.origin !== undefined && kept[ORIGIN] === undefined) r.origin = undefined;
  if (r.transformations.length > 0 && kept[TRANSFORMATIONS] === undefined) r.transformations = [];
  for (const key of Object.keys(internal)) delete kept[key];
  if (after === kept && Object.keys(kept).length === 0 && next.metadata)
    delete next.metadata.annotations;
  return next;
}

/** One entry of `patches`: a strategic merge or JSON 6902 patch, with or without a target. */
export const patchTransformer: Transformer<PatchArg> = (list, ctx, p) => {
  const { ldr, where } = ctx;
  const schema = ctx.build.schema;
  const inline = (p.patch ?? "").trim();
  if (inline === "" && !p.path)
    throw new KustomizeError("must specify one of patch and path", where);
  if (inline !== "" && p.path)
    throw new KustomizeError("patch and path can't be set at the same time", where);
  const source = p.path ? ldr.display(ldr.abs(p.path)) : `${where.file} (${where.key})`;
  const text = p.path ? ldr.readFile(p.path, where) : inline;
  const kind = patchKind(text, source, where);
  if (kind === "json") {
    if (!p.target) throw new KustomizeError("must specify a target for a JSON 6902 patch", where);
    const ops = parseJsonPatch(text, source);
    for (const r of selectResources(list, p.target, where)) {
      r.storePreviousId();
      r.obj = withInternalAnnotations(r, (obj) => applyJson6902(obj, ops, source));
      r.aliases = [];
    }
    return;
  }
  const patches = parseSmPatches(text, source);
  if (p.target) {
    if (patches.length > 1) {
      throw new KustomizeError(
        "a patches entry with a target may hold only one strategic merge patch",
        where,
      );
    }
    const patch = patches[0] as SmPatch;
    for (const r of selectResources(list, p.target, where)) {
      applySm(list, r, patch, p.options, schema);
    }
    return;
  }
  for (const patch of patches) {
    const target = findPatchTarget(list, patch, where);
    applySm(list, target, patch, p.options, schema);
  }
};

function findPatchTarget(list: Resource[], patch: SmPatch, where: Where): Resource {
  const id = patch.res.curId();
  const matches = matchingAnyId(list, id);
  if (matches.length === 1) return matches[0] as Resource;
  const what = matches.length === 0 ? "no resource matches" : "multiple resources match";
  throw new KustomizeError(
    `${what} strategic merge patch ${idString(id)} (failed to find unique target for patch from ${patch.res.source})`,
    where,
  );
}

function patchKind(text: string, source: string, where: Where): "sm" | "json" {
  const t = text.trim();
  if (t.startsWith("[")) return "json";
  let docs: unknown;
  try {
    docs = parse(t, { version: "1.1" });
  } catch {
    return "sm";
  }
  if (Array.isArray(docs)) return "json";
  if (docs === null || typeof docs !== "object") {
    throw new KustomizeError(`unable to parse SM or JSON patch from ${source}`, where);
  }
  return "sm";
}

export interface PatchStrategicMergeConfig {
  /** Files of patches, or inline YAML. */
  paths: readonly string[];
}

/** `patchesStrategicMerge`: each entry is inline YAML or a file of patches. */
export const patchStrategicMergeTransformer: Transformer<PatchStrategicMergeConfig> = (
  list,
  ctx,
  config,
) => {
  const { ldr } = ctx;
  const { file } = ctx.where;
  const patches: SmPatch[] = [];
  config.paths.forEach((entry, i) => {
    const where = { file, key: `patchesStrategicMerge[${i}]` };
    let loaded: SmPatch[] | undefined;
    if (entry.includes("\n") || /^\s*(apiVersion|kind|metadata)\s*:/.test(entry)) {
      try {
        loaded = parseSmPatches(entry, `${file} (${where.key})`);
      } catch {
        loaded = undefined;
      }
    }
    if (!loaded) {
      const text = ldr.readFile(entry, where);
      loaded = parseSmPatches(text, ldr.display(ldr.abs(entry)));
    }
    patches.push(...loaded);
  });
  for (const patch of patches) {
    const target = findPatchTarget(list, patch, { file, key: "patchesStrategicMerge" });
    applySm(list, target, patch, undefined, ctx.build.schema);
  }
};

/** One entry of `patchesJson6902`. */
export const patchJson6902Transformer: Transformer<PatchArg> = (list, ctx, p) => {
  const { ldr, where } = ctx;
  if (!p.target) throw new KustomizeError("must specify a target for a JSON 6902 patch", where);
  const inline = p.patch ?? "";
  if (inline === "" && !p.path) throw new KustomizeError("empty file path and empty jsonOp", where);
  if (inline !== "" && p.path)
    throw new KustomizeError("must specify either a file path or jsonOp, not both", where);
  const source = p.path ? ldr.display(ldr.abs(p.path)) : `${where.file} (${where.key})`;
  const text = p.path ? ldr.readFile(p.path, where) : inline;
  const ops = parseJsonPatch(text, source);
  if (ops.length === 0) throw new KustomizeError("patch appears to be empty", { file: source });
  for (const r of selectResources(list, p.target, where)) {
    r.obj = applyJson6902(r.obj, ops, source);
    r.aliases = [];
  }
};

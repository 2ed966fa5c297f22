/** commonLabels / labels / commonAnnotations: set key-value pairs at field-spec locations. */

import { addAliasGroup, type FieldPath, writeThrough } from "../aliases.ts";
import { KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import { setOwn } from "../own.ts";
import type { Resource } from "../resource.ts";
import { type FieldSpec, isMap, specMatches, walkSpec } from "../slash-path.ts";

export interface LabelConfig {
  labels: Record<string, string>;
  fieldSpecs: readonly FieldSpec[];
}

export interface AnnotationsConfig {
  annotations: Record<string, string>;
  fieldSpecs: readonly FieldSpec[];
}

export const labelTransformer: Transformer<LabelConfig> = (resources, ctx, config) =>
  setPairs(resources, config.labels, config.fieldSpecs, ctx.where.key);

export const annotationsTransformer: Transformer<AnnotationsConfig> = (resources, ctx, config) =>
  setPairs(resources, config.annotations, config.fieldSpecs, ctx.where.key);

function setPairs(
  resources: readonly Resource[],
  pairs: Record<string, string>,
  specs: readonly FieldSpec[],
  what: string,
): void {
  const keys = Object.keys(pairs).sort();
  if (keys.length === 0) return;
  for (const r of resources) {
    const gvk = r.gvk();
    // Per key, the places this call adds it: kustomize gives them one shared node.
    const created = new Map<string, FieldPath[]>();
    for (const spec of specs) {
      if (!specMatches(spec, gvk)) continue;
      walkSpec(r.obj, spec, "map", (holder, key, trail) => {
        const target = (holder as Record<string | number, unknown>)[key];
        if (!isMap(target)) {
          throw new KustomizeError(
            `${what}: cannot set ${spec.path} in ${r.kind} ${r.name}: the field is not a map`,
            {
              file: r.source,
            },
          );
        }
        for (const k of keys) {
          if (Object.hasOwn(target, k)) {
            setOwn(target, k, pairs[k]);
            if (r.aliases.length > 0) writeThrough(r.obj, r.aliases, [...trail, k], pairs[k]);
          } else {
            setOwn(target, k, pairs[k]);
            const paths = created.get(k);
            if (paths) paths.push([...trail, k]);
            else created.set(k, [[...trail, k]]);
          }
        }
      });
    }
    for (const [k, paths] of created) {
      if (paths.length > 1 || r.aliases.length > 0) addAliasGroup(r.aliases, paths, pairs[k]);
    }
  }
}

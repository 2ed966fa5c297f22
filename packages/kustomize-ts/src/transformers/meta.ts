/** commonLabels / labels / commonAnnotations: set key-value pairs at field-spec locations. */
import { KustomizeError } from "../api.ts";
import { type FieldSpec, isMap, specMatches, walkSpec } from "../fieldspec.ts";
import type { Resource } from "../resource.ts";

export function setPairs(
  resources: readonly Resource[],
  pairs: Record<string, string>,
  specs: readonly FieldSpec[],
  what: string,
): void {
  const keys = Object.keys(pairs).sort();
  if (keys.length === 0) return;
  for (const r of resources) {
    const gvk = r.gvk();
    for (const spec of specs) {
      if (!specMatches(spec, gvk)) continue;
      walkSpec(r.obj, spec, "map", (holder, key) => {
        const target = (holder as Record<string | number, unknown>)[key];
        if (!isMap(target)) {
          throw new KustomizeError(
            `${what}: cannot set ${spec.path} in ${r.kind} ${r.name}: the field is not a map`,
            {
              file: r.source,
            },
          );
        }
        for (const k of keys) target[k] = pairs[k];
      });
    }
  }
}

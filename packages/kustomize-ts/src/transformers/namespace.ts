/** The namespace transformer: metadata.namespace on namespaced kinds, plus its field specs. */
import { KustomizeError } from "../api.ts";
import { withCustom } from "../config/custom.ts";
import { NAMESPACE } from "../config/fieldspecs.ts";
import { compactSpec, type FieldSpec, isMap, specMatches, walkSpec } from "../fieldspec.ts";
import { idEquals, idString, type Resource } from "../resource.ts";

const SPECS = NAMESPACE.map(compactSpec);

/** `specs`: the fields besides metadata.namespace (a builtin plugin config gives its own). */
export function applyNamespace(
  resources: readonly Resource[],
  namespace: string,
  file: string,
  specs: readonly FieldSpec[] = withCustom("namespace", SPECS),
): void {
  for (const r of resources) {
    r.storePreviousId();
    if (!r.isClusterScoped()) r.meta().namespace = namespace;
    const kind = r.kind;
    if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
      const subjects = r.obj.subjects;
      if (Array.isArray(subjects)) {
        for (const s of subjects) {
          if (isMap(s) && s.name === "default") s.namespace = namespace;
        }
      }
    }
    const gvk = r.gvk();
    for (const spec of specs) {
      if (!specMatches(spec, gvk)) continue;
      // Only the core Namespace is renamed; a custom kind called Namespace is an ordinary one.
      if (spec.kind === "Namespace" && spec.path === "metadata/name" && gvk.group !== "") continue;
      walkSpec(r.obj, spec, "scalar", (holder, key) => {
        (holder as Record<string | number, unknown>)[key] = namespace;
      });
    }
  }
  for (const r of resources) {
    const id = r.curId();
    let count = 0;
    for (const other of resources) if (idEquals(other.curId(), id)) count++;
    if (count !== 1) {
      throw new KustomizeError(
        `namespace transformation produces ID conflict: namespace "${namespace}" gives two resources the id ${idString(id)}`,
        {
          file,
          key: "namespace",
        },
      );
    }
  }
}

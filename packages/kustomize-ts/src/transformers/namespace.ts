/** The namespace transformer: metadata.namespace on namespaced kinds, plus its field specs. */
import { KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import { idEquals, idString } from "../resource.ts";
import { type FieldSpec, isMap, specMatches, walkSpec } from "../slash-path.ts";

export interface NamespaceConfig {
  namespace: string;
  /** Fields set besides metadata.namespace (which every namespaced kind gets). */
  fieldSpecs: readonly FieldSpec[];
}

export const namespaceTransformer: Transformer<NamespaceConfig> = (resources, ctx, config) => {
  const { namespace, fieldSpecs: specs } = config;
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
        ctx.where,
      );
    }
  }
};

/** The namespace transformer: metadata.namespace on namespaced kinds, plus its field specs. */
import { KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import { setOwn } from "../own.ts";
import { idEquals, idString, type Resource } from "../resource.ts";
import { type FieldSpec, isMap, specMatches, walkSpec } from "../slash-path.ts";

/** Which RoleBinding and ClusterRoleBinding subjects take the namespace. */
export type SubjectMode = "defaultOnly" | "allServiceAccounts" | "none";
export const SUBJECT_MODES: readonly SubjectMode[] = ["defaultOnly", "none", "allServiceAccounts"];

export interface NamespaceConfig {
  namespace: string;
  /** Fields set besides metadata.namespace (which every namespaced kind gets). */
  fieldSpecs: readonly FieldSpec[];
  /** Set only namespaces that are empty or missing, keep the others. */
  unsetOnly?: boolean;
  /** Subjects named `default` (kustomize's default), every ServiceAccount, or none. */
  setRoleBindingSubjects?: SubjectMode;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

export const namespaceTransformer: Transformer<NamespaceConfig> = (resources, ctx, config) => {
  for (const r of resources) {
    r.storePreviousId();
    setNamespace(r, config);
  }
  for (const r of resources) {
    const id = r.curId();
    let count = 0;
    for (const other of resources) if (idEquals(other.curId(), id)) count++;
    if (count !== 1) {
      throw new KustomizeError(
        `namespace transformation produces ID conflict: namespace "${config.namespace}" gives two resources the id ${idString(id)}`,
        ctx.where,
      );
    }
  }
};

/**
 * kustomize's namespace filter on one resource: metadata.namespace of a namespaced kind,
 * binding subjects by `setRoleBindingSubjects`, then the field specs.
 */
export function setNamespace(r: Resource, config: NamespaceConfig): void {
  const { namespace, unsetOnly = false } = config;
  const mode = config.setRoleBindingSubjects ?? "defaultOnly";
  const set = (holder: Record<string | number, unknown>, key: string | number) => {
    if (!unsetOnly || isEmpty(holder[key])) setOwn(holder, key, namespace);
  };
  if (!r.isClusterScoped()) set(r.meta() as Record<string, unknown>, "namespace");
  const subjects = r.obj.subjects;
  if (isBinding(r.kind) && mode !== "none" && Array.isArray(subjects)) {
    for (const s of subjects) {
      if (!isMap(s)) continue;
      if (mode === "defaultOnly" ? s.name === "default" : s.kind === "ServiceAccount") {
        set(s, "namespace");
      }
    }
  }
  const gvk = r.gvk();
  for (const spec of config.fieldSpecs) {
    // Binding subjects follow `mode` only, not a field spec of their own.
    if (isBinding(spec.kind) && spec.path === "subjects/namespace") continue;
    if (!specMatches(spec, gvk)) continue;
    // Only the core Namespace is renamed; a custom kind called Namespace is an ordinary one.
    if (spec.kind === "Namespace" && spec.path === "metadata/name" && gvk.group !== "") continue;
    walkSpec(r.obj, spec, "scalar", (holder, key) => {
      set(holder as Record<string | number, unknown>, key);
    });
  }
}

function isBinding(kind: string): boolean {
  return kind === "RoleBinding" || kind === "ClusterRoleBinding";
}

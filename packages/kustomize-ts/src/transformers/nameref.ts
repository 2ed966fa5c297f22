/**
 * Name references: after renames (prefix, suffix, hash, namespace), fields that refer to
 * another resource by name (a Deployment's configMapRef, a RoleBinding's roleRef...) are
 * rewritten to the referred resource's new name, choosing the referral the way kustomize
 * does (previous names, kind, roleRef kind, namespace, then prefix/suffix history).
 */
import { KustomizeError } from "../api.ts";
import type { NameReference } from "../config/transformer-config.ts";
import {
  effectiveNamespace,
  type Gvk,
  gvkSelected,
  idClusterScoped,
  idString,
  type Resource,
} from "../resource.ts";
import { type FieldSpec, isMap, walkSpec } from "../slash-path.ts";

function sameEndingSubSlice(a: string[], b: string[]): boolean {
  let shortest = a;
  let longest = b;
  if (shortest.length > longest.length) [shortest, longest] = [longest, shortest];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  for (let i = shortest.length - 1; i >= 0; i--) {
    if (longest[i + diff] !== shortest[i]) return false;
  }
  return true;
}

function prefixSuffixEquals(a: Resource, b: Resource): boolean {
  return sameEndingSubSlice(a.prefixes, b.prefixes) && sameEndingSubSlice(a.suffixes, b.suffixes);
}

/** Resources `referrer` may refer to: same namespace, cluster-scoped, or a RoleBinding's subjects' namespaces. */
function candidatesFor(referrer: Resource, all: readonly Resource[]): Resource[] {
  const rid = referrer.curId();
  if (idClusterScoped(rid)) return [...all];
  const subjectNamespaces = new Set<string>();
  if (referrer.kind === "RoleBinding" && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects) {
      if (isMap(s) && s.kind === "ServiceAccount" && typeof s.namespace === "string") {
        subjectNamespaces.add(s.namespace);
      }
    }
  }
  const rns = effectiveNamespace(rid);
  return all.filter((r) => {
    const id = r.curId();
    if (idClusterScoped(id)) return true;
    if (effectiveNamespace(id) === rns) return true;
    return subjectNamespaces.has(r.namespace);
  });
}

class Referrer {
  readonly res: Resource;
  readonly candidates: Resource[];
  readonly target: Gvk;
  readonly spec: FieldSpec;

  constructor(res: Resource, candidates: Resource[], target: Gvk, spec: FieldSpec) {
    this.res = res;
    this.candidates = candidates;
    this.target = target;
    this.spec = spec;
  }

  private roleRefGvk(): Partial<Gvk> | undefined {
    if (!this.spec.path.endsWith("roleRef/name")) return undefined;
    const roleRef = this.res.obj.roleRef;
    if (!isMap(roleRef) || roleRef.apiGroup === undefined || roleRef.kind === undefined)
      return undefined;
    return { group: String(roleRef.apiGroup ?? ""), kind: String(roleRef.kind ?? "") };
  }

  select(
    oldName: string,
    pool: Resource[],
    identical: (rs: Resource[]) => boolean,
  ): Resource | undefined {
    let c = pool.filter((r) => r.previousIds().some((id) => id.name === oldName));
    c = c.filter((r) => r.previousIds().some((id) => gvkSelected(id.gvk, this.target)));
    const roleRef = this.roleRefGvk();
    if (roleRef) c = c.filter((r) => r.previousIds().some((id) => gvkSelected(id.gvk, roleRef)));
    const rid = this.res.curId();
    if (!idClusterScoped(rid)) {
      const rns = effectiveNamespace(rid);
      c = c.filter(
        (r) =>
          idClusterScoped(r.curId()) ||
          r.kind === "ServiceAccount" ||
          effectiveNamespace(r.curId()) === rns,
      );
    }
    if (c.length === 1) return c[0];
    c = c.filter((r) => prefixSuffixEquals(r, this.res));
    if (c.length === 1) return c[0];
    if (c.length === 0) return undefined;
    if (identical(c)) return c[0];
    throw new KustomizeError(
      `found multiple possible referrals for "${oldName}" in ${this.spec.path} of ${idString(rid)}: ${c.map((r) => idString(r.curId())).join(", ")}`,
      { file: this.res.source },
    );
  }

  setScalar(holder: Record<string | number, unknown>, key: string | number): void {
    const value = holder[key];
    if (typeof value !== "string") return;
    const referral = this.select(value, this.candidates, allNamesSame);
    if (referral && referral.name !== value) holder[key] = referral.name;
  }

  setMapping(node: Record<string, unknown>): void {
    if (!Object.hasOwn(node, "name")) {
      throw new KustomizeError(
        `updating name reference in '${this.spec.path}' field of '${idString(this.res.curId())}': path config error; no 'name' field in node`,
        { file: this.res.source },
      );
    }
    let pool = this.candidates;
    if (Object.hasOwn(node, "namespace")) {
      const ns = String(node.namespace ?? "");
      const byOriginal = this.candidates.filter((r) => originalEffectiveNamespace(r) === ns);
      pool =
        byOriginal.length > 0
          ? byOriginal
          : this.candidates.filter(
              (r) => !idClusterScoped(r.curId()) && effectiveNamespace(r.curId()) === ns,
            );
    }
    const oldName = String(node.name ?? "");
    const referral = this.select(oldName, pool, allNamesAndNamespacesSame);
    if (!referral) return;
    if (referral.name === oldName && referral.namespace === "") return;
    node.name = referral.name;
    if (referral.namespace !== "") node.namespace = referral.namespace;
  }

  set(holder: Record<string | number, unknown>, key: string | number): void {
    const value = holder[key];
    if (value === null || value === undefined) return;
    if (typeof value === "string") {
      this.setScalar(holder, key);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (isMap(item)) this.setMapping(item);
        else if (typeof item === "string")
          this.setScalar(value as unknown as Record<number, unknown>, i);
      }
    } else if (isMap(value)) {
      this.setMapping(value);
    }
  }
}

/** The namespace a resource started in, as kustomize groups it ("" counts as "default"). */
function originalEffectiveNamespace(r: Resource): string | undefined {
  const first = r.prevIds[0];
  if (!first) return idClusterScoped(r.curId()) ? undefined : effectiveNamespace(r.curId());
  return first.namespace === "" ? "default" : first.namespace;
}

function allNamesSame(rs: Resource[]): boolean {
  return rs.every((r) => r.name === rs[0]?.name);
}

function allNamesAndNamespacesSame(rs: Resource[]): boolean {
  return rs.every((r) => r.name === rs[0]?.name && r.namespace === rs[0]?.namespace);
}

/** Rewrites every field `references` lists to the new name of the resource it names. */
export function fixNameReferences(
  resources: readonly Resource[],
  references: readonly NameReference[],
): void {
  // Only renamed resources can be referral targets; without any, nothing to fix.
  if (!resources.some((r) => r.prevIds.length > 0)) return;
  const candidateCache = new Map<Resource, Resource[]>();
  for (const backRef of references) {
    for (const spec of backRef.specs) {
      for (const res of resources) {
        if (!gvkSelected(res.orgId().gvk, spec)) continue;
        let candidates = candidateCache.get(res);
        if (!candidates) {
          candidates = candidatesFor(res, resources);
          candidateCache.set(res, candidates);
        }
        const referrer = new Referrer(res, candidates, backRef.target, spec);
        walkSpec(res.obj, spec, undefined, (holder, key) =>
          referrer.set(holder as Record<string | number, unknown>, key),
        );
      }
    }
  }
}

/**
 * kustomize's label and annotation transformers give every place where they add a key to one
 * resource the same YAML node, and later edits of that key (a patch, another labels entry, a
 * replacement) overwrite the node in place: changing `metadata.labels.env` of a Deployment
 * whose `env` came from a base's `commonLabels` also changes its selector and template labels.
 * kustomize-ts keeps plain objects, so it records those shared places as alias groups (paths
 * holding the same value) and copies a change of one member to the others.
 * A JSON patch re-creates the whole resource, which ends the sharing.
 */
export type FieldPath = readonly (string | number)[];

export interface AliasGroup {
  paths: FieldPath[];
  value: unknown;
}

type Container = Record<string | number, unknown>;

function holderOf(root: unknown, path: FieldPath): Container | undefined {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Container)[path[i] as string | number];
  }
  return node !== null && typeof node === "object" ? (node as Container) : undefined;
}

function read(root: unknown, path: FieldPath): { found: boolean; value: unknown } {
  const holder = holderOf(root, path);
  const key = path[path.length - 1] as string | number;
  if (!holder || !Object.hasOwn(holder, key)) return { found: false, value: undefined };
  return { found: true, value: holder[key] };
}

function samePath(a: FieldPath, b: FieldPath): boolean {
  return a.length === b.length && a.every((seg, i) => seg === b[i]);
}

/** Records that `paths` now share one node holding `value` (they leave earlier groups). */
export function addAliasGroup(groups: AliasGroup[], paths: FieldPath[], value: unknown): void {
  for (const group of groups) {
    group.paths = group.paths.filter((p) => !paths.some((q) => samePath(p, q)));
  }
  const kept = groups.filter((g) => g.paths.length > 1);
  groups.length = 0;
  groups.push(...kept);
  if (paths.length > 1) groups.push({ paths, value });
}

/** An in-place write of `value` at `path`: every alias of it takes the value too. */
export function writeThrough(
  root: unknown,
  groups: AliasGroup[],
  path: FieldPath,
  value: unknown,
): void {
  for (const group of groups) {
    if (!group.paths.some((p) => samePath(p, path))) continue;
    for (const other of group.paths) {
      if (samePath(other, path)) continue;
      const current = read(root, other);
      if (current.found && current.value === group.value) {
        (holderOf(root, other) as Container)[other[other.length - 1] as string | number] = value;
      }
    }
    group.value = value;
  }
}

/**
 * After an operation that edits nodes in place (a strategic merge patch, replacements):
 * members that changed carry their new value to the members that kept the old one.
 */
export function syncAliases(root: unknown, groups: AliasGroup[]): void {
  if (groups.length === 0) return;
  const kept: AliasGroup[] = [];
  for (const group of groups) {
    const present = group.paths.filter((p) => read(root, p).found);
    const changed = present.filter((p) => read(root, p).value !== group.value);
    const values = new Set(changed.map((p) => read(root, p).value));
    if (values.size > 1) continue;
    if (values.size === 1) {
      const value = values.values().next().value;
      for (const p of present) {
        (holderOf(root, p) as Container)[p[p.length - 1] as string | number] = value;
      }
      group.value = value;
    }
    group.paths = present;
    if (present.length > 1) kept.push(group);
  }
  groups.length = 0;
  groups.push(...kept);
}

/**
 * kustomize rebuilds `metadata.annotations` when it records buildMetadata there (origins,
 * transformations): the fields in it stop sharing their node with the rest.
 */
export function dropAnnotationAliases(groups: AliasGroup[]): void {
  if (groups.length === 0) return;
  const kept: AliasGroup[] = [];
  for (const group of groups) {
    group.paths = group.paths.filter((p) => !(p[0] === "metadata" && p[1] === "annotations"));
    if (group.paths.length > 1) kept.push(group);
  }
  groups.length = 0;
  groups.push(...kept);
}

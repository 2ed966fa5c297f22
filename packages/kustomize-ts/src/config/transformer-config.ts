/**
 * kustomize's transformer config: where each builtin transformer writes. The built-in field
 * specs live in fieldspecs.ts; `configurations:` files and `crds:` add to them for the rest
 * of the build. One instance belongs to one build (see context.ts).
 */
import { KustomizeError } from "../api.ts";
import { type Gvk, gvkSelected } from "../resource.ts";
import { compactSpec, type FieldSpec } from "../slash-path.ts";
import { gvkSortString, ORDER_FIRST, ORDER_LAST } from "../sort.ts";
import {
  COMMON_ANNOTATIONS,
  COMMON_LABELS,
  IMAGES,
  NAME_REFERENCES,
  NAMESPACE,
  REPLICAS,
  TEMPLATE_LABELS,
  VAR_REFERENCES,
} from "./fieldspecs.ts";

const CATEGORIES = [
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "templateLabels",
  "labels",
  "commonAnnotations",
  "varReference",
  "images",
  "replicas",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A name reference: fields that name a resource of kind `target`. */
export interface NameReference {
  target: Gvk;
  specs: readonly FieldSpec[];
}

const NAME: FieldSpec = { group: "", version: "", kind: "", path: "metadata/name", create: false };

const BUILT_IN: Record<Category, readonly FieldSpec[]> = {
  namePrefix: [NAME],
  nameSuffix: [NAME],
  namespace: NAMESPACE.map(compactSpec),
  commonLabels: COMMON_LABELS.map(compactSpec),
  templateLabels: TEMPLATE_LABELS.map(compactSpec),
  labels: [],
  commonAnnotations: COMMON_ANNOTATIONS.map(compactSpec),
  varReference: VAR_REFERENCES.map(compactSpec),
  images: IMAGES.map(compactSpec),
  replicas: REPLICAS.map(compactSpec),
};

const BUILT_IN_NAME_REFERENCES: readonly NameReference[] = NAME_REFERENCES.map(([gvk, specs]) => {
  const [group, version, kind] = gvk.split("/") as [string, string, string];
  return { target: { group, version, kind }, specs: specs.map(compactSpec) };
});

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

interface Where {
  file: string;
  key: string;
}

export function toSpec(raw: unknown, where: Where): FieldSpec {
  if (!isMap(raw) || typeof raw.path !== "string") {
    throw new KustomizeError("each field spec needs a path", where);
  }
  return {
    group: typeof raw.group === "string" ? raw.group : "",
    version: typeof raw.version === "string" ? raw.version : "",
    kind: typeof raw.kind === "string" ? raw.kind : "",
    path: raw.path,
    create: raw.create === true,
  };
}

const NAMES: Record<Category, string> = {
  namePrefix: "NamePrefix",
  nameSuffix: "NameSuffix",
  namespace: "NameSpace",
  commonLabels: "CommonLabels",
  templateLabels: "TemplateLabels",
  labels: "Labels",
  commonAnnotations: "CommonAnnotations",
  varReference: "VarReference",
  images: "Images",
  replicas: "Replicas",
};

const RANK = new Map<string, number>([
  ...ORDER_FIRST.map((kind, i): [string, number] => [kind, i - ORDER_FIRST.length]),
  ...ORDER_LAST.map((kind, i): [string, number] => [kind, i + 1]),
]);

/** kustomize's Gvk.IsLessThan: kinds in its resource order, then group, version, kind. */
function bySpecKind(a: FieldSpec, b: FieldSpec): number {
  const rank = (RANK.get(a.kind) ?? 0) - (RANK.get(b.kind) ?? 0);
  if (rank !== 0) return rank;
  const x = gvkSortString(a);
  const y = gvkSortString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * kustomize's FsSlice.MergeOne: `spec` joins `list` unless a spec there has its path and a
 * kind `spec` selects; that one stays, and must agree on `create`.
 */
function mergeSpec(list: FieldSpec[], spec: FieldSpec, category: Category, where?: Where): void {
  const known = list.find((s) => s.path === spec.path && gvkSelected(s, spec));
  if (known === undefined) list.push(spec);
  else if (known.create !== spec.create) {
    throw new KustomizeError(
      `failed to merge ${NAMES[category]} fieldSpec: conflicting fieldspecs (create differs for ${spec.path})`,
      where ?? {},
    );
  }
}

/** The field specs of one build: the built-in ones plus what `configurations:` and `crds:` add. */
export class TransformerConfig {
  readonly #extra = new Map<Category, FieldSpec[]>();
  readonly #merged = new Map<Category, FieldSpec[]>();
  readonly #nameReferences: NameReference[] = [];

  /**
   * Where the transformer of `category` writes: the specs added, then each built-in one that
   * no added spec covers (same path, of a kind the built-in one selects), as kustomize merges
   * them: `kind: Service, path: metadata/name` under namePrefix leaves other kinds' names alone.
   */
  specs(category: Category): readonly FieldSpec[] {
    const more = this.#extra.get(category);
    if (more === undefined || more.length === 0) return BUILT_IN[category];
    let merged = this.#merged.get(category);
    if (merged === undefined) {
      // kustomize sorts merged specs by kind, then merges them again into its accumulator:
      // a spec for one kind then comes first and stands for a kind-less one on its path.
      const sorted = [...BUILT_IN[category], ...more].sort(bySpecKind);
      merged = [];
      for (const spec of sorted) mergeSpec(merged, spec, category);
      this.#merged.set(category, merged);
    }
    return merged;
  }

  /** kustomize's name references, then those `configurations:` and `crds:` added. */
  nameReferences(): readonly NameReference[] {
    return this.#nameReferences.length === 0
      ? BUILT_IN_NAME_REFERENCES
      : [...BUILT_IN_NAME_REFERENCES, ...this.#nameReferences];
  }

  /** Adds one parsed configurations document (`file` names it in errors). */
  add(doc: unknown, file: string): void {
    if (doc === null || doc === undefined) return;
    if (!isMap(doc))
      throw new KustomizeError("a transformer configuration must be a map", { file });
    for (const [key, value] of Object.entries(doc)) {
      const where = { file, key };
      if (key === "nameReference") {
        if (!Array.isArray(value)) throw new KustomizeError("nameReference must be a list", where);
        for (const entry of value) {
          if (!isMap(entry)) throw new KustomizeError("nameReference entries must be maps", where);
          const target = {
            group: typeof entry.group === "string" ? entry.group : "",
            version: typeof entry.version === "string" ? entry.version : "",
            kind: typeof entry.kind === "string" ? entry.kind : "",
          };
          const specs = (Array.isArray(entry.fieldSpecs) ? entry.fieldSpecs : []).map((s) =>
            toSpec(s, where),
          );
          this.#nameReferences.push({ target, specs });
        }
        continue;
      }
      if (!(CATEGORIES as readonly string[]).includes(key)) {
        throw new KustomizeError(`unknown transformer configuration "${key}"`, where);
      }
      if (!Array.isArray(value))
        throw new KustomizeError(`${key} must be a list of field specs`, where);
      const category = key as Category;
      const list = this.#extra.get(category) ?? [];
      for (const raw of value) mergeSpec(list, toSpec(raw, where), category, where);
      // A conflict with a built-in spec shows now, where the file can be named.
      const all = [...BUILT_IN[category], ...list].sort(bySpecKind);
      const check: FieldSpec[] = [];
      for (const spec of all) mergeSpec(check, spec, category, where);
      this.#extra.set(category, list);
      this.#merged.delete(category);
    }
  }
}

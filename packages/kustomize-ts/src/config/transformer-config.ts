/**
 * kustomize's transformer config: where each builtin transformer writes. The built-in field
 * specs live in fieldspecs.ts; `configurations:` files and `crds:` add to them for the rest
 * of the build. One instance belongs to one build (see context.ts).
 */
import { KustomizeError } from "../api.ts";
import type { Gvk } from "../resource.ts";
import { compactSpec, type FieldSpec } from "../slash-path.ts";
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

const BUILT_IN: Record<Category, readonly FieldSpec[]> = {
  namePrefix: [],
  nameSuffix: [],
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

export function toSpec(raw: unknown, where: { file: string; key: string }): FieldSpec {
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

const same = (a: FieldSpec, b: FieldSpec) =>
  a.path === b.path && a.group === b.group && a.version === b.version && a.kind === b.kind;

/** The field specs of one build: the built-in ones plus what `configurations:` and `crds:` add. */
export class TransformerConfig {
  readonly #extra = new Map<Category, FieldSpec[]>();
  readonly #nameReferences: NameReference[] = [];

  /** Where the transformer of `category` writes: built-in specs, then those added. */
  specs(category: Category): readonly FieldSpec[] {
    const more = this.#extra.get(category);
    const builtIn = BUILT_IN[category];
    return more && more.length > 0 ? [...builtIn, ...more] : builtIn;
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
      const list = this.#extra.get(key as Category) ?? [];
      for (const raw of value) {
        const spec = toSpec(raw, where);
        if (!list.some((s) => same(s, spec))) list.push(spec);
      }
      this.#extra.set(key as Category, list);
    }
  }
}

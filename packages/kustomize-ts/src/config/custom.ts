/**
 * `configurations`: extra field specs from the kustomization's transformer config files,
 * added to the built-in ones for the rest of the build (builds are synchronous).
 */
import { KustomizeError } from "../api.ts";
import type { FieldSpec } from "../fieldspec.ts";

export const CATEGORIES = [
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

export interface CustomBackRef {
  target: { group: string; version: string; kind: string };
  specs: FieldSpec[];
}

const extra = new Map<Category, FieldSpec[]>();
let extraRefs: CustomBackRef[] = [];

export function resetCustomConfig(): void {
  extra.clear();
  extraRefs = [];
}

/** The built-in specs of `category` plus those added by `configurations`. */
export function withCustom(
  category: Category,
  builtIn: readonly FieldSpec[],
): readonly FieldSpec[] {
  const more = extra.get(category);
  return more && more.length > 0 ? [...builtIn, ...more] : builtIn;
}

export function customBackRefs(): readonly CustomBackRef[] {
  return extraRefs;
}

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

/** Adds one parsed configurations document. */
export function addCustomConfig(doc: unknown, file: string): void {
  if (doc === null || doc === undefined) return;
  if (!isMap(doc)) throw new KustomizeError("a transformer configuration must be a map", { file });
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
        extraRefs.push({ target, specs });
      }
      continue;
    }
    if (!(CATEGORIES as readonly string[]).includes(key)) {
      throw new KustomizeError(`unknown transformer configuration "${key}"`, where);
    }
    if (!Array.isArray(value))
      throw new KustomizeError(`${key} must be a list of field specs`, where);
    const list = extra.get(key as Category) ?? [];
    for (const raw of value) {
      const spec = toSpec(raw, where);
      if (!list.some((s) => same(s, spec))) list.push(spec);
    }
    extra.set(key as Category, list);
  }
}

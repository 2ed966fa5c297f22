/**
 * Finding, parsing and checking a kustomization file. kustomize decodes it strictly
 * (YAML 1.1 scalars, then JSON with unknown fields refused); so do we, and we refuse the
 * features we do not implement instead of ignoring them.
 */
import { KustomizeError } from "./api.ts";
import { kustomizationFilesIn, onlyKustomizationFile } from "./files.ts";
import { type Loader, refuseRemoteFile } from "./loader.ts";
import { setOwn } from "./own.ts";
import { didYouMean } from "./suggest.ts";
import { lineAt, type Path } from "./yaml/locate.ts";
import { parseYamlDocument } from "./yaml/parse.ts";

export interface FieldSpecArg {
  group?: string;
  version?: string;
  kind?: string;
  path?: string;
  create?: boolean;
}

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface PatchArg {
  path?: string;
  patch?: string;
  target?: Selector;
  options?: Record<string, boolean>;
}

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: string;
  literals?: string[];
  files?: string[];
  envs?: string[];
  env?: string;
  options?: GeneratorOptions;
  type?: string;
}

export interface ImageArg {
  name?: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

export interface LabelArg {
  pairs?: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpecArg[];
}

export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  commonLabels?: Record<string, string>;
  labels?: LabelArg[];
  commonAnnotations?: Record<string, string>;
  patchesStrategicMerge?: string[];
  patchesJson6902?: PatchArg[];
  patches?: PatchArg[];
  images?: ImageArg[];
  imageTags?: ImageArg[];
  replacements?: Record<string, unknown>[];
  replicas?: { name?: string; count?: number }[];
  sortOptions?: {
    order?: string;
    legacySortOptions?: { orderFirst?: string[]; orderLast?: string[] };
  };
  resources?: string[];
  components?: string[];
  bases?: string[];
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
  generatorOptions?: GeneratorOptions;
  buildMetadata?: string[];
  [key: string]: unknown;
}

type Shape =
  | "string"
  | "bool"
  | "int"
  | "any"
  | { map: Shape }
  | { list: Shape }
  | { obj: Record<string, Shape> };

const strMap: Shape = { map: "string" };
const strList: Shape = { list: "string" };
const fieldSpec: Shape = {
  obj: { group: "string", version: "string", kind: "string", path: "string", create: "bool" },
};
const selector: Shape = {
  obj: {
    group: "string",
    version: "string",
    kind: "string",
    name: "string",
    namespace: "string",
    labelSelector: "string",
    annotationSelector: "string",
  },
};
const patch: Shape = {
  obj: { path: "string", patch: "string", target: selector, options: { map: "bool" } },
};
const generatorOptions: Shape = {
  obj: { labels: strMap, annotations: strMap, disableNameSuffixHash: "bool", immutable: "bool" },
};
const generatorFields: Record<string, Shape> = {
  name: "string",
  namespace: "string",
  behavior: "string",
  literals: strList,
  files: strList,
  envs: strList,
  env: "string",
  options: generatorOptions,
};
const image: Shape = {
  obj: {
    name: "string",
    newName: "string",
    newTag: "string",
    digest: "string",
    tagSuffix: "string",
  },
};

const SHAPE: Record<string, Shape> = {
  apiVersion: "string",
  kind: "string",
  metadata: { obj: { name: "string", namespace: "string", labels: strMap, annotations: strMap } },
  openapi: strMap,
  namePrefix: "string",
  nameSuffix: "string",
  namespace: "string",
  commonLabels: strMap,
  labels: {
    list: {
      obj: {
        pairs: strMap,
        includeSelectors: "bool",
        includeTemplates: "bool",
        fields: { list: fieldSpec },
      },
    },
  },
  commonAnnotations: strMap,
  patchesStrategicMerge: strList,
  patchesJson6902: { list: patch },
  patches: { list: patch },
  images: { list: image },
  imageTags: { list: image },
  replacements: { list: "any" },
  replicas: { list: { obj: { name: "string", count: "int" } } },
  vars: { list: "any" },
  sortOptions: {
    obj: {
      order: "string",
      legacySortOptions: { obj: { orderFirst: strList, orderLast: strList } },
    },
  },
  resources: strList,
  components: strList,
  crds: strList,
  bases: strList,
  configMapGenerator: { list: { obj: generatorFields } },
  secretGenerator: { list: { obj: { ...generatorFields, type: "string" } } },
  helmGlobals: "any",
  helmCharts: "any",
  helmChartInflationGenerator: "any",
  generatorOptions,
  configurations: strList,
  generators: strList,
  transformers: strList,
  validators: strList,
  buildMetadata: strList,
};

/** Fields kustomize accepts that this implementation refuses, with the reason. */
const UNSUPPORTED: Record<string, string> = {
  helmGlobals: "Helm charts are not supported",
  helmCharts: "Helm charts are not supported (kustomize needs the helm binary for them)",
  helmChartInflationGenerator: "Helm charts are not supported",
  validators: "validator plugins are not supported",
};

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  return typeof value;
}

/** encoding/json's field matching: the exact name, else a case-insensitive one. */
function fieldFor(fields: Record<string, Shape>, key: string): string | undefined {
  if (Object.hasOwn(fields, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(fields).find((f) => f.toLowerCase() === lower);
}

/** The kustomization file being checked, and how to find a line in it. */
interface Source {
  file: string;
  text: string;
}

/** `images[0].newTag`, as kustomize's messages write a field's place. */
function pathText(segs: Path): string {
  return segs.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function fieldError(message: string, segs: Path, src: Source): KustomizeError {
  return new KustomizeError(message, {
    file: src.file,
    key: pathText(segs),
    line: lineAt(src.text, segs),
  });
}

function unknownField(segs: Path, known: string[], src: Source): KustomizeError {
  const name = String(segs[segs.length - 1]);
  const hint = didYouMean(name, known);
  return fieldError(
    `unknown field "${pathText(segs)}"${hint || " (not a kustomization field; check its spelling)"}`,
    segs,
    src,
  );
}

/** Checks `value` against `shape` and returns it with canonical field names. */
function check(value: unknown, shape: Shape, segs: Path, src: Source): unknown {
  if (value === null || value === undefined || shape === "any") return value;
  const path = pathText(segs);
  const fail = (want: string): never => {
    throw fieldError(`field "${path}" must be ${want}, not ${typeName(value)}`, segs, src);
  };
  if (shape === "string") {
    if (typeof value !== "string") fail("a string (quote it if it looks like a number or boolean)");
    return value;
  }
  if (shape === "bool") {
    if (typeof value !== "boolean") fail("true or false");
    return value;
  }
  if (shape === "int") {
    if (typeof value !== "number" || !Number.isInteger(value)) fail("an integer");
    return value;
  }
  if ("list" in shape) {
    if (!Array.isArray(value)) fail("a list");
    return (value as unknown[]).map((item, i) => check(item, shape.list, [...segs, i], src));
  }
  if (typeof value !== "object" || Array.isArray(value)) fail("a map");
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  if ("map" in shape) {
    for (const [k, v] of entries) setOwn(out, k, check(v, shape.map, [...segs, k], src));
    return out;
  }
  for (const [k, v] of entries) {
    const field = fieldFor(shape.obj, k);
    if (!field) throw unknownField([...segs, k], Object.keys(shape.obj), src);
    out[field] = check(v, shape.obj[field] as Shape, [...segs, field], src);
  }
  return out;
}

/** The text each kustomization was read from, to place messages about inline values. */
const texts = new WeakMap<Kustomization, string>();

export function kustomizationText(k: Kustomization): string | undefined {
  return texts.get(k);
}

export interface LoadedKustomization {
  k: Kustomization;
  /** Path of the kustomization file, for messages. */
  file: string;
}

/** Finds and parses the kustomization file of `ldr`'s root. */
export function loadKustomization(ldr: Loader): LoadedKustomization {
  const name = onlyKustomizationFile(kustomizationFilesIn(ldr.root), ldr.display(ldr.root));
  const file = ldr.display(ldr.abs(name));
  const text = ldr.readFile(name, { file });
  let data = parseYamlDocument(text, file, "v2");
  if (data === null || data === undefined) data = {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new KustomizeError("a kustomization must be a YAML map", { file });
  }
  const k: Kustomization = {};
  const src = { file, text };
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const field = fieldFor(SHAPE, key);
    if (!field) throw unknownField([key], Object.keys(SHAPE), src);
    k[field] = check(value, SHAPE[field] as Shape, [field], src);
  }
  const empty = Object.entries(k).every(
    ([key, v]) => key === "apiVersion" || key === "kind" || v === null || v === undefined,
  );
  if (empty) {
    throw new KustomizeError(
      "kustomization.yaml is empty: add resources, generators or transformers",
      { file },
    );
  }
  for (const [key, reason] of Object.entries(UNSUPPORTED)) {
    const value = k[key];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    // A missing file is reported as such, as kustomize would, before the refusal.
    const paths = Array.isArray(value) ? value : [];
    for (const path of paths) {
      if (typeof path !== "string" || path.includes("\n")) continue;
      refuseRemoteFile(path, { file, key });
      if (!ldr.exists(path)) {
        throw new KustomizeError(`file "${path}" not found (no such file or directory)`, {
          file,
          key,
        });
      }
    }
    throw new KustomizeError(`${reason}: remove "${key}" or build with kustomize`, { file, key });
  }
  for (const meta of k.buildMetadata ?? []) {
    if (
      meta !== "managedByLabel" &&
      meta !== "originAnnotations" &&
      meta !== "transformerAnnotations"
    ) {
      throw new KustomizeError(`buildMetadata "${meta}" is not supported`, {
        file,
        key: "buildMetadata",
      });
    }
  }
  fix(k);
  enforce(k, file);
  texts.set(k, text);
  return { k, file };
}

/** kustomize's FixKustomization: fold deprecated fields into their successors. */
function fix(k: Kustomization): void {
  if (!k.kind) k.kind = "Kustomization";
  if (k.bases?.length) k.resources = [...(k.resources ?? []), ...k.bases];
  if (k.imageTags?.length) k.images = [...(k.images ?? []), ...k.imageTags];
  for (const list of [k.configMapGenerator, k.secretGenerator]) {
    for (const g of list ?? []) {
      if (g.env) g.envs = [...(g.envs ?? []), g.env];
    }
  }
}

function enforce(k: Kustomization, file: string): void {
  const errs: string[] = [];
  if (k.kind !== "Kustomization" && k.kind !== "Component") {
    errs.push("kind should be Kustomization or Component");
  }
  const required =
    k.kind === "Component" ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1";
  if (k.apiVersion && k.apiVersion !== required)
    errs.push(`apiVersion for ${k.kind} should be ${required}`);
  if (errs.length > 0)
    throw new KustomizeError(errs.join("; "), {
      file,
      key: errs[0]?.startsWith("kind") ? "kind" : "apiVersion",
    });
}

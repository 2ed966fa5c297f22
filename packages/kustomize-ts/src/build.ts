/**
 * `kustomize build`: accumulate resources depth-first (bases, generators, components),
 * run each kustomization's transformers in kustomize's order, then at the top add
 * content hashes, fix name references and sort.
 */
import { basename, posix } from "node:path";
import { type BuildOptions, type KubernetesObject, KustomizeError } from "./api.ts";
import { crdConfig } from "./config/crds.ts";
import { BuildContext, originText, type TransformContext } from "./context.ts";
import { generate } from "./generators.ts";
import { type Kustomization, kustomizationText, loadKustomization } from "./kustomization.ts";
import { Loader, looksRemote } from "./loader.ts";
import { setOwn } from "./own.ts";
import { customSchema } from "./patches/custom-schema.ts";
import { Schema } from "./patches/schema.ts";
import {
  builtinKind,
  generatorArgs,
  iamPolicyGenerator,
  type PluginConfig,
  type PluginWhere,
  runTransformerConfig,
} from "./plugins.ts";
import { idEquals, idKey, idString, type Resource } from "./resource.ts";
import { resourcesFromText } from "./resources.ts";
import type { FieldSpec } from "./slash-path.ts";
import { sortResources } from "./sort.ts";
import { addContentHashes } from "./transformers/hash.ts";
import { imageTagTransformer } from "./transformers/images.ts";
import { annotationsTransformer, labelTransformer } from "./transformers/meta.ts";
import { fixNameReferences } from "./transformers/nameref.ts";
import { namespaceTransformer } from "./transformers/namespace.ts";
import {
  patchJson6902Transformer,
  patchStrategicMergeTransformer,
  patchTransformer,
} from "./transformers/patches.ts";
import { prefixSuffixTransformer } from "./transformers/prefixsuffix.ts";
import { replacementTransformer } from "./transformers/replacements.ts";
import { replicaCountTransformer } from "./transformers/replicas.ts";
import { mergeVars, resolveVars } from "./transformers/vars.ts";
import { innerLine } from "./yaml/locate.ts";
import { parseYamlStream } from "./yaml/parse.ts";

const METADATA_LABELS: FieldSpec = {
  group: "",
  version: "",
  kind: "",
  path: "metadata/labels",
  create: true,
};

/** Renders the kustomization in `dir` like `kustomize build dir`. */
export function build(dir: string, options: BuildOptions = {}): KubernetesObject[] {
  const ldr = Loader.at(dir, options.loadRestrictor ?? "rootOnly");
  const { k, file } = loadKustomization(ldr);
  const meta = k.buildMetadata ?? [];
  const ctx = new BuildContext(meta.length > 0);
  return finishBuild(ctx, accumulateTarget(ctx, ldr, k, file, []), k, file, meta);
}

function finishBuild(
  ctx: BuildContext,
  list: Resource[],
  k: Kustomization,
  file: string,
  meta: readonly string[],
): KubernetesObject[] {
  addContentHashes(list);
  checkRoleBindingSubjects(list);
  fixNameReferences(list, ctx.config.nameReferences());
  resolveVars(ctx.vars, list, ctx.config.specs("varReference"));
  // Local configuration takes part in the whole build (a replacement's source, say) and is
  // left out of the output only now, as kustomize does.
  const sorted = sortResources(
    list.filter((r) => r.annotations()["config.kubernetes.io/local-config"] !== "true"),
    k,
    file,
  );
  const managedBy = meta.includes("managedByLabel");
  const origins = meta.includes("originAnnotations");
  const transformations = meta.includes("transformerAnnotations");
  return sorted.map((r) => {
    if (origins && r.origin !== undefined)
      setAnnotation(r, "config.kubernetes.io/origin", r.origin);
    if (transformations && r.transformations.length > 0) {
      const list = r.transformations
        .map((t) => `- ${t.replaceAll("\n", "\n  ").trimEnd()}\n`)
        .join("");
      setAnnotation(r, "alpha.config.kubernetes.io/transformations", list);
    }
    checkJsonable(r.obj, r.source);
    return finish(r.obj, managedBy);
  });
}

/**
 * kustomize's name-reference step refuses a RoleBinding whose ServiceAccount subject has
 * `namespace: null` (an empty string or no key is accepted).
 */
function checkRoleBindingSubjects(list: readonly Resource[]): void {
  for (const r of list) {
    if (r.kind !== "RoleBinding" || !Array.isArray(r.obj.subjects)) continue;
    for (const subject of r.obj.subjects as unknown[]) {
      if (subject === null || typeof subject !== "object") continue;
      const s = subject as Record<string, unknown>;
      if (s.kind === "ServiceAccount" && Object.hasOwn(s, "namespace") && s.namespace === null) {
        throw new KustomizeError(
          `Invalid Input: namespace is blank for resource "${idString(r.curId())}": give subject ${String(s.name)} a namespace, or remove its namespace key`,
          { file: r.source },
        );
      }
    }
  }
}

/** kustomize prints through encoding/json, which refuses infinities and NaN. */
function checkJsonable(value: unknown, source: string): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      const text = Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
      throw new KustomizeError(
        `json: unsupported value: ${text} (.inf and .nan cannot be written as JSON)`,
        {
          file: source,
        },
      );
    }
  } else if (Array.isArray(value)) {
    for (const item of value) checkJsonable(item, source);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) checkJsonable(item, source);
  }
}

function setAnnotation(r: Resource, key: string, value: string): void {
  const meta = r.meta() as Record<string, unknown>;
  const annotations = (
    meta.annotations && typeof meta.annotations === "object" ? meta.annotations : {}
  ) as Record<string, unknown>;
  annotations[key] = value;
  meta.annotations = annotations;
}

function finish(obj: KubernetesObject, managedBy: boolean): KubernetesObject {
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === "object") {
    const annotations = meta.annotations;
    if (
      annotations === null ||
      (typeof annotations === "object" && Object.keys(annotations as object).length === 0)
    ) {
      delete meta.annotations;
    } else if (typeof annotations === "object" && !Array.isArray(annotations)) {
      // kustomize rewrites annotations as a string map when it drops its build annotations.
      const map = annotations as Record<string, unknown>;
      for (const [key, value] of Object.entries(map)) {
        if (value !== null && typeof value !== "string" && typeof value !== "object")
          map[key] = String(value);
      }
    }
    if (managedBy) {
      const labels = (meta.labels && typeof meta.labels === "object" ? meta.labels : {}) as Record<
        string,
        unknown
      >;
      labels["app.kubernetes.io/managed-by"] = "kustomize-(devel)";
      meta.labels = labels;
    }
  }
  return obj;
}

function where(file: string, key: string): { file: string; key: string } {
  return { file, key };
}

function append(list: Resource[], incoming: readonly Resource[], file: string, key: string): void {
  // One set per call: a file of thousands of documents must not compare each with each.
  const seen = new Set(list.map((other) => idKey(other.curId())));
  for (const r of incoming) {
    const id = r.curId();
    const k = idKey(id);
    if (seen.has(k)) {
      throw new KustomizeError(
        `may not add resource with an already registered id: ${idString(id)} (from ${r.source}): it is declared twice`,
        where(file, key),
      );
    }
    seen.add(k);
    list.push(r);
  }
}

function loadConfigurations(ctx: BuildContext, ldr: Loader, k: Kustomization, file: string): void {
  ((k.configurations as string[] | undefined) ?? []).forEach((path, i) => {
    const where = { file, key: `configurations[${i}]` };
    const text = ldr.readFile(path, where);
    for (const doc of parseYamlStream(text, ldr.display(ldr.abs(path)), "v2"))
      ctx.config.add(doc, ldr.display(ldr.abs(path)));
  });
}

/** `crds`: the name references and fields their annotations declare. */
function loadCrds(ctx: BuildContext, ldr: Loader, k: Kustomization, file: string): void {
  ((k.crds as string[] | undefined) ?? []).forEach((path, i) => {
    const at = where(file, `crds[${i}]`);
    const text = ldr.readFile(path, at);
    const shown = ldr.display(ldr.abs(path));
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = parseYamlStream(text, shown)[0];
    }
    ctx.config.add(crdConfig(doc, shown), shown);
  });
}

function accumulateTarget(
  ctx: BuildContext,
  ldr: Loader,
  k: Kustomization,
  file: string,
  list: Resource[],
): Resource[] {
  loadOpenApi(ctx, ldr, k, file);
  accumulateResources(ctx, ldr, k, file, list);
  loadConfigurations(ctx, ldr, k, file);
  loadCrds(ctx, ldr, k, file);
  runGenerators(ctx, ldr, k, file, list);
  for (const [i, path] of (k.components ?? []).entries()) {
    const key = `components[${i}]`;
    if (looksRemote(path))
      throw new KustomizeError(`remote components are not supported: ${path}`, where(file, key));
    const child = ldr.child(path, where(file, key));
    const sub = loadKustomization(child);
    if (sub.k.kind !== "Component") {
      throw new KustomizeError(
        `expected kind 'Component' for path '${path}' but got '${sub.k.kind}'`,
        where(file, key),
      );
    }
    accumulateTarget(ctx, child, sub.k, sub.file, list);
  }
  runTransformers(ctx, ldr, k, file, list);
  if (Array.isArray(k.vars) && k.vars.length > 0) mergeVars(ctx.vars, k.vars, list, file);
  return list;
}

/**
 * `openapi`: a custom schema replaces the built-in one for the rest of the build, from
 * whichever kustomization names it (a base's too), as in kustomize.
 */
function loadOpenApi(ctx: BuildContext, ldr: Loader, k: Kustomization, file: string): void {
  const openapi = k.openapi as Record<string, string> | undefined | null;
  if (!openapi) return;
  const at = where(file, "openapi");
  for (const key of Object.keys(openapi)) {
    if (key !== "path" && key !== "version") {
      throw new KustomizeError(`unknown field "openapi.${key}": openapi takes path or version`, at);
    }
  }
  const { path, version } = openapi;
  if (path !== undefined && version !== undefined) {
    throw new KustomizeError("builtin version and custom schema provided, cannot use both", at);
  }
  if (version !== undefined) {
    if (version !== "v1.21.2") {
      throw new KustomizeError(
        `the specified OpenAPI version is not built in: "${version}" (kustomize 5.5 has v1.21.2)`,
        at,
      );
    }
    ctx.schema = Schema.builtIn;
    return;
  }
  if (path === undefined) return;
  const text = ldr.readFile(path, at);
  const shown = ldr.display(ldr.abs(path));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = parseYamlStream(text, shown)[0];
  }
  ctx.schema = new Schema(customSchema(doc, shown));
}

function accumulateResources(
  ctx: BuildContext,
  ldr: Loader,
  k: Kustomization,
  file: string,
  list: Resource[],
): void {
  for (const [i, path] of (k.resources ?? []).entries()) {
    const key = `resources[${i}]`;
    if (typeof path !== "string" || path === "") {
      throw new KustomizeError(
        "empty resource entry: give a file or directory path",
        where(file, key),
      );
    }
    if (looksRemote(path) && !ldr.exists(path)) {
      throw new KustomizeError(
        `remote resources are not supported: ${path} (vendor it into the repository)`,
        where(file, key),
      );
    }
    if (!ldr.exists(path)) {
      throw new KustomizeError(
        `resource "${path}" not found: no such file or directory`,
        where(file, key),
      );
    }
    if (ldr.isDir(path)) {
      const child = ldr.child(path, where(file, key));
      const sub = loadKustomization(child);
      if (sub.k.kind === "Component") {
        throw new KustomizeError(
          `expected kind != 'Component' for path '${path}': list components under "components"`,
          where(file, key),
        );
      }
      append(list, accumulateTarget(ctx, child, sub.k, sub.file, []), file, key);
    } else {
      const text = ldr.readFile(path, where(file, key));
      const loaded = resourcesFromText(text, ldr.display(ldr.abs(path)));
      if (ctx.tracing)
        for (const r of loaded) r.origin = `path: ${posix.join(ldr.originPath, path)}\n`;
      append(list, loaded, file, key);
    }
  }
}

function runGenerators(
  ctx: BuildContext,
  ldr: Loader,
  k: Kustomization,
  file: string,
  list: Resource[],
): void {
  const gens: Resource[] = [];
  (k.configMapGenerator ?? []).forEach((args, i) => {
    gens.push(generate(ldr, args, "ConfigMap", k.generatorOptions, file, i));
  });
  (k.secretGenerator ?? []).forEach((args, i) => {
    gens.push(generate(ldr, args, "Secret", k.generatorOptions, file, i));
  });
  const plugged: { res: Resource; key: string }[] = [];
  for (const { config, where, configuredIn } of pluginConfigs(
    ctx,
    ldr,
    k.generators,
    file,
    "generators",
  )) {
    const kind = builtinKind(config, where);
    if (kind === "IAMPolicyGenerator") {
      const name = String((config.metadata as Record<string, unknown>).name);
      for (const res of iamPolicyGenerator(config, where)) {
        if (ctx.tracing) res.origin = originText(configuredIn, kind, name);
        plugged.push({ res, key: where.key });
      }
      continue;
    }
    if (kind !== "ConfigMapGenerator" && kind !== "SecretGenerator") {
      throw new KustomizeError(`${kind} is not a generator: list it under "transformers"`, where);
    }
    const args = generatorArgs(config, where);
    const index = Number(/\[(\d+)\]/.exec(where.key)?.[1] ?? 0);
    const res = generate(
      ldr,
      args,
      kind === "ConfigMapGenerator" ? "ConfigMap" : "Secret",
      undefined,
      file,
      index,
    );
    if (ctx.tracing) res.origin = originText(configuredIn, kind, args.name);
    plugged.push({ res, key: where.key });
  }
  for (const res of gens) {
    if (ctx.tracing) {
      const kind = res.kind === "ConfigMap" ? "ConfigMapGenerator" : "SecretGenerator";
      res.origin = originText(posix.join(ldr.originPath, basename(file)), kind);
    }
    absorb(list, res, file);
  }
  for (const { res, key } of plugged) absorb(list, res, file, key);
}

function mergeMaps(a: unknown, b: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of [a, b]) {
    if (m && typeof m === "object" && !Array.isArray(m)) {
      for (const [key, value] of Object.entries(m)) setOwn(out, key, value);
    }
  }
  return out;
}

function setOrDelete(
  holder: Record<string, unknown>,
  key: string,
  value: Record<string, unknown>,
): void {
  if (Object.keys(value).length === 0) delete holder[key];
  else holder[key] = value;
}

/** Adds a generated resource, or merges/replaces it into an existing one per its behavior. */
function absorb(
  list: Resource[],
  res: Resource,
  file: string,
  key = res.kind === "ConfigMap" ? "configMapGenerator" : "secretGenerator",
): void {
  const id = res.curId();
  const matches = list.filter((r) =>
    [...r.previousIds(), r.curId()].some((other) => idEquals(other, id)),
  );
  if (matches.length === 0) {
    if (res.behavior === "merge" || res.behavior === "replace") {
      throw new KustomizeError(
        `${res.kind} ${res.name} does not exist; cannot merge or replace (behavior "${res.behavior}" needs it in a base)`,
        where(file, key),
      );
    }
    append(list, [res], file, key);
    return;
  }
  if (matches.length > 1) {
    throw new KustomizeError(
      `found multiple objects that could accept merge of ${idString(id)}`,
      where(file, key),
    );
  }
  const old = matches[0] as Resource;
  if (res.behavior !== "merge" && res.behavior !== "replace") {
    throw new KustomizeError(
      `${idString(id)} already exists; set behavior to merge or replace to change it`,
      where(file, key),
    );
  }
  const meta = res.meta() as Record<string, unknown>;
  const oldMeta = old.meta() as Record<string, unknown>;
  setOrDelete(meta, "labels", mergeMaps(oldMeta.labels, meta.labels));
  setOrDelete(meta, "annotations", mergeMaps(oldMeta.annotations, meta.annotations));
  meta.name = old.name;
  if (old.namespace) meta.namespace = old.namespace;
  else delete meta.namespace;
  if (res.behavior === "merge") {
    const obj = res.obj as Record<string, unknown>;
    setOrDelete(obj, "data", mergeMaps(old.obj.data, obj.data));
    setOrDelete(obj, "binaryData", mergeMaps(old.obj.binaryData, obj.binaryData));
  }
  // kustomize keeps the old resource's name history; a hash is added only if both want one.
  res.needsHash = old.needsHash && res.needsHash;
  res.prevIds = old.prevIds;
  res.prefixes = old.prefixes;
  res.suffixes = old.suffixes;
  res.transformations = old.transformations;
  if (res.behavior === "merge") res.origin = old.origin ?? res.origin;
  list[list.indexOf(old)] = res;
}

function labelSpecs(
  ctx: BuildContext,
  label: NonNullable<Kustomization["labels"]>[number],
): FieldSpec[] {
  const specs: FieldSpec[] = (label.fields ?? []).map((f) => ({
    group: f.group ?? "",
    version: f.version ?? "",
    kind: f.kind ?? "",
    path: f.path ?? "",
    create: f.create === true,
  }));
  const add = (extra: readonly FieldSpec[]) => {
    for (const s of extra) {
      if (
        !specs.some(
          (o) =>
            o.path === s.path &&
            o.group === s.group &&
            o.version === s.version &&
            o.kind === s.kind,
        )
      ) {
        specs.push(s);
      }
    }
  };
  if (label.includeSelectors) add(ctx.config.specs("commonLabels"));
  else {
    if (label.includeTemplates) add(ctx.config.specs("templateLabels"));
    add([METADATA_LABELS]);
  }
  // `configurations:` specs under `labels` apply to every labels entry.
  add(ctx.config.specs("labels"));
  return specs;
}

function runTransformers(
  ctx: BuildContext,
  ldr: Loader,
  k: Kustomization,
  file: string,
  list: Resource[],
): void {
  try {
    runTransformersUnchecked(ctx, ldr, k, file, list);
  } catch (error) {
    // Errors from deep inside a transformer still name the kustomization that ran it.
    if (error instanceof KustomizeError && error.file === undefined) {
      throw new KustomizeError(error.message, { file });
    }
    throw inlineErrorInPlace(error, k, file);
  }
}

/**
 * An error in an inline patch names `file (patches[0])` and a line of the patch: point at
 * that line of the kustomization file instead, which is where the user looks.
 */
function inlineErrorInPlace(error: unknown, k: Kustomization, file: string): unknown {
  if (!(error instanceof KustomizeError) || error.line === undefined) return error;
  const match = /^ \((patches|patchesJson6902|patchesStrategicMerge)\[(\d+)\]\)$/.exec(
    error.file?.startsWith(file) ? error.file.slice(file.length) : "",
  );
  const text = kustomizationText(k);
  if (!match || text === undefined) return error;
  const field = match[1] as "patches" | "patchesJson6902" | "patchesStrategicMerge";
  const index = Number(match[2]);
  const path = field === "patchesStrategicMerge" ? [field, index] : [field, index, "patch"];
  const entry = k[field]?.[index];
  const raw = typeof entry === "string" ? entry : (entry?.patch ?? "");
  // `patches` reads its inline patch trimmed: count the lines cut from its start.
  const skipped = field === "patches" ? (/^\s*/.exec(raw)?.[0].split("\n").length ?? 1) - 1 : 0;
  const line = innerLine(text, path, error.line, skipped);
  return new KustomizeError(error.reason, { file, key: match[0].slice(2, -1), line });
}

/**
 * The kustomization's own transformer fields, in kustomize's order, then its `transformers:`.
 * Each field becomes the config its builtin plugin would get and runs the same transformer.
 */
function runTransformersUnchecked(
  build: BuildContext,
  ldr: Loader,
  k: Kustomization,
  file: string,
  list: Resource[],
): void {
  const configuredIn = posix.join(ldr.originPath, basename(file));
  const specs = build.config;
  const at = (key: string): TransformContext => ({ build, ldr, where: where(file, key) });
  const t = (kind: string) => {
    if (build.tracing) build.trace(list, originText(configuredIn, kind));
  };
  if (k.patchesStrategicMerge?.length) {
    patchStrategicMergeTransformer(list, at("patchesStrategicMerge"), {
      paths: k.patchesStrategicMerge,
    });
    t("PatchStrategicMergeTransformer");
  }
  (k.patches ?? []).forEach((p, i) => {
    patchTransformer(list, at(`patches[${i}]`), p);
    t("PatchTransformer");
  });
  if (k.namespace) {
    namespaceTransformer(list, at("namespace"), {
      namespace: k.namespace,
      fieldSpecs: specs.specs("namespace"),
    });
    t("NamespaceTransformer");
  }
  if (k.namePrefix) {
    prefixSuffixTransformer(list, at("namePrefix"), {
      prefix: k.namePrefix,
      fieldSpecs: specs.specs("namePrefix"),
    });
    t("PrefixTransformer");
  }
  if (k.nameSuffix) {
    prefixSuffixTransformer(list, at("nameSuffix"), {
      suffix: k.nameSuffix,
      fieldSpecs: specs.specs("nameSuffix"),
    });
    t("SuffixTransformer");
  }
  const labels = k.labels ?? [];
  for (const label of labels) {
    labelTransformer(list, at("labels"), {
      labels: label.pairs ?? {},
      fieldSpecs: labelSpecs(build, label),
    });
    t("LabelTransformer");
  }
  if (labels.length > 0 || Object.keys(k.commonLabels ?? {}).length > 0) {
    labelTransformer(list, at("commonLabels"), {
      labels: k.commonLabels ?? {},
      fieldSpecs: specs.specs("commonLabels"),
    });
    t("LabelTransformer");
  }
  if (Object.keys(k.commonAnnotations ?? {}).length > 0) {
    annotationsTransformer(list, at("commonAnnotations"), {
      annotations: k.commonAnnotations ?? {},
      fieldSpecs: specs.specs("commonAnnotations"),
    });
    t("AnnotationsTransformer");
  }
  (k.patchesJson6902 ?? []).forEach((p, i) => {
    patchJson6902Transformer(list, at(`patchesJson6902[${i}]`), p);
    t("PatchJson6902Transformer");
  });
  for (const r of k.replicas ?? []) {
    replicaCountTransformer(list, at("replicas"), {
      replica: { name: r.name ?? "", count: r.count ?? 0 },
      fieldSpecs: specs.specs("replicas"),
    });
    t("ReplicaCountTransformer");
  }
  for (const img of k.images ?? []) {
    imageTagTransformer(list, at("images"), { imageTag: img, fieldSpecs: specs.specs("images") });
    t("ImageTagTransformer");
  }
  if (k.replacements?.length) {
    replacementTransformer(list, at("replacements"), { replacements: k.replacements });
    t("ReplacementTransformer");
  }
  for (const { config, where, configuredIn } of pluginConfigs(
    build,
    ldr,
    k.transformers,
    file,
    "transformers",
  )) {
    runTransformerConfig(list, { build, ldr, where }, config);
    const name = String((config.metadata as Record<string, unknown>).name);
    build.trace(list, originText(configuredIn, String(config.kind), name));
  }
}

/**
 * The plugin configs a `generators:` or `transformers:` list names: files of configs,
 * directories whose kustomization builds them, or inline YAML.
 */
function pluginConfigs(
  ctx: BuildContext,
  ldr: Loader,
  entries: unknown,
  file: string,
  field: "generators" | "transformers",
): { config: PluginConfig; where: PluginWhere; configuredIn: string }[] {
  if (!Array.isArray(entries)) return [];
  const out: { config: PluginConfig; where: PluginWhere; configuredIn: string }[] = [];
  entries.forEach((entry, i) => {
    const key = `${field}[${i}]`;
    const at = where(file, key);
    // buildMetadata names the file a config came from: its own, or the kustomization's.
    const add = (docs: unknown[], configuredIn: string | ((i: number) => string)) => {
      docs.forEach((config, n) => {
        const from = typeof configuredIn === "string" ? configuredIn : configuredIn(n);
        out.push({ config: config as PluginConfig, where: at, configuredIn: from });
      });
    };
    if (typeof entry !== "string" || entry.trim() === "") {
      throw new KustomizeError(`empty ${field} entry: give a file, a directory or inline YAML`, at);
    }
    if (entry.includes("\n") || /^\s*(apiVersion|kind)\s*:/.test(entry)) {
      add(parseYamlStream(entry, `${file} (${key})`), posix.join(ldr.originPath, basename(file)));
    } else if (looksRemote(entry) && !ldr.exists(entry)) {
      throw new KustomizeError(`remote ${field} are not supported: ${entry}`, at);
    } else if (ldr.isDir(entry)) {
      const child = ldr.child(entry, at);
      const sub = loadKustomization(child);
      const built = accumulateTarget(ctx, child, sub.k, sub.file, []);
      add(
        built.map((r) => r.obj),
        (n) =>
          /^path: (.*)$/m.exec(built[n]?.origin ?? "")?.[1] ?? posix.join(ldr.originPath, entry),
      );
    } else if (ldr.exists(entry)) {
      add(
        parseYamlStream(ldr.readFile(entry, at), ldr.display(ldr.abs(entry))),
        posix.join(ldr.originPath, entry),
      );
    } else {
      throw new KustomizeError(
        `${field} entry "${entry}" not found: no such file or directory`,
        at,
      );
    }
  });
  return out;
}

/**
 * Builtin plugin configs listed under `generators:` and `transformers:` (`apiVersion: builtin`):
 * each drives the same transformer a kustomization field does, with the config's own field
 * specs. Plugins of any other apiVersion stay refused, as kustomize refuses them without
 * --enable-alpha-plugins.
 */
import { basename } from "node:path";
import { KustomizeError } from "./api.ts";
import { toSpec } from "./config/transformer-config.ts";
import type { TransformContext, Where } from "./context.ts";
import { iamPolicyArgs, iamPolicyResources } from "./iam-policy-generator.ts";
import type { GeneratorArgs, ImageArg, PatchArg, Selector } from "./kustomization.ts";
import type { Resource } from "./resource.ts";
import type { FieldSpec } from "./slash-path.ts";
import { didYouMean } from "./suggest.ts";
import { hashTransformer } from "./transformers/hash.ts";
import { imageTagTransformer } from "./transformers/images.ts";
import { annotationsTransformer, labelTransformer } from "./transformers/meta.ts";
import { namespaceTransformer, SUBJECT_MODES, type SubjectMode } from "./transformers/namespace.ts";
import {
  patchJson6902Transformer,
  patchStrategicMergeTransformer,
  patchTransformer,
} from "./transformers/patches.ts";
import { prefixSuffixTransformer } from "./transformers/prefixsuffix.ts";
import { replacementTransformer } from "./transformers/replacements.ts";
import { replicaCountTransformer } from "./transformers/replicas.ts";
import type { ValueAddConfig } from "./transformers/value-add.ts";
import { type ValueAddTarget, valueAddTransformer } from "./transformers/value-add.ts";
import { parseYamlStream } from "./yaml/parse.ts";

export type PluginConfig = Record<string, unknown>;

/** Where a config was listed: the kustomization file and `transformers[2]`. */
export type PluginWhere = Where;

/** kustomize's builtin plugins that kustomize-ts does not run. */
const UNSUPPORTED_BUILTINS = new Set(["HelmChartInflationGenerator"]);

/** Every builtin kind kustomize-ts runs, for did-you-mean. */
const SUPPORTED_BUILTINS = [
  "ConfigMapGenerator",
  "SecretGenerator",
  "IAMPolicyGenerator",
  "LabelTransformer",
  "AnnotationsTransformer",
  "NamespaceTransformer",
  "PrefixSuffixTransformer",
  "PrefixTransformer",
  "SuffixTransformer",
  "ImageTagTransformer",
  "ReplicaCountTransformer",
  "PatchTransformer",
  "PatchStrategicMergeTransformer",
  "PatchJson6902Transformer",
  "ReplacementTransformer",
  "HashTransformer",
  "ValueAddTransformer",
];

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function idOf(config: PluginConfig): string {
  const meta = isMap(config.metadata) ? config.metadata : {};
  return `${String(config.kind)}.builtin.[noGrp]/${String(meta.name ?? "")}.${String(meta.namespace ?? "[noNs]")}`;
}

/** Checks that `config` is a builtin plugin config and returns its kind. */
export function builtinKind(config: unknown, where: PluginWhere): string {
  if (!isMap(config) || typeof config.kind !== "string" || config.kind === "") {
    throw new KustomizeError("a plugin config must be a map with apiVersion and kind", where);
  }
  const meta = config.metadata;
  if (!isMap(meta) || typeof meta.name !== "string" || meta.name === "") {
    throw new KustomizeError(`plugin config ${config.kind} needs metadata.name`, where);
  }
  if (config.apiVersion !== "builtin") {
    throw new KustomizeError(
      `external plugins disabled; unable to load external plugin '${config.kind}': kustomize-ts runs only builtin plugins (apiVersion: builtin)`,
      where,
    );
  }
  if (UNSUPPORTED_BUILTINS.has(config.kind)) {
    throw new KustomizeError(
      `builtin plugin ${config.kind} is not supported by kustomize-ts: use the kustomization field that does the same, or build with kustomize`,
      where,
    );
  }
  return config.kind;
}

function fail(config: PluginConfig, where: PluginWhere, problem: string): never {
  throw new KustomizeError(`plugin ${idOf(config)} fails configuration: ${problem}`, where);
}

function stringMap(config: PluginConfig, key: string, where: PluginWhere): Record<string, string> {
  const value = config[key];
  if (value === undefined || value === null) return {};
  if (!isMap(value)) fail(config, where, `${key} must be a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") fail(config, where, `${key}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

function fieldSpecs(config: PluginConfig, where: PluginWhere): FieldSpec[] {
  const value = config.fieldSpecs;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(config, where, "fieldSpecs must be a list");
  return value.map((raw) => toSpec(raw, where));
}

function optionalString(config: PluginConfig, key: string, where: PluginWhere): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(config, where, `${key} must be a string`);
  return value;
}

function optionalMap<T>(config: PluginConfig, key: string, where: PluginWhere): T | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (!isMap(value)) fail(config, where, `${key} must be a map`);
  return value as T;
}

/** The arguments of a ConfigMapGenerator or SecretGenerator config (name from metadata). */
export function generatorArgs(config: PluginConfig, where: PluginWhere): GeneratorArgs {
  const meta = config.metadata as Record<string, unknown>;
  const list = (key: string): string[] | undefined => {
    const value = config[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      fail(config, where, `${key} must be a list of strings`);
    }
    return value as string[];
  };
  const args: GeneratorArgs = { name: meta.name as string };
  if (typeof meta.namespace === "string") args.namespace = meta.namespace;
  const behavior = optionalString(config, "behavior", where);
  if (behavior !== undefined) args.behavior = behavior;
  const type = optionalString(config, "type", where);
  if (type !== undefined) args.type = type;
  for (const key of ["literals", "files", "envs"] as const) {
    const value = list(key);
    if (value !== undefined) args[key] = value;
  }
  const env = optionalString(config, "env", where);
  if (env !== undefined) args.envs = [...(args.envs ?? []), env];
  const options = optionalMap<GeneratorArgs["options"]>(config, "options", where);
  if (options !== undefined) args.options = options;
  return args;
}

/** The ServiceAccount an IAMPolicyGenerator config generates. */
export function iamPolicyGenerator(config: PluginConfig, where: PluginWhere): Resource[] {
  const args = iamPolicyArgs(config, (problem) => fail(config, where, problem));
  const meta = config.metadata as Record<string, unknown>;
  return iamPolicyResources(args, String(meta.name), where);
}

/** A ValueAddTransformer config: its targets, then those of its `targetFilePath` file. */
function valueAddConfig(ctx: TransformContext, config: PluginConfig): ValueAddConfig {
  const { ldr, where } = ctx;
  // kustomize's default value is the name of the kustomization's directory.
  const value = (optionalString(config, "value", where) ?? "").trim() || basename(ldr.root);
  const raw: unknown[] = [];
  const listed = config.targets ?? [];
  if (!Array.isArray(listed)) fail(config, where, "targets must be a list");
  raw.push(...listed);
  const file = optionalString(config, "targetFilePath", where);
  if (file !== undefined && file !== "") {
    const shown = ldr.display(ldr.abs(file));
    const doc = parseYamlStream(ldr.readFile(file, where), shown)[0];
    const more = isMap(doc) ? (doc.targets ?? []) : [];
    if (!Array.isArray(more)) fail(config, where, `targets in ${shown} must be a list`);
    raw.push(...more);
  }
  if (raw.length === 0) fail(config, where, "must specify at least one target");
  const targets = raw.map((entry): ValueAddTarget => {
    if (!isMap(entry)) fail(config, where, "each target must be a map");
    const { selector, fieldPath, filePathPosition = 0 } = entry;
    if (fieldPath === undefined || fieldPath === null || fieldPath === "") {
      fail(config, where, "fieldPath cannot be empty");
    }
    if (typeof fieldPath !== "string") fail(config, where, "fieldPath must be a string");
    if (typeof filePathPosition !== "number" || !Number.isInteger(filePathPosition)) {
      fail(config, where, "filePathPosition must be an integer");
    }
    if (filePathPosition < 0) {
      fail(config, where, `value of FilePathPosition (${filePathPosition}) cannot be negative`);
    }
    if (selector !== undefined && selector !== null && !isMap(selector)) {
      fail(config, where, "selector must be a map");
    }
    const target: ValueAddTarget = { fieldPath, filePathPosition };
    if (isMap(selector)) target.selector = selector as Selector;
    return target;
  });
  return { value, targets };
}

/**
 * Runs one builtin transformer config on `list`: the config becomes the same transformer
 * config a kustomization field gives, with the plugin's own field specs.
 */
export function runTransformerConfig(
  list: Resource[],
  ctx: TransformContext,
  config: PluginConfig,
): void {
  const { where } = ctx;
  const kind = builtinKind(config, where);
  const specs = () => fieldSpecs(config, where);
  switch (kind) {
    case "LabelTransformer":
      labelTransformer(list, ctx, {
        labels: stringMap(config, "labels", where),
        fieldSpecs: specs(),
      });
      return;
    case "AnnotationsTransformer":
      annotationsTransformer(list, ctx, {
        annotations: stringMap(config, "annotations", where),
        fieldSpecs: specs(),
      });
      return;
    case "NamespaceTransformer": {
      const meta = config.metadata as Record<string, unknown>;
      const namespace = typeof meta.namespace === "string" ? meta.namespace : "";
      const unsetOnly = config.unsetOnly ?? false;
      if (typeof unsetOnly !== "boolean") fail(config, where, "unsetOnly must be true or false");
      const subjects = config.setRoleBindingSubjects ?? "";
      const mode = subjects === "" ? "defaultOnly" : subjects;
      if (!SUBJECT_MODES.includes(mode as SubjectMode)) {
        fail(
          config,
          where,
          `invalid value "${String(subjects)}" for setRoleBindingSubjects: must be one of "defaultOnly", "none" or "allServiceAccounts"`,
        );
      }
      if (namespace === "") return;
      // metadata.namespace is always set on namespaced kinds; the specs add other fields.
      const others = specs().filter((s) => s.path !== "metadata/namespace");
      namespaceTransformer(list, ctx, {
        namespace,
        fieldSpecs: others,
        unsetOnly,
        setRoleBindingSubjects: mode as SubjectMode,
      });
      return;
    }
    case "PrefixSuffixTransformer":
    case "PrefixTransformer":
    case "SuffixTransformer": {
      if (config.fieldSpecs === undefined || config.fieldSpecs === null) {
        fail(config, where, "fieldSpecs is not expected to be nil");
      }
      // PrefixSuffixTransformer runs both steps, each with "" when its affix is absent.
      const prefix =
        kind === "SuffixTransformer" ? undefined : (optionalString(config, "prefix", where) ?? "");
      const suffix =
        kind === "PrefixTransformer" ? undefined : (optionalString(config, "suffix", where) ?? "");
      const affixes: { prefix?: string; suffix?: string } = {};
      if (prefix !== undefined) affixes.prefix = prefix;
      if (suffix !== undefined) affixes.suffix = suffix;
      prefixSuffixTransformer(list, ctx, { ...affixes, fieldSpecs: specs() });
      return;
    }
    case "ImageTagTransformer": {
      const image = optionalMap<ImageArg>(config, "imageTag", where) ?? {};
      imageTagTransformer(list, ctx, { imageTag: image, fieldSpecs: specs() });
      return;
    }
    case "ReplicaCountTransformer": {
      const replica =
        optionalMap<{ name?: unknown; count?: unknown }>(config, "replica", where) ?? {};
      const count = replica.count ?? 0;
      if (typeof count !== "number" || !Number.isInteger(count)) {
        fail(config, where, "replica.count must be an integer");
      }
      replicaCountTransformer(list, ctx, {
        replica: { name: String(replica.name ?? ""), count },
        fieldSpecs: specs(),
      });
      return;
    }
    case "PatchTransformer": {
      const patch: PatchArg = {};
      const path = optionalString(config, "path", where);
      const text = optionalString(config, "patch", where);
      if (path !== undefined) patch.path = path;
      if (text !== undefined) patch.patch = text;
      const target = optionalMap<Selector>(config, "target", where);
      if (target !== undefined) patch.target = target;
      const options = optionalMap<Record<string, boolean>>(config, "options", where);
      if (options !== undefined) patch.options = options;
      patchTransformer(list, ctx, patch);
      return;
    }
    case "PatchStrategicMergeTransformer": {
      const paths = config.paths ?? [];
      if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string")) {
        fail(config, where, "paths must be a list of strings");
      }
      const inline = optionalString(config, "patches", where);
      const entries = [...(paths as string[]), ...(inline ? [inline] : [])];
      if (entries.length === 0) fail(config, where, "empty file path and empty patch content");
      patchStrategicMergeTransformer(list, ctx, { paths: entries });
      return;
    }
    case "PatchJson6902Transformer": {
      const patch: PatchArg = {};
      const path = optionalString(config, "path", where);
      const ops = optionalString(config, "jsonOp", where);
      if (path !== undefined) patch.path = path;
      if (ops !== undefined) patch.patch = ops;
      const target = optionalMap<Selector>(config, "target", where);
      if (target !== undefined) patch.target = target;
      patchJson6902Transformer(list, ctx, patch);
      return;
    }
    case "ValueAddTransformer":
      valueAddTransformer(list, ctx, valueAddConfig(ctx, config));
      return;
    case "HashTransformer":
      hashTransformer(list, ctx, {});
      return;
    case "ReplacementTransformer": {
      const entries = config.replacements ?? [];
      if (!Array.isArray(entries)) fail(config, where, "replacements must be a list");
      replacementTransformer(list, ctx, { replacements: entries as unknown[] });
      return;
    }
    case "ConfigMapGenerator":
    case "SecretGenerator":
    case "IAMPolicyGenerator":
      throw new KustomizeError(`${kind} is a generator: list it under "generators"`, where);
    case "SortOrderTransformer":
    case "LegacyOrderTransformer":
      // kustomize 5.5 sorts with them itself but cannot load them from a config.
      throw new KustomizeError(
        `unable to load builtin ${kind}.builtin.[noGrp]: kustomize 5.5 does not load ${kind} configs; set sortOptions in the kustomization instead`,
        where,
      );
    default:
      throw new KustomizeError(
        `unable to load builtin ${kind}.builtin.[noGrp]: no builtin plugin of that kind${didYouMean(kind, SUPPORTED_BUILTINS)}`,
        where,
      );
  }
}

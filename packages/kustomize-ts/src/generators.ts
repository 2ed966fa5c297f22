/**
 * configMapGenerator and secretGenerator: key-value pairs from literals, env files and
 * files, options merged with generatorOptions, and kustomize's content-hash name suffix.
 */

import { createHash } from "node:crypto";
import { basename } from "node:path";
import { type KubernetesObject, KustomizeError } from "./api.ts";
import type { GeneratorArgs, GeneratorOptions } from "./kustomization.ts";
import type { Loader } from "./loader.ts";
import { setOwn } from "./own.ts";
import { Resource } from "./resource.ts";
import { literalBlockUnreadable } from "./yaml/emit.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

interface Pair {
  key: string;
  /** Text when valid UTF-8, otherwise the raw bytes. */
  value: string | Uint8Array;
}

function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  if (s[0] === '"' || s[0] === "'") return s.slice(1, -1);
  return s;
}

function literalPairs(literals: string[], where: { file: string; key: string }): Pair[] {
  return literals.map((source) => {
    const i = source.indexOf("=");
    if (i <= 0)
      throw new KustomizeError(`invalid literal source ${source}, expected key=value`, where);
    return { key: source.slice(0, i), value: removeQuotes(source.slice(i + 1)) };
  });
}

function envPairs(content: string): Pair[] {
  const pairs: Pair[] = [];
  const lines = content.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, n) => {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (n === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    line = line.replace(/^\s+/u, "");
    if (line.length === 0 || line.startsWith("#")) return;
    const i = line.indexOf("=");
    if (i < 0) pairs.push({ key: line, value: "" });
    else pairs.push({ key: line.slice(0, i), value: line.slice(i + 1) });
  });
  return pairs;
}

function parseFileSource(source: string, where: { file: string; key: string }): [string, string] {
  const n = source.split("=").length - 1;
  if (n === 0) return [basename(source), source];
  if (n === 1 && source.startsWith("=")) {
    throw new KustomizeError(`key name for file path ${source.slice(1)} missing`, where);
  }
  if (n === 1 && source.endsWith("=")) {
    throw new KustomizeError(`file path for key name ${source.slice(0, -1)} missing`, where);
  }
  if (n > 1) throw new KustomizeError("key names or file paths cannot contain '='", where);
  const [key, path] = source.split("=") as [string, string];
  return [key, path];
}

function loadPairs(ldr: Loader, args: GeneratorArgs, where: { file: string; key: string }): Pair[] {
  const pairs: Pair[] = [];
  for (const env of args.envs ?? []) {
    pairs.push(...envPairs(ldr.readFile(env, where)));
  }
  pairs.push(...literalPairs(args.literals ?? [], where));
  for (const source of args.files ?? []) {
    const [key, path] = parseFileSource(source, where);
    const bytes = ldr.readBytes(path, where);
    pairs.push({ key, value: decodeUtf8(bytes) ?? bytes });
  }
  return pairs;
}

function mergeOptions(
  local: GeneratorOptions | undefined,
  global: GeneratorOptions | undefined,
): GeneratorOptions {
  const out: GeneratorOptions = { ...(local ?? {}) };
  if (!global) return out;
  // A generator's own options win over generatorOptions.
  out.labels = { ...(global.labels ?? {}), ...(out.labels ?? {}) };
  out.annotations = { ...(global.annotations ?? {}), ...(out.annotations ?? {}) };
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

/** Base64 the way kustomize writes generated data: lines of 70, each ending in a newline when wrapped. */
function base64(value: string | Uint8Array): string {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  const enc = bytes.toString("base64");
  if (enc.length < 70) return enc;
  let out = "";
  for (let i = 0; i < enc.length; i += 70) out += `${enc.slice(i, i + 70)}\n`;
  return out;
}

export function generate(
  ldr: Loader,
  args: GeneratorArgs,
  kind: "ConfigMap" | "Secret",
  global: GeneratorOptions | undefined,
  file: string,
  index: number,
): Resource {
  const key = `${kind === "ConfigMap" ? "configMapGenerator" : "secretGenerator"}[${index}]`;
  const where = { file, key };
  const name = args.name ?? "";
  if (name === "")
    throw new KustomizeError(`${key} has no name: every generated ${kind} needs one`, where);
  const behavior = args.behavior ?? "";
  // kustomize treats an unknown behavior as unspecified (create).
  const options = mergeOptions(args.options, global);
  const obj = { apiVersion: "v1", kind, metadata: { name } } as KubernetesObject;
  if (args.namespace) obj.metadata.namespace = args.namespace;
  const seen = new Set<string>();
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const pairs = loadPairs(ldr, args, where);
  for (const p of pairs) {
    if (seen.has(p.key)) {
      throw new KustomizeError(
        `${kind.toLowerCase()} ${name} illegally repeats the key \`${p.key}\``,
        where,
      );
    }
    seen.add(p.key);
  }
  for (const p of [...pairs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (kind === "Secret") setOwn(data, p.key, base64(p.value));
    else if (typeof p.value === "string") {
      if (literalBlockUnreadable(p.value)) {
        throw new KustomizeError(
          `the value of key \`${p.key}\` in ConfigMap ${name} starts with a tab and spans several lines, which kustomize cannot write back as YAML ("found a tab character where an indentation space is expected"); indent its first line with spaces`,
          where,
        );
      }
      setOwn(data, p.key, p.value);
    } else setOwn(binaryData, p.key, base64(p.value));
  }
  if (Object.keys(data).length > 0) obj.data = data;
  if (Object.keys(binaryData).length > 0) obj.binaryData = binaryData;
  if (kind === "Secret") obj.type = args.type || "Opaque";
  if (options.labels && Object.keys(options.labels).length > 0)
    obj.metadata.labels = { ...options.labels };
  if (options.annotations && Object.keys(options.annotations).length > 0) {
    obj.metadata.annotations = { ...options.annotations };
  }
  if (options.immutable) obj.immutable = true;
  const res = new Resource(obj, file);
  res.generated = true;
  res.behavior = ["merge", "replace"].includes(behavior) ? behavior : "create";
  res.needsHash = !options.disableNameSuffixHash;
  return res;
}

/** encoding/json's string form (HTML-safe escaping), which kustomize hashes. */
function goJson(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${goJson(k)}:${goJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function hashValue(value: unknown): unknown {
  if (value === undefined) return "";
  if (value !== null && typeof value === "object") {
    // Maps are hashed after a JSON round trip: all values become their JSON forms.
    return value;
  }
  return value === null ? "" : String(value);
}

/** kustomize's content hash: sha256 of the JSON encoding, first 10 hex digits, letters swapped. */
export function contentHash(obj: KubernetesObject): string {
  let m: Record<string, unknown>;
  if (obj.kind === "ConfigMap") {
    m = { kind: "ConfigMap", name: "", data: hashValue(obj.data) };
    if (
      obj.binaryData !== null &&
      typeof obj.binaryData === "object" &&
      !Array.isArray(obj.binaryData)
    ) {
      m.binaryData = obj.binaryData;
    }
  } else if (obj.kind === "Secret") {
    m = { kind: "Secret", type: hashValue(obj.type), name: "", data: hashValue(obj.data) };
    if (
      obj.stringData !== null &&
      typeof obj.stringData === "object" &&
      !Array.isArray(obj.stringData)
    ) {
      m.stringData = obj.stringData;
    }
  } else {
    m = obj as unknown as Record<string, unknown>;
  }
  const hex = createHash("sha256").update(goJson(m)).digest("hex").slice(0, 10);
  return hex.replace(
    /[013ae]/g,
    (c) => ({ "0": "g", "1": "h", "3": "k", a: "m", e: "t" })[c] as string,
  );
}

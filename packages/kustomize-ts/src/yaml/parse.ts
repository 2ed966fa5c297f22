/**
 * Reads YAML the way kustomize does. Resources ("v3", go-yaml v3): plain scalars typed by
 * YAML 1.2 core rules plus go-yaml's extras (0-prefixed octals, underscores, timestamps).
 * Kustomization files and JSON patches ("v2", go-yaml v2): YAML 1.1 words (yes/no/on/off),
 * duplicate keys allowed (the last wins). Aliases are expanded and merge keys applied.
 */
import {
  Alias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
} from "yaml";
import { KustomizeError } from "../api.ts";
import { foldedRoundTrip } from "./folded.ts";
import { type Dialect, resolvePlain } from "./resolve.ts";

/** "v3": kustomize's resource reading; "v2": its kustomization and JSON patch reading. */
export type { Dialect };

type AnyDoc = Parameters<Alias["resolve"]>[0];

interface Ctx {
  doc: AnyDoc;
  file: string;
  lc: LineCounter;
  dialect: Dialect;
  firstKeyWins: boolean;
  /** The whole stream, to see whether a block scalar ends it without a line break. */
  text: string;
  /** Nodes decoded so far, nodes decoded inside an alias, and how deep in aliases we are. */
  decoded: number;
  aliased: number;
  aliasDepth: number;
}

/**
 * How deep a document may nest. go-yaml stops at 10000; the YAML parser here runs out of
 * stack near 800 on a cold start, so we stop well before, with a message that says so.
 */
const MAX_DEPTH = 500;

function tooDeep(file: string, line: number | undefined): KustomizeError {
  return new KustomizeError(
    `invalid YAML: nested more than ${MAX_DEPTH} levels deep (the most kustomize-ts reads)`,
    { file, line },
  );
}

/** go-yaml's allowedAliasRatio: the share of decoded nodes that may come from aliases. */
function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000);
}

/**
 * YAML forbids raw control characters (go-yaml: "control characters are not allowed");
 * a binary file fails here with its first one.
 */
const NOT_YAML_TEXT = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function checkText(text: string, file: string): void {
  const bad = NOT_YAML_TEXT.exec(text);
  if (!bad) return;
  const line = text.slice(0, bad.index).split("\n").length;
  const code = (bad[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
  throw new KustomizeError(
    `invalid YAML: control characters are not allowed (U+${code}); is this a binary file?`,
    { file, line },
  );
}

export interface ParseOptions {
  /** Allow repeated map keys and keep the first (kyaml's field lookup, used for patches). */
  firstKeyWins?: boolean;
}

/**
 * Where a node sits, for the one place kustomize treats specially: the values of a
 * resource's metadata.annotations are rewritten as strings holding their source text.
 */
type Place = "root" | "metadata" | "annotations" | "annotation" | "";

/** Parsed streams by dialect, options and text: rebuilding a tree parses the same files again. */
const cache = new Map<string, unknown[]>();
const CACHE_LIMIT = 512;
const CACHE_MAX_TEXT = 1024 * 1024;

/** Parses every document of a YAML stream; empty documents are dropped. */
export function parseYamlStream(
  text: string,
  file: string,
  dialect: Dialect = "v3",
  options: ParseOptions = {},
): unknown[] {
  // A big file is parsed once per build anyway; caching it would hold (and copy) its tree.
  if (text.length > CACHE_MAX_TEXT) return parseUncached(text, file, dialect, options);
  const key = `${dialect}${options.firstKeyWins === true ? "1" : "0"}${file}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return structuredClone(hit);
  const docs = parseUncached(text, file, dialect, options);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, docs);
  return structuredClone(docs);
}

function parseUncached(
  text: string,
  file: string,
  dialect: Dialect,
  options: ParseOptions,
): unknown[] {
  const firstKeyWins = options.firstKeyWins === true;
  checkText(text, file);
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, {
    schema: "failsafe",
    lineCounter: lc,
    prettyErrors: false,
    // Checked in toValue: the parser's own check compares each key with every other one.
    uniqueKeys: false,
  });
  if (!Array.isArray(docs)) return [];
  const out: unknown[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = lc.linePos(error.pos[0]).line;
      if (error.message.includes("Maximum call stack size exceeded")) throw tooDeep(file, line);
      throw new KustomizeError(`invalid YAML: ${error.message.split("\n")[0]}`, { file, line });
    }
    if (doc.contents === null) continue;
    const ctx: Ctx = {
      doc,
      file,
      lc,
      dialect,
      firstKeyWins,
      text,
      decoded: 0,
      aliased: 0,
      aliasDepth: 0,
    };
    const value = toValue(doc.contents as Node, ctx, 0, dialect === "v3" ? "root" : "");
    if (value === null || value === undefined) continue;
    out.push(value);
  }
  return out;
}

/** Parses a single-document YAML text (a kustomization, a patch). */
export function parseYamlDocument(text: string, file: string, dialect: Dialect = "v3"): unknown {
  return parseYamlStream(text, file, dialect)[0] ?? null;
}

function childPlace(place: Place, key: string): Place {
  if (place === "root" && key === "metadata") return "metadata";
  if (place === "metadata" && key === "annotations") return "annotations";
  if (place === "annotations") return "annotation";
  return "";
}

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function toValue(node: Node, ctx: Ctx, depth: number, place: Place): unknown {
  const { file } = ctx;
  if (depth > MAX_DEPTH) throw tooDeep(file, lineOf(node, ctx));
  countNode(ctx);
  if (node instanceof Alias) {
    const target = node.resolve(ctx.doc);
    if (!target) throw new KustomizeError(`invalid YAML: unknown anchor ${node.source}`, { file });
    ctx.aliasDepth++;
    const value = toValue(target as Node, ctx, depth + 1, place);
    ctx.aliasDepth--;
    return value;
  }
  if (isScalar(node)) {
    if (place === "annotation") return sourceText(node, ctx);
    return scalarValue(node, ctx);
  }
  if (isSeq(node)) return node.items.map((item) => toValue(item as Node, ctx, depth + 1, ""));
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const merges: unknown[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (
        isScalar(keyNode) &&
        keyNode.type === "PLAIN" &&
        keyNode.source === "<<" &&
        !keyNode.tag
      ) {
        merges.push(toValue(pair.value as Node, ctx, depth + 1, ""));
        continue;
      }
      countNode(ctx);
      const key = keyText(keyNode, ctx);
      if (Object.hasOwn(out, key)) {
        if (ctx.firstKeyWins) continue;
        if (ctx.dialect === "v3") {
          throw new KustomizeError("invalid YAML: Map keys must be unique", {
            file,
            line: lineOf(keyNode as Node, ctx),
          });
        }
      }
      const next = childPlace(place, key);
      let value: unknown;
      if (pair.value === null) value = next === "annotation" ? "" : null;
      else value = toValue(pair.value as Node, ctx, depth + 1, next);
      define(out, key, value);
    }
    for (const merge of merges) {
      const sources = Array.isArray(merge) ? merge : [merge];
      for (const source of sources) {
        if (source === null || typeof source !== "object" || Array.isArray(source)) {
          throw new KustomizeError("invalid YAML: map merge requires map or sequence of maps", {
            file,
          });
        }
        for (const [k, v] of Object.entries(source)) if (!Object.hasOwn(out, k)) define(out, k, v);
      }
    }
    return out;
  }
  return null;
}

/** go-yaml's guard against alias bombs, counted per decoded node (keys included). */
function countNode(ctx: Ctx): void {
  ctx.decoded++;
  if (ctx.aliasDepth > 0) ctx.aliased++;
  if (
    ctx.aliased > 100 &&
    ctx.decoded > 1000 &&
    ctx.aliased / ctx.decoded > allowedAliasRatio(ctx.decoded)
  ) {
    throw new KustomizeError(
      "invalid YAML: document contains excessive aliasing (its anchors expand to far more than it holds)",
      { file: ctx.file },
    );
  }
}

function lineOf(node: Node, ctx: Ctx): number | undefined {
  return node.range ? ctx.lc.linePos(node.range[0]).line : undefined;
}

function sourceText(node: Scalar, ctx: Ctx): string {
  if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
  // kustomize rebuilds the annotations map, so its values lose their folded style.
  return scalarText(node, ctx, false);
}

/** A scalar's string as kustomize reads it (go-yaml v3, then kustomize's JSON round trip). */
function scalarText(node: Scalar, ctx: Ctx, styled = true): string {
  let text = node.value === null || node.value === undefined ? "" : String(node.value);
  if (node.type !== "BLOCK_FOLDED" && node.type !== "BLOCK_LITERAL") return text;
  // A block scalar that ends the text without a line break has none to keep (go-yaml).
  const end = node.range?.[2] ?? 0;
  if (end >= ctx.text.length && !/[\r\n]$/.test(ctx.text) && text.endsWith("\n")) {
    text = text.slice(0, -1);
  }
  return styled && node.type === "BLOCK_FOLDED" && ctx.dialect === "v3"
    ? foldedRoundTrip(text)
    : text;
}

function keyText(node: Node | null, ctx: Ctx): string {
  if (node === null) return "";
  if (isScalar(node)) return sourceText(node, ctx);
  throw new KustomizeError("invalid YAML: only scalar map keys are supported", { file: ctx.file });
}

const TAG = "tag:yaml.org,2002:";
const RESOLVING_TAGS = new Set(["int", "float", "bool", "null", "timestamp"].map((t) => TAG + t));

function scalarValue(node: Scalar, ctx: Ctx): unknown {
  const text = scalarText(node, ctx);
  const tag = node.tag;
  if (node.type !== "PLAIN" && !tag) return text;
  if (tag !== undefined && !RESOLVING_TAGS.has(tag)) return text;
  const resolved = resolvePlain(text, ctx.dialect, tag === undefined || tag === `${TAG}timestamp`);
  if (ctx.dialect === "v3" && tag !== undefined && resolved.tag === "str" && text !== "") {
    const line = node.range ? ctx.lc.linePos(node.range[0]).line : undefined;
    throw new KustomizeError(`invalid YAML: cannot decode "${text}" as ${tag.replace(TAG, "!!")}`, {
      file: ctx.file,
      line,
    });
  }
  return resolved.value;
}

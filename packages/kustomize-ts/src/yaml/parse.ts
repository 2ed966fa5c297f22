/**
 * Reads YAML the way kustomize (go-yaml v3) does: plain scalars typed by YAML 1.2 core
 * rules plus go-yaml's extras (0-prefixed octals, underscores in numbers, timestamps),
 * aliases expanded, merge keys applied.
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
import { parseGoFloat, parseGoInt } from "./numbers.ts";
import { parseTimestamp } from "./timestamp.ts";

/** Parses every document of a YAML stream; empty documents are dropped. */
export function parseYamlStream(text: string, file: string): unknown[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { schema: "failsafe", lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) {
    // A stream of only comments or directives yields an EmptyStream.
    return [];
  }
  const out: unknown[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = lineCounter.linePos(error.pos[0]).line;
      throw new KustomizeError(`invalid YAML: ${firstLine(error.message)}`, { file, line });
    }
    if (doc.contents === null) continue;
    const value = toValue(doc.contents as Node, doc, file, lineCounter, 0);
    if (value === null || value === undefined) continue;
    out.push(value);
  }
  return out;
}

/** Parses a single-document YAML text (a kustomization, a patch). */
export function parseYamlDocument(text: string, file: string): unknown {
  const docs = parseYamlStream(text, file);
  return docs[0] ?? null;
}

function firstLine(message: string): string {
  return message.split("\n")[0] as string;
}

type AnyDoc = Parameters<Alias["resolve"]>[0];

function toValue(node: Node, doc: AnyDoc, file: string, lc: LineCounter, depth: number): unknown {
  if (depth > 200) throw new KustomizeError("invalid YAML: nesting too deep", { file });
  if (node instanceof Alias) {
    const target = node.resolve(doc);
    if (!target) throw new KustomizeError(`invalid YAML: unknown anchor ${node.source}`, { file });
    return toValue(target as Node, doc, file, lc, depth + 1);
  }
  if (isScalar(node)) return scalarValue(node, file, lc);
  if (isSeq(node)) return node.items.map((item) => toValue(item as Node, doc, file, lc, depth + 1));
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
        merges.push(toValue(pair.value as Node, doc, file, lc, depth + 1));
        continue;
      }
      const key = keyText(keyNode, doc, file, lc);
      const value =
        pair.value === null ? null : toValue(pair.value as Node, doc, file, lc, depth + 1);
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    for (const merge of merges) {
      const sources = Array.isArray(merge) ? merge : [merge];
      for (const source of sources) {
        if (source === null || typeof source !== "object" || Array.isArray(source)) {
          throw new KustomizeError("invalid YAML: map merge requires map or sequence of maps", {
            file,
          });
        }
        for (const [k, v] of Object.entries(source)) {
          if (!Object.hasOwn(out, k)) {
            Object.defineProperty(out, k, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        }
      }
    }
    return out;
  }
  return null;
}

function keyText(node: Node | null, doc: AnyDoc, file: string, lc: LineCounter): string {
  if (node === null) return "";
  if (isScalar(node)) {
    if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
    return String(node.value);
  }
  const value = toValue(node, doc, file, lc, 0);
  throw new KustomizeError(`invalid YAML: unsupported map key ${JSON.stringify(value)}`, { file });
}

const TRUE_WORDS = new Set(["true", "True", "TRUE"]);
const FALSE_WORDS = new Set(["false", "False", "FALSE"]);
const NULL_WORDS = new Set(["", "~", "null", "Null", "NULL"]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function scalarValue(node: Scalar, file: string, lc: LineCounter): unknown {
  const text = String(node.value ?? "");
  const tag = node.tag;
  if (node.type !== "PLAIN" && !tag) return text;
  if (
    tag === undefined ||
    tag === "tag:yaml.org,2002:int" ||
    tag === "tag:yaml.org,2002:float" ||
    tag === "tag:yaml.org,2002:bool" ||
    tag === "tag:yaml.org,2002:null" ||
    tag === "tag:yaml.org,2002:timestamp"
  ) {
    const resolved = resolvePlain(text, tag === undefined || tag === "tag:yaml.org,2002:timestamp");
    if (tag !== undefined && resolved === text && text !== "") {
      const line = node.range ? lc.linePos(node.range[0]).line : undefined;
      throw new KustomizeError(
        `invalid YAML: cannot decode "${text}" as ${tag.replace("tag:yaml.org,2002:", "!!")}`,
        {
          file,
          line,
        },
      );
    }
    return resolved;
  }
  return text;
}

/** go-yaml v3's resolve() for an untagged plain scalar. */
export function resolvePlain(s: string, allowTimestamp = true): unknown {
  if (NULL_WORDS.has(s)) return null;
  const c = s[0] as string;
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  if (c === ".") {
    if (s === ".nan" || s === ".NaN" || s === ".NAN") return Number.NaN;
    if (s === ".inf" || s === ".Inf" || s === ".INF") return Number.POSITIVE_INFINITY;
    const f = parseGoFloat(s);
    return f === undefined ? s : f;
  }
  if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    if (s === "+.inf" || s === "+.Inf" || s === "+.INF") return Number.POSITIVE_INFINITY;
    if (s === "-.inf" || s === "-.Inf" || s === "-.INF") return Number.NEGATIVE_INFINITY;
    if (allowTimestamp) {
      const ts = parseTimestamp(s);
      if (ts !== undefined) return ts;
    }
    const plain = s.replaceAll("_", "");
    const i = parseGoInt(plain, false) ?? parseGoInt(plain, true);
    if (i !== undefined) return Number.isSafeInteger(Number(i)) ? Number(i) : i;
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return f;
    }
    if (plain.startsWith("0b") || plain.startsWith("-0b")) {
      const neg = plain.startsWith("-");
      const digits = plain.slice(neg ? 3 : 2);
      if (/^[01]+$/.test(digits)) {
        const v = BigInt(`0b${digits}`) * (neg ? -1n : 1n);
        return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      }
    }
    if (plain.startsWith("0o") || plain.startsWith("-0o")) {
      const neg = plain.startsWith("-");
      const digits = plain.slice(neg ? 3 : 2);
      if (/^[0-7]+$/.test(digits)) {
        const v = BigInt(`0o${digits}`) * (neg ? -1n : 1n);
        return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      }
    }
  }
  return s;
}

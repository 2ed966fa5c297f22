/**
 * Writes objects the way `kustomize build` prints them: each resource goes through JSON
 * and is then written by go-yaml v2 (sigs.k8s.io/yaml), so keys are sorted in go-yaml's
 * "natural" order, numbers are normalised, strings that YAML 1.1 would read as something
 * else are quoted, and long lines fold at 80 columns.
 */
import { KustomizeError } from "../api.ts";
import { formatGoFloat } from "./numbers.ts";
import { resolvesAsString } from "./resolve.ts";

const BEST_WIDTH = 80;

/** The YAML stream of `kustomize build`: documents joined by `---`. */
export function toYaml(objects: readonly unknown[]): string {
  const parts: string[] = [];
  for (const obj of objects) parts.push(documentToYaml(obj));
  return parts.join("---\n");
}

/** One document, ending with a newline. */
function documentToYaml(value: unknown): string {
  const w = new Writer();
  w.root(normalize(value));
  return w.finish();
}

type Json = null | boolean | string | JsonNumber | Json[] | { [key: string]: Json };
/** A number already printed in go-yaml's form. */
class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** The JSON round trip: drop undefined, format numbers, refuse what JSON cannot hold. */
function normalize(value: unknown): Json {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
      return value;
    case "bigint":
      return new JsonNumber(value.toString());
    case "number":
      if (!Number.isFinite(value)) {
        throw new KustomizeError(`json: unsupported value: ${goInfName(value)}`);
      }
      return new JsonNumber(formatJsonNumber(value));
    case "object": {
      if (Array.isArray(value)) return value.map((item) => normalize(item));
      if (value instanceof Date) return value.toISOString();
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        // A key named __proto__ is data here: define it, never assign it (that sets the prototype).
        Object.defineProperty(out, key, {
          value: normalize(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      return String(value);
  }
}

function goInfName(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "+Inf" : "-Inf";
}

const UINT64_MAX = 18446744073709551615n;
const INT64_MIN = -9223372036854775808n;

/** What go-yaml v2 prints for a float64 after encoding/json wrote it. */
function formatJsonNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) {
    // encoding/json writes integral floats as digits; go-yaml reads them back as ints
    // when they fit in 64 bits.
    const big = BigInt(value);
    if (big >= INT64_MIN && big <= UINT64_MAX) return big.toString();
  }
  return formatGoFloat(value);
}

/** go-yaml v2's natural key order (digits compared as numbers, letters after others). */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : 1;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function keyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = LETTER.test(ac);
    const bl = LETTER.test(bc);
    if (al && bl) return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === "0" || bc === "0") {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && DIGIT.test(ar[ai] as string); ai++) {
      an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    }
    let bi = i;
    for (; bi < br.length && DIGIT.test(br[bi] as string); bi++) {
      bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    }
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

type Style = "plain" | "single" | "double" | "literal";

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleAllowed: boolean;
  blockAllowed: boolean;
}

function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isPrintable(cp: number): boolean {
  if (cp === 0x0a) return true;
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp >= 0xa0 && cp <= 0xd7ff) return true;
  if (cp >= 0xe000 && cp <= 0xfffd) return cp !== 0xfeff;
  return false;
}

/**
 * kustomize stores a generated multi-line value as a YAML literal block and reads it back;
 * go-yaml writes a block whose first line starts with a tab without an indentation
 * indicator, and then cannot read it ("found a tab character where an indentation space
 * is expected"). True for the values that fail that way.
 */
export function literalBlockUnreadable(value: string): boolean {
  if (!value.startsWith("\t") || !value.includes("\n") || value.endsWith(" ")) return false;
  // go-yaml v3 keeps the block style unless a space ends a line or a character needs escaping.
  for (let i = 0; i < value.length; ) {
    const cp = value.codePointAt(i) as number;
    if (cp !== 0x09 && !isPrintable(cp)) return false;
    if (cp === 0x20 && isBreak(value.charCodeAt(i + 1))) return false;
    i += cp > 0xffff ? 2 : 1;
  }
  return true;
}

/** go-yaml's yaml_emitter_analyze_scalar, on code points. */
function analyze(s: string): Analysis {
  const n = s.length;
  if (n === 0) {
    return { multiline: false, blockPlain: true, singleAllowed: true, blockAllowed: false };
  }
  let blockIndicators = s.startsWith("---") || s.startsWith("...");
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < n; ) {
    const cp = s.codePointAt(i) as number;
    const end = i + (cp > 0xffff ? 2 : 1);
    const last = end >= n;
    const next = s.charCodeAt(end);
    const followedByWhitespace = last || next === 0x20 || next === 0x09;
    if (i === 0) {
      switch (cp) {
        case 0x23: // #
        case 0x2c: // ,
        case 0x5b: // [
        case 0x5d: // ]
        case 0x7b: // {
        case 0x7d: // }
        case 0x26: // &
        case 0x2a: // *
        case 0x21: // !
        case 0x7c: // |
        case 0x3e: // >
        case 0x27: // '
        case 0x22: // "
        case 0x25: // %
        case 0x40: // @
        case 0x60: // `
          blockIndicators = true;
          break;
        case 0x3f: // ?
        case 0x3a: // :
        case 0x2d: // -
          if (followedByWhitespace) blockIndicators = true;
          break;
      }
    } else if (cp === 0x3a) {
      if (followedByWhitespace) blockIndicators = true;
    } else if (cp === 0x23) {
      if (precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(cp)) special = true;
    const breaks = isBreak(cp);
    if (cp === 0x20) {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (breaks) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = cp === 0x20 || cp === 0x09 || breaks;
    i = end;
  }
  let blockPlain = true;
  let singleAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlain = false;
    singleAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlain = false;
    singleAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, singleAllowed, blockAllowed };
}

/** Code points in s[start, end): go-yaml counts columns in characters. */
function codePoints(s: string, start: number, end: number): number {
  let count = end - start;
  for (let k = start; k < end - 1; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        k++;
      }
    }
  }
  return count;
}

/** Where each writer must look at a character on its own; runs between them are copied whole. */
const SINGLE_STOP = /[ \n\r\u0085\u2028\u2029]/g;
const DOUBLE_STOP = /[^\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/g;
const LITERAL_STOP = /[\n\r\u0085\u2028\u2029]/g;

/** The index of the next character `stop` matches at or after `from`, else s.length. */
function nextStop(stop: RegExp, s: string, from: number): number {
  stop.lastIndex = from;
  return stop.exec(s)?.index ?? s.length;
}

const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function isBase60Float(s: string): boolean {
  if (s === "") return false;
  const c = s[0] as string;
  if (!(c === "+" || c === "-" || (c >= "0" && c <= "9")) || !s.includes(":")) return false;
  return BASE60.test(s);
}

/** go-yaml v2's choice for a string, then the emitter's downgrades. */
function chooseStyle(s: string, a: Analysis, simpleKey: boolean): Style {
  let style: Style;
  const canUsePlain = resolvesAsString(s) && !isBase60Float(s);
  if (s.includes("\n")) style = "literal";
  else if (canUsePlain) style = "plain";
  else style = "double";
  if (simpleKey && a.multiline) style = "double";
  if (style === "plain") {
    if (!a.blockPlain) style = "single";
    if (s.length === 0 && simpleKey) style = "single";
  }
  if (style === "single" && !a.singleAllowed) style = "double";
  if (style === "literal" && (!a.blockAllowed || simpleKey)) style = "double";
  return style;
}

const ESCAPES: Record<number, string> = {
  0: "0",
  7: "a",
  8: "b",
  9: "t",
  10: "n",
  11: "v",
  12: "f",
  13: "r",
  27: "e",
  34: '"',
  92: "\\",
  133: "N",
  160: "_",
  8232: "L",
  8233: "P",
};

function escapeChar(cp: number): string {
  const named = ESCAPES[cp];
  if (named !== undefined) return `\\${named}`;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, "0")}`;
  return `\\U${hex.padStart(8, "0")}`;
}

/** A minimal go-yaml emitter state: output, column, indent and the whitespace flags. */
class Writer {
  private out: string[] = [];
  private column = 0;
  private indent = 0;
  private whitespace = true;
  private indention = true;

  finish(): string {
    this.indent = 0;
    this.writeIndent();
    return this.out.join("");
  }

  private put(s: string): void {
    this.out.push(s);
    this.column += s.length;
  }

  private putChar(c: string): void {
    this.out.push(c);
    this.column += 1;
  }

  /** Text of `columns` characters with no break in it. */
  private putRun(text: string, columns: number): void {
    this.out.push(text);
    this.column += columns;
  }

  private putBreak(): void {
    this.out.push("\n");
    this.column = 0;
    this.indention = true;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.putBreak();
    }
    if (this.column < indent) this.put(" ".repeat(indent - this.column));
    this.whitespace = true;
  }

  private indicator(
    text: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.putChar(" ");
    this.put(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  root(value: Json): void {
    if (isNonEmptyMap(value)) this.blockMapping(value, 0);
    else if (isNonEmptyArray(value)) this.blockSequence(value, 0);
    else this.scalarValue(value, 0, false);
  }

  private blockMapping(map: { [key: string]: Json }, indent: number): void {
    const keys = Object.keys(map).sort(compareKeys);
    for (const key of keys) {
      this.indent = indent;
      this.writeIndent();
      this.scalarString(key, indent + 2, true);
      this.indicator(":", false, false, false);
      this.nodeValue(map[key] as Json, indent, true);
    }
  }

  private blockSequence(items: Json[], indent: number): void {
    for (const item of items) {
      this.indent = indent;
      this.writeIndent();
      this.indicator("-", true, false, true);
      this.nodeValue(item, indent, false);
    }
  }

  /** A value after `key:` (inMapping) or after `- `. */
  private nodeValue(value: Json, indent: number, inMapping: boolean): void {
    if (isNonEmptyMap(value)) {
      this.blockMapping(value, indent + 2);
    } else if (isNonEmptyArray(value)) {
      // go-yaml writes a sequence inside a mapping without extra indentation.
      this.blockSequence(value, inMapping && !this.indention ? indent : indent + 2);
    } else {
      this.scalarValue(value, indent + 2, false);
    }
  }

  private scalarValue(value: Json, indent: number, simpleKey: boolean): void {
    if (typeof value === "string") {
      this.scalarString(value, indent, simpleKey);
      return;
    }
    let text: string;
    if (value === null) text = "null";
    else if (typeof value === "boolean") text = value ? "true" : "false";
    else if (value instanceof JsonNumber) text = value.text;
    else if (Array.isArray(value)) text = "[]";
    else text = "{}";
    this.indent = indent;
    if (text === "[]" || text === "{}") {
      this.indicator(text[0] as string, true, true, false);
      this.indicator(text[1] as string, false, false, false);
      return;
    }
    this.writePlain(text, !simpleKey);
  }

  private scalarString(s: string, indent: number, simpleKey: boolean): void {
    const style = chooseStyle(s, analyze(s), simpleKey);
    this.indent = indent;
    const allowBreaks = !simpleKey;
    switch (style) {
      case "plain":
        this.writePlain(s, allowBreaks);
        break;
      case "single":
        this.writeSingle(s, allowBreaks);
        break;
      case "double":
        this.writeDouble(s, allowBreaks);
        break;
      case "literal":
        this.writeLiteral(s);
        break;
    }
  }

  private writePlain(s: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.putChar(" ");
    let spaces = false;
    const n = s.length;
    for (let i = 0; i < n; ) {
      if (s.charCodeAt(i) === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && s.charCodeAt(i + 1) !== 0x20) {
          this.writeIndent();
        } else {
          this.putChar(" ");
        }
        spaces = true;
        i++;
      } else {
        let end = s.indexOf(" ", i);
        if (end < 0) end = n;
        this.putRun(s.slice(i, end), codePoints(s, i, end));
        this.indention = false;
        spaces = false;
        i = end;
      }
    }
    if (n > 0) this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(s: string, allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const n = s.length;
    for (let i = 0; i < n; ) {
      const c = s.charCodeAt(i);
      if (c === 0x20) {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i > 0 &&
          i < n - 1 &&
          s.charCodeAt(i + 1) !== 0x20
        ) {
          this.writeIndent();
        } else {
          this.putChar(" ");
        }
        spaces = true;
        i++;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.putBreak();
        breaks = true;
        i++;
      } else {
        if (breaks) this.writeIndent();
        const end = nextStop(SINGLE_STOP, s, i);
        const run = s.slice(i, end);
        const quoted = run.replaceAll("'", "''");
        this.putRun(quoted, codePoints(s, i, end) + quoted.length - run.length);
        this.indention = false;
        spaces = false;
        breaks = false;
        i = end;
      }
    }
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDouble(s: string, allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    const n = s.length;
    for (let i = 0; i < n; ) {
      const end = nextStop(DOUBLE_STOP, s, i);
      if (end > i) {
        // Printable characters other than space, quote and backslash: all in the BMP.
        this.putRun(s.slice(i, end), end - i);
        spaces = false;
        i = end;
        continue;
      }
      const cp = s.codePointAt(i) as number;
      if (cp === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1) {
          this.writeIndent();
          if (s.charCodeAt(i + 1) === 0x20) this.putChar("\\");
        } else {
          this.putChar(" ");
        }
        spaces = true;
      } else {
        // put() counts characters of the escape; go-yaml counts bytes written the same way.
        this.put(escapeChar(cp));
        spaces = false;
      }
      i += cp > 0xffff ? 2 : 1;
    }
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(s: string): void {
    this.indicator("|", true, false, false);
    const first = s.charCodeAt(0);
    if (first === 0x20 || isBreak(first)) this.indicator("2", false, false, false);
    const n = s.length;
    const last = s.charCodeAt(n - 1);
    if (!isBreak(last)) this.indicator("-", false, false, false);
    else if (n === 1 || isBreak(s.charCodeAt(n - 2))) this.indicator("+", false, false, false);
    this.putBreak();
    this.whitespace = true;
    let breaks = true;
    for (let i = 0; i < n; ) {
      if (isBreak(s.charCodeAt(i))) {
        this.putBreak();
        breaks = true;
        i++;
      } else {
        if (breaks) this.writeIndent();
        const end = nextStop(LITERAL_STOP, s, i);
        this.putRun(s.slice(i, end), codePoints(s, i, end));
        this.indention = false;
        breaks = false;
        i = end;
      }
    }
  }
}

function isNonEmptyMap(value: Json): value is { [key: string]: Json } {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber) &&
    Object.keys(value).length > 0
  );
}

function isNonEmptyArray(value: Json): value is Json[] {
  return Array.isArray(value) && value.length > 0;
}

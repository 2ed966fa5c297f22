/**
 * The one resolver of plain (unquoted, untagged) scalars: the YAML type and value go-yaml
 * gives a text. "v3" is go-yaml v3 (resources, and the values replacements create);
 * "v2" is go-yaml v2 (kustomization files, JSON patches, and the writer's choice of
 * whether a string may be written plain). They differ only in the words they know:
 * v2 reads YAML 1.1's yes/no/on/off/y/n as booleans.
 */
import { parseGoFloat, parseGoInt } from "./numbers.ts";
import { parseTimestamp } from "./timestamp.ts";

export type Dialect = "v3" | "v2";

export type ScalarTag = "str" | "null" | "bool" | "int" | "float" | "timestamp";

export interface Resolved {
  tag: ScalarTag;
  /** A string, null, boolean, number (bigint beyond 2^53), or an RFC 3339 timestamp text. */
  value: unknown;
}

const NULL = ["", "~", "null", "Null", "NULL"];
const TRUE_V3 = ["true", "True", "TRUE"];
const FALSE_V3 = ["false", "False", "FALSE"];
const WORDS: Record<Dialect, Map<string, Resolved>> = {
  v3: words(TRUE_V3, FALSE_V3),
  v2: words(
    [...TRUE_V3, "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"],
    [...FALSE_V3, "n", "N", "no", "No", "NO", "off", "Off", "OFF"],
  ),
};

function words(yes: readonly string[], no: readonly string[]): Map<string, Resolved> {
  const map = new Map<string, Resolved>();
  for (const w of NULL) map.set(w, { tag: "null", value: null });
  for (const w of yes) map.set(w, { tag: "bool", value: true });
  for (const w of no) map.set(w, { tag: "bool", value: false });
  for (const w of [".nan", ".NaN", ".NAN"]) map.set(w, { tag: "float", value: Number.NaN });
  for (const w of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"])
    map.set(w, { tag: "float", value: Number.POSITIVE_INFINITY });
  for (const w of ["-.inf", "-.Inf", "-.INF"])
    map.set(w, { tag: "float", value: Number.NEGATIVE_INFINITY });
  return map;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function int(v: bigint): Resolved {
  return { tag: "int", value: Number.isSafeInteger(Number(v)) ? Number(v) : v };
}

/** strconv.ParseInt(body, base, 64), then ParseUint, as go-yaml tries `0b`/`0o` bodies. */
function prefixed(plain: string, prefix: string, base: number): Resolved | undefined {
  const neg = plain.startsWith(`-${prefix}`);
  if (!neg && !plain.startsWith(prefix)) return undefined;
  const body = plain.slice(neg ? prefix.length + 1 : prefix.length);
  const digits = base === 2 ? /^[+-]?[01]+$/ : /^[+-]?[0-7]+$/;
  if (!digits.test(body) || (neg && /^[+-]/.test(body))) return undefined;
  const sign = body.startsWith("-") || neg ? -1n : 1n;
  const magnitude = BigInt(`0${base === 2 ? "b" : "o"}${body.replace(/^[+-]/, "")}`);
  const v = sign * magnitude;
  if (v >= -9223372036854775808n && v <= 18446744073709551615n) return int(v);
  return undefined;
}

/**
 * go-yaml's resolve() of a plain scalar in `dialect`; `timestamps: false` for a value
 * tagged with something other than !!timestamp (go-yaml then reads no timestamp).
 */
export function resolvePlain(text: string, dialect: Dialect, timestamps = true): Resolved {
  const word = WORDS[dialect].get(text);
  if (word !== undefined) return word;
  const c = text[0] as string;
  if (c === ".") {
    const f = parseGoFloat(text);
    return f === undefined ? { tag: "str", value: text } : { tag: "float", value: f };
  }
  if (c !== "+" && c !== "-" && !(c >= "0" && c <= "9")) return { tag: "str", value: text };
  if (timestamps) {
    const ts = parseTimestamp(text);
    if (ts !== undefined) return { tag: "timestamp", value: ts };
  }
  const plain = text.replaceAll("_", "");
  const i = parseGoInt(plain, false) ?? parseGoInt(plain, true);
  if (i !== undefined) return int(i);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = parseGoFloat(plain);
    if (f !== undefined) return { tag: "float", value: f };
  }
  const binary = prefixed(plain, "0b", 2);
  if (binary !== undefined) return binary;
  // Octals spelt 0o17 are YAML 1.2's: go-yaml v3 reads them, v2 does not.
  if (dialect === "v3") {
    const octal = prefixed(plain, "0o", 8);
    if (octal !== undefined) return octal;
  }
  return { tag: "str", value: text };
}

/** The value of a plain scalar (see resolvePlain). */
export function plainValue(text: string, dialect: Dialect, timestamps = true): unknown {
  return resolvePlain(text, dialect, timestamps).value;
}

/** True when go-yaml v2 reads the plain scalar `s` back as the string `s`. */
export function resolvesAsString(s: string): boolean {
  return s !== "" && resolvePlain(s, "v2").tag === "str";
}

/**
 * go-yaml v2's implicit typing (YAML 1.1 flavoured), used to decide whether a string
 * can be written plain or must be quoted so that it reads back as a string.
 */
import { parseGoFloat, parseGoInt } from "./numbers.ts";
import { parseTimestamp } from "./timestamp.ts";

const MAP_WORDS = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "true",
  "True",
  "TRUE",
  "on",
  "On",
  "ON",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "false",
  "False",
  "FALSE",
  "off",
  "Off",
  "OFF",
  "",
  "~",
  "null",
  "Null",
  "NULL",
  ".nan",
  ".NaN",
  ".NAN",
  ".inf",
  ".Inf",
  ".INF",
  "+.inf",
  "+.Inf",
  "+.INF",
  "-.inf",
  "-.Inf",
  "-.INF",
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function hint(c: string): string {
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if ("yYnNtTfFoO~".includes(c)) return "M";
  if (c === ".") return ".";
  if (c === "<") return "M";
  return "";
}

/** True when go-yaml v2 reads the plain scalar `s` back as a string. */
export function resolvesAsString(s: string): boolean {
  if (s === "") return false;
  const h = hint(s[0] as string);
  if (h === "") return true;
  if (MAP_WORDS.has(s)) return false;
  if (h === "M") return true;
  if (h === ".") return parseGoFloat(s) === undefined;
  // 'D' or 'S': timestamp, int, uint, float, binary.
  if (parseTimestamp(s) !== undefined) return false;
  const plain = s.replaceAll("_", "");
  if (parseGoInt(plain, false) !== undefined) return false;
  if (parseGoInt(plain, true) !== undefined) return false;
  if (YAML_STYLE_FLOAT.test(plain) && parseGoFloat(plain) !== undefined) return false;
  if (plain.startsWith("0b") && parseBinary(plain.slice(2)) !== undefined) return false;
  if (plain.startsWith("-0b") && parseBinary(plain.slice(3)) !== undefined) return false;
  return true;
}

function parseBinary(s: string): bigint | undefined {
  if (!/^[+-]?[01]+$/.test(s)) return undefined;
  return BigInt(s.startsWith("-") ? `-0b${s.slice(1)}` : `0b${s.replace(/^\+/, "")}`);
}

const V2_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const V2_FALSE = new Set([
  "n",
  "N",
  "no",
  "No",
  "NO",
  "false",
  "False",
  "FALSE",
  "off",
  "Off",
  "OFF",
]);
const V2_NULL = new Set(["", "~", "null", "Null", "NULL"]);

function intValue(v: bigint): number | bigint {
  return Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

/** go-yaml v2's typing of a plain scalar (used for kustomization files and JSON patches). */
export function resolvePlainV2(s: string): unknown {
  if (V2_NULL.has(s)) return null;
  if (V2_TRUE.has(s)) return true;
  if (V2_FALSE.has(s)) return false;
  if (s === ".nan" || s === ".NaN" || s === ".NAN") return Number.NaN;
  if ([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].includes(s))
    return Number.POSITIVE_INFINITY;
  if (s === "-.inf" || s === "-.Inf" || s === "-.INF") return Number.NEGATIVE_INFINITY;
  const h = hint(s[0] as string);
  if (h === ".") return parseGoFloat(s) ?? s;
  if (h !== "D" && h !== "S") return s;
  const ts = parseTimestamp(s);
  if (ts !== undefined) return ts;
  const plain = s.replaceAll("_", "");
  const i = parseGoInt(plain, false) ?? parseGoInt(plain, true);
  if (i !== undefined) return intValue(i);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = parseGoFloat(plain);
    if (f !== undefined) return f;
  }
  if (plain.startsWith("0b")) {
    const b = parseBinary(plain.slice(2));
    if (b !== undefined) return intValue(b);
  }
  if (plain.startsWith("-0b")) {
    const b = parseBinary(plain.slice(3));
    if (b !== undefined) return intValue(-b);
  }
  return s;
}

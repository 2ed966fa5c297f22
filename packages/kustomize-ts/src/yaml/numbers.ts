/** Number formatting and parsing the way Go's strconv does it. */

/** strconv.FormatFloat(v, 'g', -1, 64), which go-yaml uses for floats. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return ".nan";
  if (value === Number.POSITIVE_INFINITY) return ".inf";
  if (value === Number.NEGATIVE_INFINITY) return "-.inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const neg = value < 0;
  // toExponential() gives the shortest digits that round-trip, as Go's shortest mode does.
  const [mantissa, expText] = Math.abs(value).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  let body: string;
  if (exp < -4 || exp >= 6) {
    const rest = digits.slice(1);
    const e = Math.abs(exp).toString().padStart(2, "0");
    body = `${digits[0]}${rest ? `.${rest}` : ""}e${exp < 0 ? "-" : "+"}${e}`;
  } else if (exp < 0) {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    body = frac ? `${intPart}.${frac}` : intPart;
  }
  return neg ? `-${body}` : body;
}

/**
 * strconv.ParseInt(s, 0, 64) / ParseUint: base prefixes 0x, 0o, 0b and a leading 0 for
 * octal, an optional sign. Returns undefined when Go would fail (syntax or range).
 */
export function parseGoInt(s: string, unsigned: boolean): bigint | undefined {
  let body = s;
  let neg = false;
  if (!unsigned && (body.startsWith("+") || body.startsWith("-"))) {
    neg = body.startsWith("-");
    body = body.slice(1);
  }
  if (body === "") return undefined;
  let base = 10;
  let digits = body;
  if (body.length > 1 && body[0] === "0") {
    const p = (body[1] as string).toLowerCase();
    if (p === "x") {
      base = 16;
      digits = body.slice(2);
    } else if (p === "o") {
      base = 8;
      digits = body.slice(2);
    } else if (p === "b") {
      base = 2;
      digits = body.slice(2);
    } else {
      base = 8;
      digits = body.slice(1);
    }
  }
  if (digits === "") return undefined;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[
    base
  ] as RegExp;
  if (!valid.test(digits)) return undefined;
  let n = 0n;
  const b = BigInt(base);
  for (const d of digits) n = n * b + BigInt(Number.parseInt(d, 16));
  if (neg) n = -n;
  if (unsigned) return n <= 18446744073709551615n ? n : undefined;
  return n >= -9223372036854775808n && n <= 9223372036854775807n ? n : undefined;
}

const GO_FLOAT = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64): undefined on syntax error or overflow. */
export function parseGoFloat(s: string): number | undefined {
  if (!GO_FLOAT.test(s)) return undefined;
  const lower = s.toLowerCase().replace(/^\+/, "");
  if (lower === "inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  if (lower === "nan" || lower === "-nan") return Number.NaN;
  const v = Number(s);
  if (!Number.isFinite(v)) return undefined;
  return v;
}

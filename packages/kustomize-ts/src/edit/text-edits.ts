import { parse, type Scalar } from "yaml";

/** A replacement of text[start, end) by `text`; edits never overlap. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  let result = source;
  // Last first, so earlier offsets stay valid; at one offset the removal goes before the insertion.
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

/** The line ending the file already uses. */
export function lineEnding(source: string): string {
  return source.includes("\r\n") ? "\r\n" : "\n";
}

export function lineStart(source: string, offset: number): number {
  return source.lastIndexOf("\n", offset - 1) + 1;
}

export function column(source: string, offset: number): number {
  const start = lineStart(source, offset);
  // A byte-order mark opens the first line but is no indentation.
  return offset - start - (start === 0 && source.startsWith("\uFEFF") ? 1 : 0);
}

/**
 * Offset just past the line break that ends the text ending at `offset` (or the end of the
 * text). Text that already ends with its line break (a block scalar) ends there.
 */
export function nextLineStart(source: string, offset: number): number {
  if (offset > 0 && source[offset - 1] === "\n") return offset;
  const newline = source.indexOf("\n", offset);
  return newline < 0 ? source.length : newline + 1;
}

function reads(source: string, value: string, schema: "core" | "yaml-1.1"): boolean {
  try {
    return parse(source, { schema, strict: true }) === value;
  } catch {
    return false;
  }
}

/** True when `value` written plain reads back as the same string under YAML 1.2 and 1.1 alike. */
function plainIsSafe(value: string, flow: boolean): boolean {
  if (value.length === 0 || value.trim() !== value || /[\r\n\t]/.test(value)) return false;
  if (flow && /[,[\]{}]/.test(value)) return false;
  const probe = flow ? `[${value}]` : `k: ${value}`;
  const read = (schema: "core" | "yaml-1.1") => {
    try {
      const data = parse(probe, { schema, strict: true }) as unknown;
      return flow ? (data as unknown[])[0] : (data as Record<string, unknown>).k;
    } catch {
      return undefined;
    }
  };
  return read("core") === value && read("yaml-1.1") === value && reads(value, value, "core");
}

function doubleQuoted(value: string): string {
  return JSON.stringify(value);
}

function singleQuoted(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export type ScalarStyle = Scalar.Type | "JSON";

/**
 * Writes a string scalar in the given style when that style can hold it: plain when it reads
 * back as the same string (a tag like `1.10` or `yes` gets quoted), quoted otherwise.
 */
export function formatScalar(value: string, style: ScalarStyle | undefined, flow: boolean): string {
  if (style === "JSON" || style === "QUOTE_DOUBLE") return doubleQuoted(value);
  if (style === "QUOTE_SINGLE" && !/[\r\n]/.test(value)) return singleQuoted(value);
  return plainIsSafe(value, flow) ? value : doubleQuoted(value);
}

/**
 * kustomize turns every resource into JSON through go-yaml v3 text: a folded (`>`) block
 * scalar is written back as a folded block and read again. go-yaml's folded writer decides
 * whether a line break needs an extra blank line by looking at the start of the whole value
 * instead of the next line, so the value read back can differ from the one in the file: a
 * break next to a more-indented line gains a blank line, or (when the value starts with a
 * space) two lines are joined by a space. This module replays that round trip.
 */
import { parse } from "yaml";

const isBlank = (c: string | undefined): boolean => c === " " || c === "\t";

/** go-yaml v3 keeps the block style only for values it can write without escapes. */
function blockAllowed(chars: string[]): boolean {
  if (chars[chars.length - 1] === " ") return false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const cp = c.codePointAt(0) as number;
    if (c === " " && chars[i + 1] === "\n") return false;
    if (c === "\t" || c === "\n") continue;
    const printable =
      (cp >= 0x20 && cp <= 0x7e) ||
      (cp >= 0xa0 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
    if (!printable || cp === 0x2028 || cp === 0x2029) return false;
  }
  return true;
}

/** The value kustomize ends up with for a folded scalar whose parsed value is `value`. */
export function foldedRoundTrip(value: string): string {
  if (!value.replace(/\n+$/, "").includes("\n")) return value;
  const chars = [...value];
  if (chars[0] === "\t" || !blockAllowed(chars)) return value;
  let k = 0;
  while (chars[k] === "\n") k++;
  const startsBlank = k >= chars.length || isBlank(chars[k]);
  let body = "";
  let breaks = true;
  let leadingSpaces = true;
  for (const c of chars) {
    if (c === "\n") {
      if (!breaks && !leadingSpaces && !startsBlank) body += "\n";
      body += "\n";
      breaks = true;
    } else {
      if (breaks) {
        body += "  ";
        leadingSpaces = isBlank(c);
      }
      body += c;
      breaks = false;
    }
  }
  const indentHint = chars[0] === " " || chars[0] === "\n" ? "2" : "";
  const last = chars.length - 1;
  const chomp = chars[last] !== "\n" ? "-" : last === 0 || chars[last - 1] === "\n" ? "+" : "";
  const read = parse(`v: >${indentHint}${chomp}\n${body}`, { schema: "failsafe" }) as {
    v?: unknown;
  };
  return typeof read?.v === "string" ? read.v : value;
}

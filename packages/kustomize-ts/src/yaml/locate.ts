/**
 * Lines of values in a YAML text, for messages about data already read from it: only
 * called on the error path, so reading the text again costs a working build nothing.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

export type Path = readonly (string | number)[];

/** The line (1-based) of the key or item at `path` in `text`, or of the nearest parent found. */
export function lineAt(text: string, path: Path): number | undefined {
  return find(text, path).line;
}

/**
 * The line in `text` of line `inner` of the YAML string value at `path` (an inline patch),
 * `skipped` lines having been cut from its start. Exact for block scalars (`patch: |`);
 * for another style, the value's first line.
 */
export function innerLine(
  text: string,
  path: Path,
  inner: number,
  skipped = 0,
): number | undefined {
  const { line, node } = find(text, path);
  if (line === undefined) return undefined;
  const type = isScalar(node) ? node.type : undefined;
  // A block scalar's text starts on the line after its indicator (the key's or item's line).
  if (type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED") return line + skipped + inner;
  return line;
}

function find(text: string, path: Path): { line: number | undefined; node: unknown } {
  const lc = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, schema: "failsafe" });
  } catch {
    return { line: undefined, node: undefined };
  }
  let node: unknown = doc.contents;
  let line: number | undefined;
  const lineOf = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const name = String(seg);
      const keyOf = (p: { key: unknown }) => (isScalar(p.key) ? String(p.key.value) : "");
      // The last of repeated keys wins, as in kustomize; field names match in any case.
      const pair =
        node.items.findLast((p) => keyOf(p) === name) ??
        node.items.findLast((p) => keyOf(p).toLowerCase() === name.toLowerCase());
      if (!pair) break;
      line = lineOf(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
      node = node.items[seg];
      line = lineOf(node) ?? line;
    } else {
      break;
    }
  }
  return { line, node };
}

/**
 * `kustomize edit set image`, done as surgical text edits: only the edited `images:` entry
 * changes; comments, key order, quoting, blank lines and line endings stay as they were.
 */
import { readFileSync, writeFileSync } from "node:fs";
import {
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { KustomizeError } from "../api.ts";
import { findKustomizationFile } from "../files.ts";
import { type ImageEntry, KEEP, parseImageArg } from "./image-arg.ts";
import {
  applyEdits,
  column,
  formatScalar,
  lineEnding,
  lineStart,
  nextLineStart,
  type ScalarStyle,
  type TextEdit,
} from "./text-edits.ts";

const entryFields = ["newName", "newTag", "digest"] as const;
type EntryField = (typeof entryFields)[number];

type AnyPair = Pair<Node, Node | null>;

interface Context {
  text: string;
  file: string | undefined;
  eol: string;
}

function fail(ctx: Context, message: string, offset?: number): never {
  const line = offset === undefined ? undefined : ctx.text.slice(0, offset).split("\n").length;
  throw new KustomizeError(message, { file: ctx.file, key: "images", line });
}

function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

/** kustomize reads its file with Go's JSON rules: an exact key first, else one differing in case. */
function pairOf(map: YAMLMap, key: string): AnyPair | undefined {
  const pairs = map.items as AnyPair[];
  return (
    pairs.find((pair) => scalarText(pair.key) === key) ??
    pairs.find((pair) => scalarText(pair.key)?.toLowerCase() === key.toLowerCase())
  );
}

/** The entry field a key stands for (`newtag` is `newTag` to kustomize), or the key itself. */
function fieldOf(pair: AnyPair): string | undefined {
  const key = scalarText(pair.key);
  const lower = key?.toLowerCase();
  return [...entryFields, "name"].find((field) => field.toLowerCase() === lower) ?? key;
}

function keyStart(pair: AnyPair): number {
  return pair.key!.range![0];
}

/** Just past the ':' that follows a pair's key. */
function afterColon(ctx: Context, pair: AnyPair): number {
  return ctx.text.indexOf(":", pair.key!.range![1]) + 1;
}

/** Where a pair's value ends; for an empty value, just past the ':'. */
function valueEnd(ctx: Context, pair: AnyPair): number {
  const value = pair.value;
  if (value?.range && !(isScalar(value) && value.source === "")) return value.range[1];
  return afterColon(ctx, pair);
}

/** What an entry becomes: the argument's fields, with `*` taking the file's value (or dropping it). */
function resolve(arg: ImageEntry, existing: Partial<Record<EntryField, string>>): ImageEntry {
  const entry: ImageEntry = { name: arg.name };
  for (const field of entryFields) {
    const value = arg[field] === KEEP ? existing[field] : arg[field];
    if (value !== undefined && value !== "") entry[field] = value;
  }
  return entry;
}

function keyStyle(map: YAMLMap): ScalarStyle | undefined {
  const first = map.items[0]?.key;
  return isScalar(first) && first.type === "QUOTE_DOUBLE" ? "JSON" : undefined;
}

function formatKey(key: string, style: ScalarStyle | undefined): string {
  return style === "JSON" ? JSON.stringify(key) : key;
}

function orderedFields(entry: ImageEntry): [string, string][] {
  const fields: [string, string][] = [["name", entry.name]];
  for (const field of entryFields) {
    const value = entry[field];
    if (value !== undefined) fields.push([field, value]);
  }
  return fields;
}

/** A new entry written as a flow map: `{name: app, newTag: v1}`. */
function flowEntry(entry: ImageEntry, style: ScalarStyle | undefined): string {
  const pairs = orderedFields(entry).map(
    ([key, value]) => `${formatKey(key, style)}: ${formatScalar(value, style, true)}`,
  );
  return `{${pairs.join(", ")}}`;
}

/** A new entry written as block lines, `- name: app` then its fields under it. */
function blockEntry(entry: ImageEntry, dashColumn: number, keyColumn: number, eol: string): string {
  const lines = orderedFields(entry).map(([key, value], index) => {
    const indent =
      index === 0
        ? `${" ".repeat(dashColumn)}-${" ".repeat(keyColumn - dashColumn - 1)}`
        : " ".repeat(keyColumn);
    return `${indent}${key}: ${formatScalar(value, undefined, false)}${eol}`;
  });
  return lines.join("");
}

/** Inserts whole lines after the line holding `offset`. */
function insertLinesAfter(ctx: Context, offset: number, lines: string): TextEdit {
  const at = nextLineStart(ctx.text, offset);
  return { start: at, end: at, text: lines };
}

/**
 * Removes pairs of a map. In a block map each pair is its own line, except a first pair that
 * shares the line of the list's `-`: then the next kept pair moves up into its place.
 */
function removePairs(ctx: Context, map: YAMLMap, removed: Set<AnyPair>): TextEdit[] {
  const pairs = map.items as AnyPair[];
  const firstKept = pairs.findIndex((pair) => !removed.has(pair));
  const edits: TextEdit[] = [];
  const first = pairs[0]!;
  const sharesLine =
    map.flow || ctx.text.slice(lineStart(ctx.text, keyStart(first)), keyStart(first)).trim() !== "";
  if (removed.has(first) && sharesLine) {
    edits.push({ start: keyStart(first), end: keyStart(pairs[firstKept]!), text: "" });
  }
  pairs.forEach((pair, index) => {
    if (!removed.has(pair) || (sharesLine && index < firstKept)) return;
    if (map.flow) {
      edits.push({ start: valueEnd(ctx, pairs[index - 1]!), end: valueEnd(ctx, pair), text: "" });
    } else {
      const start = lineStart(ctx.text, keyStart(pair));
      edits.push({ start, end: nextLineStart(ctx.text, valueEnd(ctx, pair)), text: "" });
    }
  });
  return edits;
}

/** Edits that turn the existing entry `item` into `entry`, keeping everything else in it. */
function updateEntry(ctx: Context, item: YAMLMap, entry: ImageEntry): TextEdit[] {
  const edits: TextEdit[] = [];
  const pairs = item.items as AnyPair[];
  const style = keyStyle(item);
  const removed = new Set<AnyPair>();

  for (const pair of pairs) {
    const key = fieldOf(pair);
    if (key === "name") continue;
    const wanted = (entryFields as readonly string[]).includes(key ?? "")
      ? entry[key as EntryField]
      : undefined;
    if (wanted === undefined) {
      removed.add(pair);
      continue;
    }
    if (scalarText(pair.value) === wanted) continue;
    const value = pair.value as Scalar | null;
    const text = formatScalar(
      wanted,
      style ?? (isScalar(value) ? value.type : undefined),
      item.flow === true,
    );
    if (!value?.range || value.source === "") {
      // `newTag:` with no value: write one after the colon.
      const colon = valueEnd(ctx, pair);
      edits.push({ start: colon, end: colon, text: ` ${text}` });
    } else {
      // A block scalar's range takes its final line break along.
      const block = value.type === "BLOCK_LITERAL" || value.type === "BLOCK_FOLDED";
      edits.push({
        start: value.range[0],
        end: value.range[1],
        text: block ? text + ctx.eol : text,
      });
    }
  }

  const kept = pairs.filter((pair) => !removed.has(pair));
  edits.push(...removePairs(ctx, item, removed));

  const present = new Set(pairs.map(fieldOf));
  const added = entryFields.filter((field) => entry[field] !== undefined && !present.has(field));
  if (added.length > 0) {
    const last = kept[kept.length - 1]!;
    if (item.flow) {
      const text = added
        .map((field) => `, ${formatKey(field, style)}: ${formatScalar(entry[field]!, style, true)}`)
        .join("");
      edits.push({ start: valueEnd(ctx, last), end: valueEnd(ctx, last), text });
    } else {
      const indent = " ".repeat(column(ctx.text, keyStart(pairs[0]!)));
      const lines = added
        .map(
          (field) =>
            `${indent}${formatKey(field, style)}: ${formatScalar(entry[field]!, style, false)}${ctx.eol}`,
        )
        .join("");
      edits.push(insertLinesAfter(ctx, valueEnd(ctx, last), lines));
    }
  }
  return edits;
}

function itemName(item: unknown): string | undefined {
  return isMap(item) ? scalarText(pairOf(item, "name")?.value) : undefined;
}

function itemEnd(ctx: Context, item: Node): number {
  if (isMap(item) && !item.flow && item.items.length > 0) {
    return valueEnd(ctx, item.items[item.items.length - 1] as AnyPair);
  }
  return item.range![1];
}

/** Adds `entry` to an existing `images:` sequence, in name order when the list is sorted. */
function addToSequence(
  ctx: Context,
  imagesPair: AnyPair,
  seq: YAMLSeq,
  entry: ImageEntry,
): TextEdit {
  const items = seq.items as Node[];
  const names = items.map(itemName);
  const sorted = names.every((name, i) => name !== undefined && (i === 0 || names[i - 1]! <= name));
  const before = sorted ? names.findIndex((name) => name! > entry.name) : -1;

  if (seq.flow) {
    const sample = items.find(isMap);
    const style = sample ? keyStyle(sample) : undefined;
    const text = flowEntry(entry, style);
    if (items.length === 0) {
      const close = ctx.text.lastIndexOf("]", seq.range![1]);
      return { start: close, end: close, text };
    }
    if (before >= 0) {
      const at = items[before]!.range![0];
      return { start: at, end: at, text: `${text}, ` };
    }
    const end = items[items.length - 1]!.range![1];
    return { start: end, end, text: `, ${text}` };
  }

  const first = items[0]!;
  const dashColumn = column(ctx.text, seq.range![0]);
  const firstKey =
    isMap(first) && !first.flow && first.items[0] ? keyStart(first.items[0] as AnyPair) : undefined;
  const keyColumn = firstKey === undefined ? dashColumn + 2 : column(ctx.text, firstKey);
  const lines = blockEntry(entry, dashColumn, keyColumn, ctx.eol);
  if (before === 0) {
    // Right under `images:`, so that a comment above the first entry stays with it.
    return insertLinesAfter(ctx, afterColon(ctx, imagesPair), lines);
  }
  const after = before > 0 ? items[before - 1]! : items[items.length - 1]!;
  return insertLinesAfter(ctx, itemEnd(ctx, after), lines);
}

/** The `images:` key and its value, written where the file has none yet. */
function addImagesKey(ctx: Context, root: YAMLMap | null, entry: ImageEntry): TextEdit {
  if (root?.flow) {
    const style = keyStyle(root);
    const text = `${formatKey("images", style)}: [${flowEntry(entry, style)}]`;
    if (root.items.length === 0) {
      const close = ctx.text.lastIndexOf("}", root.range![1]);
      return { start: close, end: close, text };
    }
    const end = valueEnd(ctx, root.items[root.items.length - 1] as AnyPair);
    return { start: end, end, text: `, ${text}` };
  }
  const pairs = (root?.items ?? []) as AnyPair[];
  const keyColumn = pairs[0] ? column(ctx.text, keyStart(pairs[0])) : 0;
  // Follow the file's list style: `- item` under the key, or indented by some spaces.
  const sample = pairs.find(
    (pair) => isSeq(pair.value) && !pair.value.flow && pair.value.items.length > 0,
  );
  const seqIndent = sample
    ? column(ctx.text, sample.value!.range![0]) - column(ctx.text, keyStart(sample))
    : 0;
  const dashColumn = keyColumn + Math.max(0, seqIndent);
  const lines =
    `${" ".repeat(keyColumn)}images:${ctx.eol}` +
    blockEntry(entry, dashColumn, dashColumn + 2, ctx.eol);
  return { start: endOfDocument(ctx, root), end: endOfDocument(ctx, root), text: lines };
}

/** Where new top-level lines go: the end of the file, or before a `...` / `---` that ends the document. */
function endOfDocument(ctx: Context, root: YAMLMap | null): number {
  const from = root?.range ? root.range[1] : 0;
  const markers = root ? /^(?:\.\.\.|---)(?:[ \t#]|\r?$)/m : /^\.\.\.(?:[ \t#]|\r?$)/m;
  const marker = markers.exec(ctx.text.slice(from));
  return marker ? from + marker.index : ctx.text.length;
}

/** Sets the `images:` value where the key is there but empty (`images:`, `images: ~`). */
function fillEmptyImages(
  ctx: Context,
  root: YAMLMap,
  pair: AnyPair,
  entry: ImageEntry,
): TextEdit[] {
  const colon = afterColon(ctx, pair);
  const value = pair.value;
  const end = value?.range && isScalar(value) && value.source !== "" ? value.range[1] : colon;
  if (root.flow) {
    const spaces = /^[ \t]*/.exec(ctx.text.slice(end))![0].length;
    return [{ start: colon, end: end + spaces, text: ` [${flowEntry(entry, keyStyle(root))}]` }];
  }
  const keyColumn = column(ctx.text, keyStart(pair));
  const sample = (root.items as AnyPair[]).find(
    (other) => isSeq(other.value) && !other.value.flow && other.value.items.length > 0,
  );
  const seqIndent = sample
    ? column(ctx.text, sample.value!.range![0]) - column(ctx.text, keyStart(sample))
    : 0;
  const dashColumn = keyColumn + Math.max(0, seqIndent);
  const lines = blockEntry(entry, dashColumn, dashColumn + 2, ctx.eol);
  // The value goes; whatever followed it on its line (a comment) stays above the new lines.
  return [
    { start: colon, end, text: "" },
    { start: nextLineStart(ctx.text, end), end: nextLineStart(ctx.text, end), text: lines },
  ];
}

function setOne(ctx: Context, arg: ImageEntry): string {
  const doc = parseDocument(ctx.text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new KustomizeError(
      `the kustomization is not valid YAML: ${error.message.split("\n")[0]}`,
      {
        file: ctx.file,
        line: error.linePos?.[0].line,
      },
    );
  }
  const root = doc.contents;
  if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) {
    fail(ctx, "the kustomization is not a YAML mapping", root.range?.[0]);
  }
  const rootMap = isMap(root) ? root : null;
  const imagesPair = rootMap ? pairOf(rootMap, "images") : undefined;
  let edits: TextEdit[];
  if (!imagesPair) {
    edits = [addImagesKey(ctx, rootMap, resolve(arg, {}))];
  } else if (
    imagesPair.value === null ||
    (isScalar(imagesPair.value) && imagesPair.value.value === null)
  ) {
    edits = fillEmptyImages(ctx, rootMap!, imagesPair, resolve(arg, {}));
  } else if (isSeq(imagesPair.value)) {
    const seq = imagesPair.value;
    const matches = (seq.items as Node[]).filter(
      (item) => itemName(item) === arg.name,
    ) as YAMLMap[];
    if (matches.length === 0) {
      edits = [addToSequence(ctx, imagesPair, seq, resolve(arg, {}))];
    } else {
      const [first, ...duplicates] = matches;
      const existing: Partial<Record<EntryField, string>> = {};
      for (const field of entryFields) existing[field] = scalarText(pairOf(first!, field)?.value);
      edits = updateEntry(ctx, first!, resolve(arg, existing));
      // kustomize keeps one entry per name: later duplicates go.
      for (const duplicate of duplicates) edits.push(removeItem(ctx, seq, duplicate));
    }
  } else {
    fail(
      ctx,
      "`images` must be a list of {name, newName, newTag, digest} entries",
      imagesPair.value?.range?.[0],
    );
  }
  return applyEdits(ctx.text, edits);
}

function removeItem(ctx: Context, seq: YAMLSeq, item: YAMLMap): TextEdit {
  const items = seq.items as Node[];
  const index = items.indexOf(item);
  if (seq.flow) {
    const previous = items[index - 1]!;
    return { start: previous.range![1], end: item.range![1], text: "" };
  }
  const start = lineStart(ctx.text, item.range![0]);
  const next = items[index + 1];
  const end = next
    ? lineStart(ctx.text, next.range![0])
    : nextLineStart(ctx.text, itemEnd(ctx, item));
  return { start, end, text: "" };
}

/** Last argument per image name wins, as in kustomize. */
/** What setImage takes: `kustomize edit set image` arguments, or the entries they stand for. */
export type ImageEdit = string | ImageEntry;

const ENTRY_KEYS = new Set(["name", "newName", "newTag", "digest"]);

/** A structured entry, checked as strictly as an argument would be. */
function checkedEntry(entry: ImageEntry): ImageEntry {
  const bad = (why: string): never => {
    throw new KustomizeError(`invalid image entry ${JSON.stringify(entry)}: ${why}`);
  };
  if (entry === null || typeof entry !== "object")
    bad("expected { name, newName?, newTag?, digest? }");
  for (const key of Object.keys(entry)) {
    if (!ENTRY_KEYS.has(key))
      bad(`unknown field "${key}" (name, newName, newTag and digest are known)`);
  }
  const out: ImageEntry = { name: "" };
  for (const key of ["name", "newName", "newTag", "digest"] as const) {
    const value = entry[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "" || /\s/.test(value)) {
      bad(`${key} must be a non-empty string without spaces`);
    }
    out[key] = value as string;
  }
  if (out.name === "" || out.name === KEEP) bad('"name" names the image to change and is required');
  if (out.newName === undefined && out.newTag === undefined && out.digest === undefined) {
    bad("give at least one of newName, newTag and digest");
  }
  return out;
}

function dedupe(args: readonly ImageEdit[]): ImageEntry[] {
  const byName = new Map<string, ImageEntry>();
  for (const arg of args) {
    const entry = typeof arg === "string" ? parseImageArg(arg) : checkedEntry(arg);
    byName.delete(entry.name);
    byName.set(entry.name, entry);
  }
  return [...byName.values()];
}

/**
 * `kustomize edit set image ARG...` on the text of a kustomization file. Returns the new text;
 * every byte outside the edited `images:` entry is kept. `file` only names the file in errors.
 */
export function setImage(
  kustomizationText: string,
  arg: ImageEdit | readonly ImageEdit[],
  file?: string,
): string {
  const args: readonly ImageEdit[] = Array.isArray(arg) ? arg : [arg as ImageEdit];
  if (args.length === 0) {
    throw new KustomizeError(
      "no image given: pass at least one argument such as app=registry/app:v1",
    );
  }
  const eol = lineEnding(kustomizationText);
  // Edits work on whole lines: give the last line its break while editing, then take it back.
  const unterminated = kustomizationText.length > 0 && !kustomizationText.endsWith("\n");
  let text = unterminated ? kustomizationText + eol : kustomizationText;
  for (const entry of dedupe(args)) {
    text = setOne({ text, file, eol }, entry);
  }
  return unterminated && text.endsWith(eol) ? text.slice(0, text.length - eol.length) : text;
}

/** `kustomize edit set image` in `dir`, editing its kustomization file in place. Returns the file. */
export function setImageInDir(
  dir: string,
  arg: ImageEdit | readonly ImageEdit[],
): { file: string; changed: boolean } {
  const file = findKustomizationFile(dir);
  const before = readFileSync(file, "utf8");
  const after = setImage(before, arg, file);
  if (after !== before) writeFileSync(file, after);
  return { file, changed: after !== before };
}

/**
 * The AppProject fences each app to its own namespaces (`<app>-*`). A new app gets the same
 * entries as the app it was copied from: every list item that names `<source>-*` is cloned
 * with `<name>-*`, right after the last such item. Comments and layout are kept.
 */
import { isMap, isScalar, parseDocument, type Scalar, visit, type YAMLMap } from "yaml";

export function addAppToProject(text: string, source: string, name: string): string {
  const doc = parseDocument(text);
  const from = `${source}-*`;
  const to = `${name}-*`;
  const namesPattern = (item: unknown, pattern: string) =>
    isMap(item) && item.items.some((pair) => isScalar(pair.value) && pair.value.value === pattern);

  let changed = false;
  visit(doc, {
    Seq(_, seq) {
      if (seq.items.some((item) => namesPattern(item, to))) return; // already there
      const last = seq.items.findLastIndex((item) => namesPattern(item, from));
      if (last === -1) return;
      const clone = (seq.items[last] as YAMLMap).clone() as YAMLMap;
      for (const pair of clone.items) {
        if (isScalar(pair.value) && pair.value.value === from) (pair.value as Scalar).value = to;
      }
      clone.commentBefore = undefined;
      clone.comment = undefined;
      seq.items.splice(last + 1, 0, clone);
      changed = true;
    },
  });
  return changed ? doc.toString({ lineWidth: 0 }) : text;
}

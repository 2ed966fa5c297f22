/** Turning a YAML stream into resources, as kustomize's resource factory does. */
import { type KubernetesObject, KustomizeError } from "./api.ts";
import { Resource } from "./resource.ts";
import { type ParseOptions, parseYamlStream } from "./yaml/parse.ts";

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A list to unpack: a kind ending in `List` that has an `items` key. A custom kind that only
 * ends in `List` (`MyResourceList` with a spec) is a resource, as in kustomize 5.5; like
 * kustomize, such a kind may even lack a name.
 */
function isList(doc: Record<string, unknown>): boolean {
  return String(doc.kind).endsWith("List") && Object.hasOwn(doc, "items");
}

function validate(doc: unknown, source: string): Record<string, unknown> {
  if (
    !isMap(doc) ||
    (doc.metadata !== undefined && !isMap(doc.metadata) && doc.metadata !== null)
  ) {
    throw new KustomizeError(
      "missing Resource metadata: each document must be a Kubernetes object (a map)",
      {
        file: source,
      },
    );
  }
  const kind = doc.kind;
  if (kind === undefined || kind === null || kind === "") {
    throw new KustomizeError("missing kind in object: every resource needs a kind", {
      file: source,
    });
  }
  if (isList(doc)) return doc;
  const meta = doc.metadata as Record<string, unknown> | undefined | null;
  const name = meta?.name;
  if (String(kind).endsWith("List")) return doc;
  if (name === undefined || name === null || name === "") {
    throw new KustomizeError(
      `missing metadata.name in object of kind ${String(kind)}: every resource needs a name`,
      {
        file: source,
      },
    );
  }
  return doc;
}

/** Parses `text` (one or more YAML documents) into resources; `*List` kinds are inlined. */
export function resourcesFromText(
  text: string,
  source: string,
  options: ParseOptions = {},
): Resource[] {
  const pending = parseYamlStream(text, source, "v3", options);
  const out: Resource[] = [];
  while (pending.length > 0) {
    const doc = validate(pending.shift(), source);
    const kind = String(doc.kind);
    if (isList(doc)) {
      const items = doc.items;
      if (items === undefined || items === null) continue;
      if (!Array.isArray(items)) {
        throw new KustomizeError(`expected array in ${kind}/items`, { file: source });
      }
      pending.push(
        ...items.filter(
          (item) => item !== null && !(isMap(item) && Object.keys(item).length === 0),
        ),
      );
      continue;
    }
    // kustomize gives every resource a metadata map (only a nameless `*List` kind lacks one).
    if (!isMap(doc.metadata)) doc.metadata = {};
    out.push(new Resource(doc as KubernetesObject, source));
  }
  return out;
}

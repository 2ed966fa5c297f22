/**
 * `openapi: {path: ...}`: a custom OpenAPI (swagger 2) document that replaces kustomize's
 * built-in schema for strategic merges, reduced to the same form as openapi-schema.ts.
 */
import { KustomizeError } from "../api.ts";
import type { SchemaNode, SchemaRef, SchemaTables } from "./schema.ts";

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const REF = "#/definitions/";

function reduce(raw: unknown): SchemaRef {
  if (!isMap(raw)) return {};
  if (typeof raw.$ref === "string" && raw.$ref.startsWith(REF)) return raw.$ref.slice(REF.length);
  const node: SchemaNode = {};
  if (isMap(raw.properties)) {
    node.p = {};
    for (const [field, value] of Object.entries(raw.properties)) node.p[field] = reduce(value);
  }
  if (raw.items !== undefined) node.i = reduce(raw.items);
  if (isMap(raw.additionalProperties)) node.a = reduce(raw.additionalProperties);
  const strategy = raw["x-kubernetes-patch-strategy"];
  if (typeof strategy === "string") node.s = strategy;
  const listKeys = raw["x-kubernetes-list-map-keys"];
  const mergeKey = raw["x-kubernetes-patch-merge-key"];
  if (Array.isArray(listKeys) && listKeys.every((k) => typeof k === "string")) node.k = listKeys;
  else if (typeof mergeKey === "string") node.k = [mergeKey];
  return node;
}

/** The tables of a parsed OpenAPI document; `file` names it in errors. */
export function customSchema(doc: unknown, file: string): SchemaTables {
  if (!isMap(doc) || !isMap(doc.definitions)) {
    throw new KustomizeError('an OpenAPI schema needs a "definitions" map', {
      file,
      key: "openapi",
    });
  }
  const types: Record<string, SchemaNode> = {};
  const gvks: Record<string, string> = {};
  for (const [name, raw] of Object.entries(doc.definitions)) {
    const node = reduce(raw);
    types[name] = typeof node === "string" ? { p: {} } : node;
    const tags = isMap(raw) ? raw["x-kubernetes-group-version-kind"] : undefined;
    for (const tag of Array.isArray(tags) ? tags : []) {
      if (!isMap(tag) || typeof tag.kind !== "string" || typeof tag.version !== "string") continue;
      const group = typeof tag.group === "string" ? tag.group : "";
      gvks[`${group ? `${group}/` : ""}${tag.version} ${tag.kind}`] = name;
    }
  }
  return { types, gvks };
}

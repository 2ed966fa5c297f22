/**
 * Schema lookups for strategic merge, mirroring kyaml's openapi.ResourceSchema: a type is
 * found by apiVersion + kind, fields by name, list items by `Elements()`.
 */
import { GVK_TYPES, SCHEMA_TYPES } from "./openapi-schema.ts";

/** A (reduced) OpenAPI schema: see openapi-schema.ts for the letters. */
export interface SchemaNode {
  p?: Record<string, SchemaRef>;
  a?: SchemaRef;
  i?: SchemaRef;
  s?: string;
  k?: string[];
}
export type SchemaRef = string | SchemaNode;

/**
 * A known type with no strategic list below it. Lists under it are replaced, exactly as
 * under no schema at all; it differs from "no schema" only in that nested objects are
 * not looked up by their own apiVersion/kind.
 */
const OPAQUE: SchemaNode = {};

/** Types by name, and type names by "apiVersion kind". */
export interface SchemaTables {
  types: Record<string, SchemaNode>;
  gvks: Record<string, string>;
}

const BUILT_IN: SchemaTables = { types: SCHEMA_TYPES, gvks: GVK_TYPES };

/** The schema strategic merges use: kustomize's, or a kustomization's `openapi` one. */
let active: SchemaTables = BUILT_IN;

/** Makes `tables` (undefined: the built-in schema) the one merges use; returns the previous. */
export function useSchema(tables: SchemaTables | undefined): SchemaTables {
  const previous = active;
  active = tables ?? BUILT_IN;
  return previous;
}

function resolve(ref: SchemaRef): SchemaNode {
  if (typeof ref !== "string") return ref;
  return active.types[ref] ?? OPAQUE;
}

/** The schema of a built-in kind, or undefined for kinds kustomize has no schema for. */
export function schemaForType(apiVersion: unknown, kind: unknown): SchemaNode | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  if (apiVersion === "" || kind === "") return undefined;
  const name = active.gvks[`${apiVersion} ${kind}`];
  if (name === undefined) return undefined;
  return resolve(name);
}

export function fieldSchema(schema: SchemaNode | undefined, field: string): SchemaNode | undefined {
  if (schema === undefined) return undefined;
  if (schema === OPAQUE) return OPAQUE;
  const prop = schema.p?.[field];
  if (prop !== undefined) return resolve(prop);
  if (schema.a !== undefined) return resolve(schema.a);
  // Known type, field without a strategic list below it.
  return OPAQUE;
}

export function elementSchema(schema: SchemaNode | undefined): SchemaNode | undefined {
  if (schema === undefined) return undefined;
  if (schema === OPAQUE) return OPAQUE;
  return schema.i === undefined ? OPAQUE : resolve(schema.i);
}

/** kyaml's PatchStrategyAndKeyList. */
export function patchStrategyAndKeys(schema: SchemaNode | undefined): [string, string[]] {
  if (schema?.s === undefined) return ["", []];
  return [schema.s, schema.k ?? []];
}

/** A list is merged element-wise only when its schema's patch strategy includes "merge". */
export function hasMergeStrategy(schema: SchemaNode | undefined): boolean {
  return patchStrategyAndKeys(schema)[0].split(",").includes("merge");
}

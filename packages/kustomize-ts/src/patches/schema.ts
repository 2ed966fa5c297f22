/**
 * Schema lookups for strategic merge, mirroring kyaml's openapi.ResourceSchema: a type is
 * found by apiVersion + kind, fields by name, list items by `Elements()`.
 */
import { GVK_TYPES, SCHEMA_TYPES, type SchemaNode, type SchemaRef } from "./openapi-schema.ts";

export type { SchemaNode, SchemaRef };

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

/**
 * The schema one build's strategic merges use: kustomize's built-in one, or the tables of a
 * kustomization's `openapi` document. References between types resolve in these tables.
 */
export class Schema {
  static readonly builtIn = new Schema({ types: SCHEMA_TYPES, gvks: GVK_TYPES });

  readonly #tables: SchemaTables;

  constructor(tables: SchemaTables) {
    this.#tables = tables;
  }

  #resolve(ref: SchemaRef): SchemaNode {
    if (typeof ref !== "string") return ref;
    return this.#tables.types[ref] ?? OPAQUE;
  }

  /** The schema of a kind, or undefined for kinds the tables have no schema for. */
  forType(apiVersion: unknown, kind: unknown): SchemaNode | undefined {
    if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
    if (apiVersion === "" || kind === "") return undefined;
    const name = this.#tables.gvks[`${apiVersion} ${kind}`];
    if (name === undefined) return undefined;
    return this.#resolve(name);
  }

  field(schema: SchemaNode | undefined, field: string): SchemaNode | undefined {
    if (schema === undefined) return undefined;
    if (schema === OPAQUE) return OPAQUE;
    const prop = schema.p?.[field];
    if (prop !== undefined) return this.#resolve(prop);
    if (schema.a !== undefined) return this.#resolve(schema.a);
    // Known type, field without a strategic list below it.
    return OPAQUE;
  }

  element(schema: SchemaNode | undefined): SchemaNode | undefined {
    if (schema === undefined) return undefined;
    if (schema === OPAQUE) return OPAQUE;
    return schema.i === undefined ? OPAQUE : this.#resolve(schema.i);
  }
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

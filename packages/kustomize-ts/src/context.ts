/**
 * The build context, kustomize's accumulator: what one `build` gathers besides the resources
 * (the transformer config with `configurations:` and `crds:`, the schema strategic merges
 * use, vars, origin tracing). One is made per build and passed down, so two builds in one
 * process share nothing.
 */
import { dropAnnotationAliases } from "./aliases.ts";
import { TransformerConfig } from "./config/transformer-config.ts";
import type { Loader } from "./loader.ts";
import { Schema } from "./patches/schema.ts";
import type { Resource } from "./resource.ts";
import type { Var } from "./transformers/vars.ts";

/** The kustomization file and the field (or `transformers[2]`) something is configured at. */
export interface Where {
  file: string;
  key: string;
}

export class BuildContext {
  readonly config = new TransformerConfig();
  /** kustomize's built-in schema, or the `openapi` one a kustomization of the build names. */
  schema: Schema = Schema.builtIn;
  /** vars declared anywhere in the build; resolved when names are final. */
  readonly vars: Var[] = [];
  /** The top kustomization's buildMetadata asks for origins or transformations. */
  readonly tracing: boolean;

  constructor(tracing: boolean) {
    this.tracing = tracing;
  }

  /** Notes `origin` as the latest transformation of every resource in `list`. */
  trace(list: readonly Resource[], origin: string): void {
    if (!this.tracing) return;
    for (const r of list) {
      if (r.origin === undefined) r.origin = origin;
      else r.transformations.push(origin);
      dropAnnotationAliases(r.aliases);
    }
  }
}

/** The origin buildMetadata records for a builtin generator or transformer. */
export function originText(configuredIn: string, kind: string, name?: string): string {
  const named = name === undefined ? "" : `  name: ${name}\n`;
  return `configuredIn: ${configuredIn}\nconfiguredBy:\n  apiVersion: builtin\n  kind: ${kind}\n${named}`;
}

/** What a transformer gets besides the resources. */
export interface TransformContext {
  readonly build: BuildContext;
  /** The loader of the kustomization that configured it (patch and replacement files). */
  readonly ldr: Loader;
  /** Where it is configured, named in its errors. */
  readonly where: Where;
}

/**
 * A builtin transformer: a kustomization field (`namespace: x`) and a builtin plugin config
 * (`kind: NamespaceTransformer`) both become a config and reach the same function.
 */
export type Transformer<C> = (resources: Resource[], ctx: TransformContext, config: C) => void;

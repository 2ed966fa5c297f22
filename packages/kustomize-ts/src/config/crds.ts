/**
 * `crds:` files: OpenAPI definitions of custom types (`{"<pkg>.<Kind>": {"Schema": ...}}`)
 * whose property annotations add transformer config, as kustomize reads them:
 * x-kubernetes-object-ref-kind / -api-version / -name-key a name reference,
 * x-kubernetes-label-selector a commonLabels field, x-kubernetes-annotation a
 * commonAnnotations field, x-kubernetes-identity a namePrefix field.
 */
import { KustomizeError } from "../api.ts";
import { parseApiVersion } from "../resource.ts";

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

interface Spec {
  kind: string;
  path: string;
  create?: boolean;
}

/** The `configurations:` document the definitions in `doc` amount to. */
export function crdConfig(doc: unknown, file: string): Record<string, unknown> {
  if (!isMap(doc)) {
    throw new KustomizeError("a crds file must map type names to their definitions", {
      file,
      key: "crds",
    });
  }
  const nameReference: { group: string; version: string; kind: string; fieldSpecs: Spec[] }[] = [];
  const commonLabels: Spec[] = [];
  const commonAnnotations: Spec[] = [];
  const namePrefix: Spec[] = [];
  const schemaOf = (name: string): Record<string, unknown> | undefined => {
    const definition = doc[name];
    return isMap(definition) && isMap(definition.Schema) ? definition.Schema : undefined;
  };
  const walk = (
    kind: string,
    schema: Record<string, unknown>,
    path: string[],
    seen: Set<string>,
  ) => {
    const properties = isMap(schema.properties) ? schema.properties : {};
    for (const [field, property] of Object.entries(properties)) {
      if (!isMap(property)) continue;
      const at = [...path, field];
      const spec = (extra: string[] = []) => ({ kind, path: [...at, ...extra].join("/") });
      if (typeof property["x-kubernetes-label-selector"] === "string") commonLabels.push(spec());
      if (typeof property["x-kubernetes-annotation"] === "string") commonAnnotations.push(spec());
      if (typeof property["x-kubernetes-identity"] === "string") namePrefix.push(spec());
      const refKind = property["x-kubernetes-object-ref-kind"];
      if (typeof refKind === "string") {
        const apiVersion = property["x-kubernetes-object-ref-api-version"];
        const { group, version } = parseApiVersion(
          typeof apiVersion === "string" ? apiVersion : "",
        );
        const key = property["x-kubernetes-object-ref-name-key"];
        nameReference.push({
          group,
          version,
          kind: refKind,
          fieldSpecs: [spec([typeof key === "string" ? key : "name"])],
        });
      }
      const ref = property.$ref;
      if (typeof ref === "string" && !seen.has(ref)) {
        const next = schemaOf(ref);
        if (next) walk(kind, next, at, new Set([...seen, ref]));
      }
    }
  };
  for (const name of Object.keys(doc)) {
    const schema = schemaOf(name);
    if (schema) walk(name.slice(name.lastIndexOf(".") + 1), schema, [], new Set([name]));
  }
  return { nameReference, commonLabels, commonAnnotations, namePrefix };
}

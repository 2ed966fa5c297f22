/**
 * namePrefix / nameSuffix: renames every resource except the kinds kustomize leaves alone,
 * and adds the affix to the fields `configurations:` names under namePrefix / nameSuffix.
 */
import type { Transformer } from "../context.ts";
import { gvkSelected, type Resource } from "../resource.ts";
import { type FieldSpec, specMatches, walkSpec } from "../slash-path.ts";

export interface PrefixSuffixConfig {
  prefix?: string;
  suffix?: string;
  /** Fields besides metadata.name that take the affix. */
  fieldSpecs: readonly FieldSpec[];
}

/** Every resource's name takes the prefix, then every one takes the suffix. */
export const prefixSuffixTransformer: Transformer<PrefixSuffixConfig> = (resources, _, config) => {
  applyAffix(resources, config.prefix ?? "", "prefix", config.fieldSpecs);
  applyAffix(resources, config.suffix ?? "", "suffix", config.fieldSpecs);
};

const SKIP = [
  { kind: "CustomResourceDefinition" },
  { group: "apiregistration.k8s.io", kind: "APIService" },
  { kind: "Namespace" },
];

function applyAffix(
  resources: readonly Resource[],
  affix: string,
  which: "prefix" | "suffix",
  extra: readonly FieldSpec[],
): void {
  if (affix === "") return;
  const fields = extra.filter((spec) => spec.path !== "metadata/name");
  for (const r of resources) {
    const org = r.orgId();
    if (SKIP.some((s) => gvkSelected(org.gvk, s))) continue;
    if (which === "prefix") r.prefixes.push(affix);
    else r.suffixes.push(affix);
    r.storePreviousId();
    const name = r.obj.metadata?.name;
    if (typeof name === "string") r.name = which === "prefix" ? affix + name : name + affix;
    const gvk = r.gvk();
    for (const spec of fields) {
      if (!specMatches(spec, gvk)) continue;
      walkSpec(r.obj, spec, "scalar", (holder, key) => {
        const h = holder as Record<string | number, unknown>;
        const value = typeof h[key] === "string" ? (h[key] as string) : "";
        h[key] = which === "prefix" ? affix + value : value + affix;
      });
    }
  }
}

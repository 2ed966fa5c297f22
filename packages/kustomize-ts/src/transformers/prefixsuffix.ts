/**
 * kustomize's PrefixTransformer and SuffixTransformer: for every resource except the kinds
 * kustomize leaves alone, the affix goes in front of (behind) each field its field specs
 * select. A `metadata/name` spec renames the resource and records the affix, which name
 * references use later. `namePrefix:` and `nameSuffix:` run them with the transformer
 * config's specs (`metadata/name`, plus what `configurations:` adds).
 */
import type { Transformer } from "../context.ts";
import { setOwn } from "../own.ts";
import { gvkSelected, type Resource } from "../resource.ts";
import { type FieldSpec, specMatches, walkSpec } from "../slash-path.ts";

const SKIP = [
  { kind: "CustomResourceDefinition" },
  { group: "apiregistration.k8s.io", kind: "APIService" },
  { kind: "Namespace" },
];

export interface PrefixSuffixConfig {
  /** Absent: no prefix step (PrefixSuffixTransformer runs both, with "" for an absent one). */
  prefix?: string;
  suffix?: string;
  fieldSpecs: readonly FieldSpec[];
}

/** The prefix step over every resource, then the suffix step. */
export const prefixSuffixTransformer: Transformer<PrefixSuffixConfig> = (resources, _, config) => {
  if (config.prefix !== undefined)
    applyAffix(resources, config.prefix, "prefix", config.fieldSpecs);
  if (config.suffix !== undefined)
    applyAffix(resources, config.suffix, "suffix", config.fieldSpecs);
};

function applyAffix(
  resources: readonly Resource[],
  affix: string,
  which: "prefix" | "suffix",
  specs: readonly FieldSpec[],
): void {
  for (const r of resources) {
    const org = r.orgId().gvk;
    if (SKIP.some((s) => gvkSelected(org, s))) continue;
    for (const spec of specs) {
      if (!specMatches(spec, org)) continue;
      if (spec.path === "metadata/name" && affix !== "") {
        (which === "prefix" ? r.prefixes : r.suffixes).push(affix);
        r.storePreviousId();
      }
      if (!specMatches(spec, r.gvk())) continue;
      walkSpec(r.obj, spec, "scalar", (holder, key) => {
        const h = holder as Record<string | number, unknown>;
        const value = h[key];
        const text = value === null || typeof value === "object" ? "" : String(value);
        setOwn(h, key, which === "prefix" ? affix + text : text + affix);
      });
    }
  }
}

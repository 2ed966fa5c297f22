/** namePrefix / nameSuffix: renames every resource except the kinds kustomize leaves alone. */
import { gvkSelected, type Resource } from "../resource.ts";

const SKIP = [
  { kind: "CustomResourceDefinition" },
  { group: "apiregistration.k8s.io", kind: "APIService" },
  { kind: "Namespace" },
];

export function applyAffix(
  resources: readonly Resource[],
  affix: string,
  which: "prefix" | "suffix",
): void {
  if (affix === "") return;
  for (const r of resources) {
    const org = r.orgId();
    if (SKIP.some((s) => gvkSelected(org.gvk, s))) continue;
    if (which === "prefix") r.prefixes.push(affix);
    else r.suffixes.push(affix);
    r.storePreviousId();
    const name = r.obj.metadata?.name;
    if (typeof name === "string") r.name = which === "prefix" ? affix + name : name + affix;
  }
}

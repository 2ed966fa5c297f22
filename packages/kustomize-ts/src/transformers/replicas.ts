/** The replicas transformer: sets spec.replicas on the named workloads. */
import { KustomizeError } from "../api.ts";
import { withCustom } from "../config/custom.ts";
import { REPLICAS } from "../config/fieldspecs.ts";
import { compactSpec, type FieldSpec, walkSpec } from "../fieldspec.ts";
import { gvkSelected, gvkString, type Resource } from "../resource.ts";

const SPECS = REPLICAS.map(compactSpec);

export function applyReplicas(
  resources: readonly Resource[],
  name: string,
  count: number,
  file: string,
  specs: readonly FieldSpec[] = withCustom("replicas", SPECS),
): void {
  let found = false;
  for (const spec of specs) {
    const matches = resources.filter((r) =>
      [r.curId(), ...r.previousIds()].some((id) => id.name === name && gvkSelected(id.gvk, spec)),
    );
    if (matches.length === 0) continue;
    found = true;
    for (const r of matches) {
      if (!gvkSelected(r.gvk(), spec)) continue;
      walkSpec(r.obj, spec, "scalar", (holder, key) => {
        (holder as Record<string | number, unknown>)[key] = count;
      });
    }
  }
  if (!found) {
    const gvks = specs.map((s) => gvkString({ group: s.group, version: s.version, kind: s.kind }));
    throw new KustomizeError(
      `replicas: no resource named "${name}" of a kind with replicas (${gvks.join(" ")})`,
      { file, key: "replicas" },
    );
  }
}

/** The replicas transformer: sets spec.replicas on the named workloads. */
import { KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import { gvkSelected, gvkString } from "../resource.ts";
import { type FieldSpec, walkSpec } from "../slash-path.ts";

export interface ReplicaCountConfig {
  replica: { name: string; count: number };
  fieldSpecs: readonly FieldSpec[];
}

export const replicaCountTransformer: Transformer<ReplicaCountConfig> = (
  resources,
  ctx,
  config,
) => {
  const { name, count } = config.replica;
  const specs = config.fieldSpecs;
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
      { file: ctx.where.file, key: "replicas" },
    );
  }
};

/** Output order: kustomize's legacy kind order by default, or the kustomization's sortOptions. */
import { KustomizeError } from "./api.ts";
import type { Kustomization } from "./kustomization.ts";
import { type Gvk, gvkEquals, gvkString, type Resource } from "./resource.ts";

export const ORDER_FIRST = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
export const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

export function gvkSortString(g: Gvk): string {
  return `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortResources(list: Resource[], k: Kustomization, file: string): Resource[] {
  const opts = k.sortOptions;
  let first = ORDER_FIRST;
  let last = ORDER_LAST;
  if (opts) {
    if (opts.order !== "fifo" && opts.order !== "legacy") {
      throw new KustomizeError("the field 'sortOptions.order' must be one of [fifo, legacy]", {
        file,
        key: "sortOptions.order",
      });
    }
    if (opts.order === "fifo") {
      if (opts.legacySortOptions) {
        throw new KustomizeError(
          "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
          { file, key: "sortOptions.legacySortOptions" },
        );
      }
      return list;
    }
    if (opts.legacySortOptions) {
      first = opts.legacySortOptions.orderFirst ?? [];
      last = opts.legacySortOptions.orderLast ?? [];
    }
  }
  const rank = new Map<string, number>();
  first.forEach((kind, i) => {
    rank.set(kind, -first.length + i);
  });
  last.forEach((kind, i) => {
    rank.set(kind, 1 + i);
  });
  const keyed = list.map((r) => {
    const id = r.curId();
    return {
      r,
      gvk: id.gvk,
      rank: rank.get(id.gvk.kind) ?? 0,
      gvkKey: gvkSortString(id.gvk),
      idKey: `${gvkString(id.gvk)}|${id.namespace || "~X"}|${id.name || "~N"}`,
    };
  });
  keyed.sort((a, b) => {
    if (!gvkEquals(a.gvk, b.gvk)) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      // The core Namespace goes before a custom kind that is also called Namespace.
      if (a.gvk.kind === "Namespace" && b.gvk.kind === "Namespace") {
        if (a.gvk.group === "" && b.gvk.group !== "") return -1;
        if (b.gvk.group === "" && a.gvk.group !== "") return 1;
      }
      return cmp(a.gvkKey, b.gvkKey);
    }
    return cmp(a.idKey, b.idKey);
  });
  return keyed.map((x) => x.r);
}

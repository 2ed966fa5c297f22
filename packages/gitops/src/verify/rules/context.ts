import type { ExportedMetrics } from "../app-metrics.ts";
import type { Finding, KubernetesObject, RenderedTarget, RepositoryConfig } from "../types.ts";

/** What a rule may look at besides the object itself. */
export interface RuleContext {
  target: RenderedTarget;
  /** Every object the target renders. */
  objects: KubernetesObject[];
  config: RepositoryConfig;
  /** Apps of this repository (directories under gitops/apps). */
  apps: string[];
  /** What the target's app serves on GET /metrics; read only for targets with an analysis. */
  exportedMetrics?: ExportedMetrics;
}

export type ObjectRule = (object: KubernetesObject, context: RuleContext) => Finding[];

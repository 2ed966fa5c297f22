export { type ExportedMetrics, exposedMetricNames, readExportedMetrics } from "./app-metrics.ts";
export {
  type Cluster,
  type GeneratedApplication,
  parseClusters,
  renderApplicationSet,
} from "./applicationset.ts";
export { promqlMetricNames } from "./promql.ts";
export { RULES } from "./rules.ts";
export { checkSchema } from "./schema.ts";
export { discoverTargets, type TargetFilter } from "./targets.ts";
export type { Finding, RenderedTarget, RepositoryConfig, Target, Violation } from "./types.ts";
export { formatViolation } from "./types.ts";
export { type VerifyOptions, type VerifyResult, verifyRepository } from "./verify.ts";

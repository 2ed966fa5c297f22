/** `verifyRepository`: render every target, validate each object, apply every policy. */
import { listApps } from "../layout.ts";
import { renderKustomization } from "../render.ts";
import { readRepositoryConfig } from "../repository.ts";
import { type ExportedMetrics, readExportedMetrics } from "./app-metrics.ts";
import { checkArgoCD } from "./rules/argocd.ts";
import { CANARY_RULES } from "./rules/canary.ts";
import type { ObjectRule, RuleContext } from "./rules/context.ts";
import { checkImages } from "./rules/images.ts";
import { checkModelSettings } from "./rules/model.ts";
import { POD_RULES } from "./rules/pods.ts";
import { SECRET_RULES } from "./rules/secrets.ts";
import { checkSmokeTest, SELECTOR_RULES } from "./rules/selectors.ts";
import { checkSchema } from "./schema.ts";
import { discoverTargets, type TargetFilter } from "./targets.ts";
import type { Cluster, RenderedTarget, Violation } from "./types.ts";
import { objectName } from "./types.ts";

const OBJECT_RULES: ObjectRule[] = [
  checkImages,
  ...POD_RULES,
  checkModelSettings,
  ...SELECTOR_RULES,
  ...CANARY_RULES,
  ...SECRET_RULES,
];

export interface VerifyResult {
  violations: Violation[];
  /** Labels of the targets rendered (e.g. agent/dev, argocd). */
  targets: string[];
  objects: number;
}

export interface VerifyOptions {
  /**
   * The metric names an app exports, for the analysis-metrics rule. By default verify starts
   * the app from `apps/<app>` in `root` and reads its GET /metrics (once per app).
   */
  exportedMetrics?: (app: string) => Promise<ExportedMetrics>;
  /** The clusters to render the ApplicationSet for, instead of gitops/repository.yaml's. */
  clusters?: Cluster[];
}

/** Kinds whose Prometheus queries need the app's metric names. */
const ANALYSIS_KINDS = new Set(["AnalysisTemplate", "ClusterAnalysisTemplate"]);

export async function verifyRepository(
  root: string,
  filter: TargetFilter = {},
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const config = readRepositoryConfig(root);
  const readMetrics = options.exportedMetrics ?? ((app) => readExportedMetrics(root, app));
  const metricsByApp = new Map<string, Promise<ExportedMetrics>>();
  const exportedMetrics = (app: string) => {
    let metrics = metricsByApp.get(app);
    if (!metrics) {
      metrics = readMetrics(app);
      metricsByApp.set(app, metrics);
    }
    return metrics;
  };
  if (options.clusters) config.clusters = options.clusters;
  const apps = listApps(root);
  const violations: Violation[] = [];
  const rendered: RenderedTarget[] = [];
  for (const target of discoverTargets(root, filter)) {
    try {
      rendered.push({ ...target, objects: renderKustomization(target.dir) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      violations.push({
        target: target.label,
        object: `Kustomization/${target.path}`,
        rule: "render",
        problem: message.trim().split("\n").filter(Boolean).join(" "),
        fix: `fix ${target.path}/kustomization.yaml or the files it names`,
      });
    }
  }
  let objects = 0;
  for (const target of rendered) {
    const context: RuleContext = { target, objects: target.objects, config, apps };
    if (target.app && target.objects.some((o) => ANALYSIS_KINDS.has(o.kind))) {
      context.exportedMetrics = await exportedMetrics(target.app);
    }
    for (const object of target.objects) {
      objects++;
      const findings = await checkSchema(object);
      for (const rule of OBJECT_RULES) findings.push(...rule(object, context));
      for (const finding of findings)
        violations.push({ target: target.label, object: objectName(object), ...finding });
    }
    if (target.app) {
      const missing = checkSmokeTest(target.objects);
      if (missing) {
        const anchor = target.objects.find((o) => o.kind === "Deployment");
        violations.push({
          target: target.label,
          object: anchor ? objectName(anchor) : `Kustomization/${target.path}`,
          ...missing,
        });
      }
    }
  }
  violations.push(...checkArgoCD(root, config, rendered));
  return { violations, targets: rendered.map((t) => t.label), objects };
}

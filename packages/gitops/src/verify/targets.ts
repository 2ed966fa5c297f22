/** What verify renders: every app x environment overlay, and every kustomization directly under gitops/. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { kustomizationFilesIn } from "@repo/kustomize-ts";
import { GitopsError } from "../command.ts";
import { GITOPS_DIR, listApps, listEnvironments, overlayDir, overlayPath } from "../layout.ts";
import type { Target } from "./types.ts";

/** A directory kustomize can build: it holds a kustomization file (several fail at render). */
export function isKustomization(dir: string): boolean {
  return kustomizationFilesIn(dir).length > 0;
}

export interface TargetFilter {
  app?: string;
  env?: string;
}

export function discoverTargets(root: string, filter: TargetFilter = {}): Target[] {
  const apps = listApps(root);
  if (filter.app && !apps.includes(filter.app)) {
    throw new GitopsError(
      `unknown app "${filter.app}": expected one of ${apps.join(", ") || "(none)"} (directories under ${GITOPS_DIR}/apps).`,
    );
  }
  const targets: Target[] = [];
  let envSeen = false;
  for (const app of apps) {
    if (filter.app && app !== filter.app) continue;
    for (const env of listEnvironments(root, app)) {
      if (filter.env && env !== filter.env) continue;
      envSeen = true;
      targets.push({
        label: `${app}/${env}`,
        dir: overlayDir(root, app, env),
        path: overlayPath(app, env),
        app,
        env,
      });
    }
  }
  if (filter.env && !envSeen) {
    throw new GitopsError(
      `unknown environment "${filter.env}": no ${GITOPS_DIR}/apps/${filter.app ?? "*"}/overlays/${filter.env} directory.`,
    );
  }
  // Argo CD's own configuration (gitops/argocd, gitops/bootstrap, ...) is always checked.
  const gitops = join(root, GITOPS_DIR);
  if (existsSync(gitops)) {
    for (const name of readdirSync(gitops).sort()) {
      const dir = join(gitops, name);
      if (name === "apps" || name.startsWith(".") || !statSync(dir).isDirectory()) continue;
      if (isKustomization(dir)) targets.push({ label: name, dir, path: `${GITOPS_DIR}/${name}` });
    }
  }
  return targets;
}

/**
 * Where things live in a repository made from this template:
 * gitops/apps/<app>/base and gitops/apps/<app>/overlays/<env>.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { GitopsError } from "./command.ts";

export const GITOPS_DIR = "gitops";

/** The top of the git work tree that contains `cwd`. */
export function findRepoRoot(cwd: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    throw new GitopsError(
      `${cwd} is not inside a git repository: run gitops from a clone of your repository.`,
    );
  }
}

function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !name.startsWith(".") && statSync(join(dir, name)).isDirectory())
    .sort();
}

export function appsDir(root: string): string {
  return join(root, GITOPS_DIR, "apps");
}

export function listApps(root: string): string[] {
  return subdirectories(appsDir(root));
}

export function listEnvironments(root: string, app: string): string[] {
  return subdirectories(join(appsDir(root), app, "overlays"));
}

export function overlayDir(root: string, app: string, env: string): string {
  return join(appsDir(root), app, "overlays", env);
}

/** Relative to the repository root, with forward slashes: as git and Argo CD name it. */
export function overlayPath(app: string, env: string): string {
  return `${GITOPS_DIR}/apps/${app}/overlays/${env}`;
}

/**
 * App and environment names: each is part of Kubernetes names (the Argo CD Application and the
 * namespace <app>-<env>), so a DNS label, which also keeps them to one path segment.
 */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function requireName(kind: "app" | "environment", name: string): string {
  if (!NAME.test(name)) {
    throw new GitopsError(
      `invalid ${kind} name ${JSON.stringify(name)}: names are 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit (they become Kubernetes names, <app>-<env>).`,
    );
  }
  return name;
}

/** Checks that app and environment are well-formed and exist; the error lists what does. */
export function requireOverlay(root: string, app: string, env: string): string {
  requireName("app", app);
  requireName("environment", env);
  const apps = listApps(root);
  if (!apps.includes(app)) {
    throw new GitopsError(
      `unknown app "${app}": expected one of ${apps.join(", ") || "(none)"} (directories under ${GITOPS_DIR}/apps).`,
    );
  }
  const envs = listEnvironments(root, app);
  if (!envs.includes(env)) {
    throw new GitopsError(
      `unknown environment "${env}" for app "${app}": expected one of ${envs.join(", ") || "(none)"} (directories under ${GITOPS_DIR}/apps/${app}/overlays).`,
    );
  }
  return overlayDir(root, app, env);
}

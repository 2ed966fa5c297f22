/**
 * gitops/repository.yaml: the one place that names this repository and its registry. This is
 * its one reader in @repo/gitops (`gitops repository --get` serves the workflows); setup-repo
 * keeps a line reader of its own because it runs before `pnpm install`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { GitopsError } from "./command.ts";
import { GITOPS_DIR } from "./layout.ts";
import { type Cluster, parseClusters } from "./verify/applicationset.ts";
import type { RepositoryConfig } from "./verify/types.ts";

export const REPOSITORY_FILE = `${GITOPS_DIR}/repository.yaml`;

export function readRepositoryConfig(root: string): RepositoryConfig {
  const file = join(root, REPOSITORY_FILE);
  if (!existsSync(file)) {
    throw new GitopsError(
      `${REPOSITORY_FILE} is missing: create it with "repository: <owner>/<name>" and "registry: ghcr.io".`,
    );
  }
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new GitopsError(`${REPOSITORY_FILE} is not valid YAML: ${(error as Error).message}`);
  }
  const fields = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const { repository, registry, host = "github.com" } = fields;
  if (typeof repository !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new GitopsError(
      `${REPOSITORY_FILE}: key "repository" must be "<owner>/<name>" (got ${JSON.stringify(repository)}).`,
    );
  }
  if (typeof registry !== "string" || !/^[a-z0-9.-]+(:\d+)?$/.test(registry)) {
    throw new GitopsError(
      `${REPOSITORY_FILE}: key "registry" must be a registry host such as ghcr.io (got ${JSON.stringify(registry)}).`,
    );
  }
  if (typeof host !== "string" || !/^[a-z0-9.-]+(:\d+)?$/.test(host)) {
    throw new GitopsError(
      `${REPOSITORY_FILE}: key "host" must be a git host such as github.com (got ${JSON.stringify(host)}).`,
    );
  }
  let clusters: Cluster[];
  try {
    clusters = parseClusters(fields.clusters, "clusters");
  } catch (error) {
    throw new GitopsError(`${REPOSITORY_FILE}: ${(error as Error).message}.`);
  }
  // Image names and GHCR paths are lower case even when the GitHub owner is not.
  return {
    clusters,
    repository,
    registry,
    // GitHub Enterprise repositories name their host (`host:`); github.com otherwise.
    repoURL: `https://${host}/${repository}.git`,
    imagePrefix: `${registry}/${repository.toLowerCase()}/`,
  };
}

/** `<registry>/<repository>/<app>`, or undefined when the file is missing or does not say. */
export function appImageName(root: string, app: string): string | undefined {
  try {
    return `${readRepositoryConfig(root).imagePrefix}${app}`.toLowerCase();
  } catch (error) {
    if (error instanceof GitopsError) return undefined;
    throw error;
  }
}

/** Git URLs that name the same repository compare equal (case, `.git`, trailing slash). */
export function sameRepoURL(a: string, b: string): boolean {
  const normal = (url: string) =>
    url
      .trim()
      .toLowerCase()
      .replace(/\/+$/, "")
      .replace(/\.git$/, "");
  return normal(a) === normal(b);
}

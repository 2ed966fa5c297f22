/**
 * Prints, as a JSON array, the apps whose image must be built and deployed for commit <head>:
 * each app is compared with the commit its environment (dev) runs, the Source-Commit that
 * `gitops history` reads from the overlay's deploy commits, not with the previous push. So a
 * run that failed before deploying is made good by the next push, whatever that push touched,
 * and a force-push changes nothing. An app ships when, since that commit, `turbo ls --affected`
 * reports it (a change in a workspace package it depends on counts) or the build itself changed
 * (Dockerfile, packaging script, lockfile, root manifests); and always when its deployed commit
 * is unknown (a new repository, a hand-made overlay) or not in this clone. Only apps with a
 * gitops tree (gitops/apps/<app>) can be deployed, so only those are listed. Why each app
 * ships or not goes to stderr.
 *
 * usage: node scripts/affected-apps.ts [--env dev] [--gitops <dir>] [--root <dir>] [<head>]
 *   --gitops  the checkout holding the gitops tree, when it is another repository
 *   --root    this repository (default: the one this script is in); <head> defaults to HEAD
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { deployedSourceCommit } from "../packages/gitops/src/deploy/history.ts";

/** Changes to these rebuild every app: they are part of every image's build. */
export const BUILD_INPUTS = [
  /^Dockerfile$/,
  /^\.dockerignore$/,
  /^scripts\/package-app\.sh$/,
  /^pnpm-lock\.yaml$/,
  /^pnpm-workspace\.yaml$/,
  /^package\.json$/,
  /^turbo\.json$/,
  /^\.nvmrc$/,
];

export interface AffectedOptions {
  /** This repository: the apps' sources and the commits images are built from. */
  root: string;
  head: string;
  /** The environment whose deployed commit each app is compared with. */
  env?: string;
  /** The checkout holding gitops/ (default: root). */
  gitopsRoot?: string;
  /** Paths (relative to root) of the workspace packages turbo reports as affected. */
  turboAffected?: (root: string, base: string, head: string) => string[];
}

export interface AppDecision {
  app: string;
  ship: boolean;
  /** The deployed source commit the app was compared with, when there was one. */
  base: string | undefined;
  reason: string;
}

function directories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

/** Apps that have both sources (apps/<app>) and a gitops tree (gitops/apps/<app>). */
export function deployableApps(root: string, gitopsRoot = root): string[] {
  const deployed = new Set(directories(join(gitopsRoot, "gitops/apps")));
  return directories(join(root, "apps")).filter((app) => deployed.has(app));
}

export function turboAffected(root: string, base: string, head: string): string[] {
  const turbo = join(root, "node_modules/.bin/turbo");
  const output = execFileSync(turbo, ["ls", "--affected", "--output", "json"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TURBO_SCM_BASE: base, TURBO_SCM_HEAD: head },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const json = JSON.parse(output.slice(output.indexOf("{"))) as {
    packages: { items: { name: string; path: string }[] };
  };
  return json.packages.items.map((item) => item.path);
}

function resolveCommit(root: string, commit: string): string | undefined {
  const result = spawnSync("git", ["rev-parse", "--verify", "--quiet", `${commit}^{commit}`], {
    cwd: root,
    encoding: "utf8",
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function deployedCommit(gitopsRoot: string, app: string, env: string): string | undefined {
  try {
    return deployedSourceCommit(gitopsRoot, app, env);
  } catch {
    return undefined; // no overlay, or one that does not parse: treated as never deployed
  }
}

export function decideApps(options: AffectedOptions): AppDecision[] {
  const env = options.env ?? "dev";
  const gitopsRoot = options.gitopsRoot ?? options.root;
  const head = resolveCommit(options.root, options.head) ?? options.head;
  // Apps affected since a base commit, or "build" when the build itself changed; one git diff
  // and at most one turbo run per distinct base.
  const since = new Map<string, Set<string> | "build">();
  const affectedSince = (base: string): Set<string> | "build" => {
    const known = since.get(base);
    if (known) return known;
    const changed = execFileSync("git", ["diff", "--name-only", base, head], {
      cwd: options.root,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
    const result = changed.some((path) => BUILD_INPUTS.some((input) => input.test(path)))
      ? "build"
      : new Set(
          (options.turboAffected ?? turboAffected)(options.root, base, head)
            .filter((path) => path.startsWith("apps/"))
            .map((path) => path.slice("apps/".length)),
        );
    since.set(base, result);
    return result;
  };
  const isAncestor = (a: string, b: string): boolean =>
    spawnSync("git", ["merge-base", "--is-ancestor", a, b], { cwd: options.root }).status === 0;

  return deployableApps(options.root, gitopsRoot).map((app): AppDecision => {
    const deployed = deployedCommit(gitopsRoot, app, env);
    if (!deployed) {
      return { app, ship: true, base: undefined, reason: `${env} names no Source-Commit` };
    }
    const base = resolveCommit(options.root, deployed);
    const short = deployed.slice(0, 7);
    if (!base) {
      return {
        app,
        ship: true,
        base: undefined,
        reason: `${env} runs ${short}, which is not in this clone (rewritten history or a shallow fetch)`,
      };
    }
    if (base === head) {
      return { app, ship: false, base, reason: `${env} runs this commit already` };
    }
    if (isAncestor(head, base)) {
      return { app, ship: false, base, reason: `${env} runs ${short}, a newer commit` };
    }
    const affected = affectedSince(base);
    if (affected === "build") {
      return { app, ship: true, base, reason: `the build itself changed since ${short}` };
    }
    return affected.has(app)
      ? { app, ship: true, base, reason: `changed since ${short}, which ${env} runs` }
      : { app, ship: false, base, reason: `unchanged since ${short}, which ${env} runs` };
  });
}

export function affectedApps(options: AffectedOptions): string[] {
  return decideApps(options)
    .filter((decision) => decision.ship)
    .map((decision) => decision.app);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      env: { type: "string", default: "dev" },
      gitops: { type: "string" },
      root: { type: "string" },
    },
  });
  const root = resolve(values.root ?? resolve(fileURLToPath(import.meta.url), "../.."));
  const decisions = decideApps({
    root,
    head: positionals[0] ?? "HEAD",
    env: values.env,
    gitopsRoot: values.gitops === undefined ? undefined : resolve(values.gitops),
  });
  for (const d of decisions) {
    process.stderr.write(`${d.app}: ${d.ship ? "ship" : "skip"} (${d.reason})\n`);
  }
  const apps = decisions.filter((d) => d.ship).map((d) => d.app);
  process.stdout.write(`${JSON.stringify(apps)}\n`);
}

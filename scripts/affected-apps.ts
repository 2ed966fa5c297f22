/**
 * Prints, as a JSON array, the apps whose image must be rebuilt for the commits base..head:
 * the packages under apps/ that `turbo ls --affected` reports (so a change in a workspace
 * package an app depends on counts), or every app when the build itself changed (Dockerfile,
 * packaging script, lockfile, root manifests). Only apps with a gitops tree
 * (gitops/apps/<app>) can be deployed, so only those are listed.
 *
 * usage: node scripts/affected-apps.ts <base> <head>   (no base, or all zeros: every app)
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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
  root: string;
  base: string | undefined;
  head: string;
  /** Paths (relative to root) of the workspace packages turbo reports as affected. */
  turboAffected?: (root: string, base: string, head: string) => string[];
}

function directories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

/** Apps that have both sources (apps/<app>) and a gitops tree (gitops/apps/<app>). */
export function deployableApps(root: string): string[] {
  const deployed = new Set(directories(join(root, "gitops/apps")));
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

export function affectedApps(options: AffectedOptions): string[] {
  const apps = deployableApps(options.root);
  const base = options.base ?? "";
  if (base === "" || /^0+$/.test(base)) return apps; // a new branch: nothing to compare with
  const changed = execFileSync("git", ["diff", "--name-only", base, options.head], {
    cwd: options.root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  if (changed.some((path) => BUILD_INPUTS.some((input) => input.test(path)))) return apps;
  const affected = (options.turboAffected ?? turboAffected)(options.root, base, options.head);
  const names = new Set(
    affected.filter((path) => path.startsWith("apps/")).map((path) => path.slice("apps/".length)),
  );
  return apps.filter((app) => names.has(app));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [base, head = "HEAD"] = process.argv.slice(2);
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  process.stdout.write(`${JSON.stringify(affectedApps({ root, base, head }))}\n`);
}

/**
 * A new agent, made by copying the live example app (apps/<source>, gitops/apps/<source>)
 * with targeted renames, so what is generated never falls behind the example. Nothing else
 * needs editing: the ApplicationSet discovers gitops/apps/<name>/overlays/*, CI's affected-app
 * detection and the Dockerfile (APP=<name>) work from the directory names; only the AppProject
 * lists namespaces per app, and gets the new app's here.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { SetupError } from "../errors.ts";
import { listFiles, readText } from "../files.ts";
import { readRepositoryFile } from "../repository-file.ts";
import { addAppToProject } from "./appproject.ts";
import {
  agentNames,
  DEFAULT_SOURCE_PORT,
  declaredPort,
  parsePort,
  validateAgentName,
  validateDescription,
  validatePort,
} from "./names.ts";
import { type RenameContext, renameInGitops, renameInSource } from "./rename.ts";

export const DEFAULT_SOURCE = "agent";
// Generated history of the source app, and environment holds, are not the new app's.
const SKIPPED = new Set(["CHANGELOG.md", "HOLD"]);

export interface GenerateOptions {
  root: string;
  name: string;
  description: string;
  port: number | string;
  /** The app to copy (apps/<source>, gitops/apps/<source>); default: see defaultSource. */
  source?: string;
}

export interface GenerateResult {
  name: string;
  pkg: string;
  port: number;
  /** The overlays copied (dev, staging, production). */
  environments: string[];
  /** Files written, relative to root. */
  created: string[];
  /** Existing files changed (the AppProject). */
  modified: string[];
}

/**
 * Names of the repository that must survive the renames (they may contain the app's name):
 * from gitops/repository.yaml, and the image prefixes the source app's manifests use.
 */
function protectedNames(root: string, source: string): string[] {
  const names: string[] = [];
  try {
    const { settings } = readRepositoryFile(root);
    const slug = `${settings.owner}/${settings.name}`;
    names.push(`${settings.registry}/${slug.toLowerCase()}/`, slug, settings.name);
  } catch {
    // No repository file: the image prefixes below still protect the repository's name.
  }
  const image = new RegExp(`(?:image|name):\\s*"?(\\S+/)${source}(?=[\\s"@:]|$)`, "gm");
  for (const file of listFiles(root).filter((f) => f.startsWith(`gitops/apps/${source}/`))) {
    const text = readText(root, file) ?? "";
    for (const match of text.matchAll(image)) names.push(match[1] as string);
  }
  return names;
}

function check(result: true | string) {
  if (result !== true) throw new SetupError(result);
}

function copyTree(
  root: string,
  fromDir: string,
  toDir: string,
  transform: (text: string, file: string) => string,
): string[] {
  const created: string[] = [];
  const files = listFiles(root).filter((file) => file.startsWith(`${fromDir}/`));
  for (const file of files) {
    const relative = file.slice(fromDir.length + 1);
    const path = join(root, file);
    if (SKIPPED.has(relative.split("/").at(-1) ?? "")) continue;
    if (!existsSync(path) || lstatSync(path).isSymbolicLink()) continue;
    const target = `${toDir}/${relative}`;
    mkdirSync(dirname(join(root, target)), { recursive: true });
    const text = readText(root, file);
    if (text === undefined) copyFileSync(path, join(root, target));
    else writeFileSync(join(root, target), transform(text, relative));
    chmodSync(join(root, target), statSync(path).mode & 0o777);
    created.push(target);
  }
  return created;
}

function packageJson(text: string, pkg: string, description: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  manifest.name = pkg;
  manifest.version = "0.1.0";
  manifest.description = description;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The README's first heading becomes the package's name, with the description under it. */
function readme(text: string, pkg: string, description: string): string {
  return text.replace(/^# .*$/m, `# ${pkg}\n\n${description}`);
}

/** The example app when it is still there, else the first app that has a gitops tree. */
export function defaultSource(root: string): string {
  const deployable = (app: string) =>
    existsSync(join(root, "apps", app, "package.json")) &&
    existsSync(join(root, "gitops/apps", app));
  if (deployable(DEFAULT_SOURCE)) return DEFAULT_SOURCE;
  const apps = existsSync(join(root, "apps")) ? readdirSync(join(root, "apps")).sort() : [];
  return apps.find(deployable) ?? DEFAULT_SOURCE;
}

export function generateAgent(options: GenerateOptions): GenerateResult {
  const { root } = options;
  const source = options.source ?? defaultSource(root);
  const name = options.name.trim();
  const description = options.description.trim();
  check(validateAgentName(name, root));
  check(validateDescription(description));
  check(validatePort(options.port, root));
  const port = parsePort(options.port) as number;
  for (const dir of [`apps/${source}`, `gitops/apps/${source}`]) {
    if (!existsSync(join(root, dir))) {
      throw new SetupError(
        `${dir} is missing: the generator copies the example app "${source}" from it.`,
      );
    }
  }

  const ctx: RenameContext = {
    from: agentNames(source),
    to: agentNames(name),
    fromPort: declaredPort(root, source) ?? DEFAULT_SOURCE_PORT,
    toPort: port,
    protect: protectedNames(root, source),
  };
  const created = [
    ...copyTree(root, `apps/${source}`, `apps/${name}`, (text, file) => {
      const renamed = renameInSource(text, ctx);
      if (file === "package.json") return packageJson(renamed, ctx.to.pkg, description);
      if (file === "README.md") return readme(renamed, ctx.to.pkg, description);
      return renamed;
    }),
    ...copyTree(root, `gitops/apps/${source}`, `gitops/apps/${name}`, (text, file) =>
      renameInGitops(text, file, ctx),
    ),
  ];

  const modified: string[] = [];
  const argocd = join(root, "gitops/argocd");
  const manifests = existsSync(argocd) ? readdirSync(argocd).filter((f) => /\.ya?ml$/.test(f)) : [];
  for (const file of manifests.sort()) {
    const path = join(argocd, file);
    const text = readFileSync(path, "utf8");
    if (!/^kind:\s*AppProject\s*$/m.test(text)) continue;
    const updated = addAppToProject(text, source, name);
    if (updated !== text) {
      writeFileSync(path, updated);
      modified.push(`gitops/argocd/${file}`);
    }
  }
  const overlays = `gitops/apps/${name}/overlays/`;
  const environments = [
    ...new Set(
      created
        .filter((f) => f.startsWith(overlays))
        .map((f) => f.slice(overlays.length).split("/")[0] as string),
    ),
  ].sort();
  return { name, pkg: ctx.to.pkg, port, environments, created, modified };
}

export type CommandRunner = (command: string, args: string[], cwd: string) => number | null;

const runInherited: CommandRunner = (command, args, cwd) =>
  spawnSync(command, args, { cwd, stdio: "inherit" }).status;

/**
 * `pnpm install`, which links the new workspace package and adds it to the lockfile (so not
 * frozen, which CI=true would otherwise imply); false when it did not succeed.
 */
export function installWorkspace(root: string, run: CommandRunner = runInherited): boolean {
  return run("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"], root) === 0;
}

export interface FormatResult {
  ok: boolean;
  /** Biome's report when it did not succeed. */
  output: string;
}

/**
 * Formats what was generated with the repository's own Biome and configuration (biome.json):
 * renames change line lengths (a longer name pushes a line past the width) and import order.
 * `biome check --write` applies the formatter and the safe fixes, import sorting included.
 */
export function formatGenerated(root: string, result: GenerateResult): FormatResult {
  const biome = join(root, "node_modules/.bin/biome");
  if (!existsSync(biome)) {
    return { ok: false, output: `${biome} is missing: run pnpm install, then pnpm format.` };
  }
  const files = [...result.created, ...result.modified];
  const run = spawnSync(
    biome,
    ["check", "--write", "--files-ignore-unknown=true", "--no-errors-on-unmatched", ...files],
    { cwd: root, encoding: "utf8" },
  );
  return { ok: run.status === 0, output: `${run.stdout ?? ""}${run.stderr ?? ""}`.trim() };
}

/** What the user reads after generating: what was made and what to run next. */
export function summary(
  result: GenerateResult,
  installed: boolean,
  formatted: FormatResult = { ok: true, output: "" },
): string {
  const { name, pkg, port } = result;
  return [
    `Created apps/${name} (${pkg}, port ${port}) and gitops/apps/${name} (base, overlays ${result.environments.join(", ")})` +
      (result.modified.length > 0 ? `; added ${name}-* to ${result.modified.join(", ")}.` : "."),
    "Next steps:",
    ...(installed ? [] : ["  pnpm install   (links the new package into the workspace)"]),
    ...(formatted.ok
      ? []
      : [`  pnpm format   (formatting the new files failed: ${formatted.output.split("\n")[0]})`]),
    `  pnpm --filter ${pkg} test`,
    `  pnpm --filter ${pkg} dev   (listens on http://localhost:${port})`,
    "  pnpm gitops verify",
    `  git add -A && git commit -m "Add ${name}" && git push   (CI builds the ${name} image and deploys it to dev)`,
  ].join("\n");
}

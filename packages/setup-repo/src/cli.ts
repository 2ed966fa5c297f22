/**
 * `setup-repo [--repo <owner>/<name>] [--registry <host>] [--dry-run]`: run once in a
 * repository created from the template. Acts on the git repository of the directory it was
 * started from (pnpm sets INIT_CWD to it), as git does. `setup-repo repository --get <key>`
 * prints one value of gitops/repository.yaml (repository-get.ts).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { SetupError, UsageError } from "./errors.ts";
import { parseRepository, readOriginUrl, slug } from "./remote.ts";
import { REPOSITORY_FILE } from "./repository-file.ts";
import { REPOSITORY_USAGE, repositoryValue } from "./repository-get.ts";
import { type SetupResult, setupRepository } from "./setup.ts";

export const USAGE = `usage: pnpm setup-repo [--repo <owner>/<name>] [--registry <host>] [--dry-run]

Rewrites every place that names the template's repository (gitops/repository.yaml, image
names, Argo CD repoURLs, the AppProject's sourceRepos, badges and links) to this repository.

  --repo <owner>/<name>  the repository (or a clone URL, for GitHub Enterprise hosts);
                         default: the "origin" remote of this git repository
  --registry <host>      container registry (default: ghcr.io, containers.<host> on Enterprise)
  --dry-run              print what would change, write nothing
  -h, --help             this text

  setup-repo repository --get <key>   one value of gitops/repository.yaml (--help: the keys)`;

export interface CliContext {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The top of the git working tree holding cwd, or the nearest directory with gitops/repository.yaml. */
export function findRoot(cwd: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    for (let dir = cwd; ; dir = dirname(dir)) {
      if (existsSync(join(dir, REPOSITORY_FILE))) return dir;
      if (dirname(dir) === dir) return cwd;
    }
  }
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        repo: { type: "string" },
        registry: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function report(result: SetupResult, source: string, dryRun: boolean): string {
  const { from, to, changes } = result;
  const image = `${to.registry}/${to.owner.toLowerCase()}/${to.name.toLowerCase()}/<app>`;
  const lines = [
    `setup-repo: ${slug(from)} -> ${slug(to)} on ${to.host} (${source}); images ${image}`,
  ];
  if (changes.length === 0) {
    lines.push(`Already set up for ${slug(to)}: nothing to change.`);
    return `${lines.join("\n")}\n`;
  }
  for (const change of changes) lines.push(`  ${change.file}: ${change.count}`);
  const places = changes.reduce((sum, change) => sum + change.count, 0);
  lines.push(
    dryRun
      ? `Would change ${places} places in ${changes.length} files (dry run: nothing written).`
      : `Changed ${places} places in ${changes.length} files. Review with \`git diff\`, then commit and push.`,
  );
  return `${lines.join("\n")}\n`;
}

export async function main(
  argv: readonly string[],
  context: Partial<CliContext> = {},
): Promise<number> {
  const ctx: CliContext = {
    cwd: context.cwd ?? process.env.INIT_CWD ?? process.cwd(),
    stdout: context.stdout ?? ((text) => process.stdout.write(text)),
    stderr: context.stderr ?? ((text) => process.stderr.write(text)),
  };
  if (argv[0] === "repository") return repositoryCommand(argv.slice(1), ctx);
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      ctx.stdout(`${USAGE}\n`);
      return 0;
    }
    if (flags.registry !== undefined && !/^[a-z0-9.-]+(:\d+)?$/.test(flags.registry)) {
      throw new UsageError(
        `--registry must be a registry host such as ghcr.io (got "${flags.registry}")`,
      );
    }
    const root = findRoot(ctx.cwd);
    const source = flags.repo !== undefined ? "from --repo" : "from git remote origin";
    const target = parseRepository(flags.repo ?? readOriginUrl(root));
    const dryRun = flags["dry-run"] === true;
    const result = setupRepository({
      root,
      target,
      dryRun,
      ...(flags.registry !== undefined ? { registry: flags.registry } : {}),
    });
    ctx.stdout(report(result, source, dryRun));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr(`setup-repo: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof SetupError) {
      ctx.stderr(`setup-repo: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function repositoryCommand(argv: readonly string[], ctx: CliContext): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    ctx.stdout(`${REPOSITORY_USAGE}\n`);
    return 0;
  }
  try {
    ctx.stdout(`${repositoryValue(argv, findRoot(ctx.cwd))}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr(`setup-repo repository: ${error.message}\n\n${REPOSITORY_USAGE}\n`);
      return 2;
    }
    if (error instanceof SetupError) {
      ctx.stderr(`setup-repo repository: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

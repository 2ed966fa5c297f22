/** `gitops history`: who deployed what to an environment, and when, from git alone. */
import { type Command, UsageError } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { type Deployment, readHistory } from "../deploy/history.ts";
import { readOverlay } from "../deploy/overlay.ts";
import { Git } from "../git/git.ts";
import { findRepoRoot } from "../layout.ts";
import { appImageName } from "../repository.ts";

const usage = `usage: gitops history --app <app> --env <env> [--limit 20] [--json]

Lists the commits that changed an environment, newest first: when, the image tag, the commit
the image was built from, who made the change and what kind it was (deploy, promote,
rollback, release, revert, edit). Read from git history and the commits' trailers.`;

function row(d: Deployment): string[] {
  const tag = d.image?.newTag ?? (d.image?.digest ? d.image.digest.slice(0, 19) : "-");
  return [
    d.date.replace("T", " ").replace(/(\+00:00|Z)$/, "Z"),
    tag,
    d.sourceCommit ? d.sourceCommit.slice(0, 7) : "-",
    d.author,
    d.onHold ? `${d.kind} (hold)` : d.kind,
    d.commit.slice(0, 7),
  ];
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      app: { type: "string" },
      env: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean" },
    });
    const app = required(flags.app, "app");
    const env = required(flags.env, "env");
    const limit = flags.limit === undefined ? 20 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new UsageError(`--limit must be a whole number of 1 or more, got "${flags.limit}"`);
    }
    const root = findRepoRoot(ctx.cwd);
    const overlay = readOverlay(root, app, env);
    const git = new Git(root, ctx.env);
    const history = readHistory(git, {
      app,
      path: overlay.path,
      expectedImage: appImageName(root, app),
      limit,
    });
    if (flags.json) {
      ctx.stdout(`${JSON.stringify(history, null, 2)}\n`);
      return 0;
    }
    if (history.length === 0) {
      ctx.stdout(`${app}/${env} has no commits yet.\n`);
      return 0;
    }
    const header = ["WHEN", "TAG", "SOURCE", "AUTHOR", "WHAT", "COMMIT"];
    ctx.stdout(`${app}/${env}${overlay.hold !== undefined ? " (on hold)" : ""}\n`);
    ctx.stdout(`${formatTable([header, ...history.map(row)])}\n`);
    return 0;
  },
};

/**
 * `gitops <verb> [flags]`: each verb lives in `commands/<verb>.ts` and exports a
 * `command: Command`. The CLI acts on the git repository of the directory it was started
 * from (pnpm sets INIT_CWD to it when run as `pnpm gitops`), as git does.
 */
import type { Command, CommandContext } from "./command.ts";
import { GitopsError, UsageError } from "./command.ts";

/** Each verb with the one line `gitops --help` shows for it. */
const SUMMARIES = {
  verify: "render every app x environment and gitops/argocd, check schemas and rollout rules",
  bump: "point an environment at a new image (commit + push; what CI runs after a build)",
  promote: "move an environment to the image another one runs, on a branch for a pull request",
  rollback: "put an environment back on an image it ran before, and hold it there",
  release: "lift the hold a rollback left, so CI deploys to the environment again",
  history: "what each environment ran, when, built from which commit, changed by whom",
  diff: "the rendered manifests that change between two refs, as markdown",
  repository: "print one value of gitops/repository.yaml (for workflows: --get image-prefix)",
} as const;
const VERBS = Object.keys(SUMMARIES) as (keyof typeof SUMMARIES)[];

function usage(): string {
  return [
    "usage: gitops <command> [flags]",
    "",
    "commands:",
    ...VERBS.map((verb) => `  ${verb.padEnd(12)}${SUMMARIES[verb]}`),
    "",
    "Run `gitops <command> --help` for the flags of one command.",
  ].join("\n");
}

async function load(verb: string): Promise<Command | undefined> {
  if (!(VERBS as readonly string[]).includes(verb)) return undefined;
  try {
    const module = (await import(`./commands/${verb}.ts`)) as { command: Command };
    return module.command;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

export async function main(
  argv: readonly string[],
  context: Partial<CommandContext> = {},
): Promise<number> {
  const ctx: CommandContext = {
    cwd: context.cwd ?? process.env.INIT_CWD ?? process.cwd(),
    stdout: context.stdout ?? ((text) => process.stdout.write(text)),
    stderr: context.stderr ?? ((text) => process.stderr.write(text)),
    env: context.env ?? process.env,
  };
  const [verb, ...rest] = argv;
  if (!verb || verb === "--help" || verb === "-h" || verb === "help") {
    ctx.stdout(`${usage()}\n`);
    return verb ? 0 : 2;
  }
  const command = await load(verb);
  if (!command) {
    ctx.stderr(`gitops: unknown command "${verb}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    ctx.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr(`gitops ${verb}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.stderr(`gitops ${verb}: ${message}\n`);
    return error instanceof GitopsError ? error.exitCode : 1;
  }
}

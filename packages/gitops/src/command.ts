/** The shape every `gitops` verb implements (see cli.ts). */
export interface CommandContext {
  /** Where the user ran the command; the repository is found from here, as git does. */
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** Printed for `--help` and after a usage error. */
  usage: string;
  /** Returns the process exit code. */
  run(args: readonly string[], ctx: CommandContext): Promise<number>;
}

/** Bad flags or arguments: the CLI prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure the user can act on: the message says what was wrong and what to do. */
export class GitopsError extends Error {
  override readonly name = "GitopsError";
}

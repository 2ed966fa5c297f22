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
  /** The process exit code: 1, or another one a command documents for scripts to tell apart. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** `gitops bump`'s exit code when a newer build is deployed already (an out-of-order run). */
export const EXIT_SUPERSEDED = 3;
/** `gitops bump`'s exit code when the environment is on hold after a rollback. */
export const EXIT_ON_HOLD = 4;

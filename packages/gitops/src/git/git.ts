/**
 * A thin, synchronous wrapper over the real `git` executable: every gitops command works
 * through git itself, so what it does is what a person would do by hand, and shows in `git log`.
 */
import { spawnSync } from "node:child_process";
import { GitopsError } from "../command.ts";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Git {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(cwd: string, env: NodeJS.ProcessEnv = process.env) {
    this.cwd = cwd;
    // Never wait for a password prompt: CI has no terminal, and a hung push is worse than an error.
    this.env = { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  }

  /** Runs git and returns whatever happened; callers decide what a non-zero exit means. */
  try(args: readonly string[], input?: string): GitResult {
    const result = spawnSync("git", args, {
      cwd: this.cwd,
      env: this.env,
      encoding: "utf8",
      input,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) {
      throw new GitopsError(
        `could not run git (${result.error.message}): install git and make sure it is on PATH.`,
      );
    }
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs git for binary-exact output (blob contents by byte size). */
  tryBuffer(args: readonly string[], input: string): Buffer {
    const result = spawnSync("git", args, {
      cwd: this.cwd,
      env: this.env,
      input,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error || result.status !== 0) {
      throw new GitopsError(
        `git ${args.join(" ")} failed: ${result.error?.message ?? result.stderr.toString().trim()}`,
      );
    }
    return result.stdout;
  }

  /** Runs git and returns its output without the trailing newline; throws on failure. */
  run(args: readonly string[], input?: string): string {
    const result = this.try(args, input);
    if (result.code !== 0) {
      const detail = (result.stderr || result.stdout).trim();
      throw new GitopsError(`git ${args.join(" ")} failed: ${detail}`);
    }
    return result.stdout.replace(/\n$/, "");
  }

  /** True when the command exits 0 (for questions such as `merge-base --is-ancestor`). */
  ok(args: readonly string[]): boolean {
    return this.try(args).code === 0;
  }
}

/**
 * A thin, synchronous wrapper over the real `git` executable: every gitops command works
 * through git itself, so what it does is what a person would do by hand, and shows in `git log`.
 */
import { spawn, spawnSync } from "node:child_process";
import { GitopsError } from "../command.ts";

/** Seconds a network git command (fetch, push, ls-remote) may take before it is stopped. */
export const NETWORK_TIMEOUT_VARIABLE = "GITOPS_GIT_TIMEOUT";
export const DEFAULT_NETWORK_TIMEOUT_SECONDS = 120;

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NetworkResult extends GitResult {
  /** The command was stopped after the timeout: the remote accepted but did not answer in time. */
  timedOut: boolean;
  /** The command was stopped because `signal` aborted (an interrupt). */
  aborted: boolean;
}

export function networkTimeoutSeconds(env: NodeJS.ProcessEnv): number {
  const text = env[NETWORK_TIMEOUT_VARIABLE];
  if (text === undefined || text.trim() === "") return DEFAULT_NETWORK_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new GitopsError(
      `${NETWORK_TIMEOUT_VARIABLE}=${JSON.stringify(text)} is not a number of seconds above 0: set it to one (default ${DEFAULT_NETWORK_TIMEOUT_SECONDS}) or unset it.`,
    );
  }
  return seconds;
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

  /**
   * Runs a git command that talks to a remote, bounded in time: git has no timeout of its own
   * for a server that accepts the connection and never answers. It runs in its own process
   * group so that the transport helpers it starts (ssh, git-remote-http) stop with it, and
   * without a terminal, like CI: credentials come from a helper or an agent, never a prompt.
   */
  network(args: readonly string[], signal?: AbortSignal): Promise<NetworkResult> {
    const timeoutMs = networkTimeoutSeconds(this.env) * 1000;
    return new Promise((resolve) => {
      const child = spawn("git", args, {
        cwd: this.cwd,
        env: this.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let aborted = false;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const stop = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // the group has exited already
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
      const onAbort = () => {
        aborted = true;
        stop();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
      let exitCode: number | undefined;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code: exitCode ?? 1, stdout, stderr, timedOut, aborted });
      };
      child.on("error", (error) => {
        stderr += `could not run git: ${error.message}`;
        exitCode = 127;
        finish();
      });
      child.on("exit", (code) => {
        exitCode = code ?? 1;
        // A helper left behind in the group must not keep the command waiting for its output.
        stop();
        setTimeout(finish, 1000);
      });
      child.on("close", finish);
    });
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

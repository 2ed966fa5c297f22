/** Child processes for the image test: output captured, failures turned into one line. */
import { spawn } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, then closed. */
  input?: string;
  /** Killed (SIGKILL) after this long; code is then 124, as timeout(1) reports. */
  timeoutMs?: number;
  /** Stream the child's output to ours as well (long builds show progress). */
  echo?: boolean;
}

export class CommandError extends Error {
  override readonly name = "CommandError";
}

export function run(command: string, args: readonly string[], options: RunOptions = {}) {
  return new Promise<Result>((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 124 : (code ?? 1), stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // a child that exits without reading: its result says why
      child.stdin.end(options.input);
    }
  });
}

/** The last non-empty line of a command's error output: usually the one that says why. */
export function lastLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines[lines.length - 1]?.trim() ?? "";
}

/** Runs a command that must succeed; its stdout, or a CommandError naming it and why. */
export async function must(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const why = result.code === 124 ? "timed out" : lastLine(result.stderr || result.stdout);
    throw new CommandError(
      `${command} ${args.slice(0, 2).join(" ")} failed (exit ${result.code}): ${why}`,
    );
  }
  return result.stdout;
}

/** Whether a program can be found on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  return (await run("sh", ["-c", `command -v ${command}`])).code === 0;
}

/** Where the image test keeps what outlives a run: the same cache .ci/run keeps its tools in. */
export function toolsCache(): string {
  // Read as a whole: this script runs outside turbo, which need not know these variables.
  const { AGENT_TEMPLATE_TOOLS, XDG_CACHE_HOME } = process.env;
  return (
    AGENT_TEMPLATE_TOOLS ??
    join(XDG_CACHE_HOME ?? join(homedir(), ".cache"), "agent-gitops-template")
  );
}

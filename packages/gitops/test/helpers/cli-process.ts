/**
 * The gitops CLI as a process the tests can stop half-way, and git hooks that hold a command at
 * a chosen step until the test lets it go on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, gitEnv } from "./repos.ts";

export interface Running {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal that ended it) and the output. */
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** Starts `gitops <args>` in its own process group, so a test can kill it with its children. */
export function startGitops(cwd: string, args: string[], env = gitEnv()): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<Awaited<Running["done"]>>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Polls (never a fixed sleep) until `check` holds, or fails after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Gate {
  /** True once a command has reached the hook. */
  reached(): boolean;
  /** Lets the waiting hook succeed, or fail. */
  open(outcome?: "pass" | "fail"): void;
}

/**
 * Installs `hook` (pre-commit, pre-push) in the clone: it marks that it was reached, then waits
 * (at most 60 s) until the test opens the gate, and passes or fails as told.
 */
export function gateHook(clone: string, hook: string): Gate {
  const dir = join(clone, ".git");
  const reached = join(dir, `${hook}.reached`);
  const pass = join(dir, `${hook}.pass`);
  const fail = join(dir, `${hook}.fail`);
  writeFileSync(
    join(dir, "hooks", hook),
    `#!/bin/sh
touch "${reached}"
i=0
while [ ! -f "${pass}" ] && [ ! -f "${fail}" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
[ -f "${pass}" ]
`,
    { mode: 0o755 },
  );
  return {
    reached: () => existsSync(reached),
    open(outcome = "pass") {
      writeFileSync(outcome === "pass" ? pass : fail, "");
    },
  };
}

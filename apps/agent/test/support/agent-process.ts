/**
 * Real agent processes (`node src/server.ts`) on 127.0.0.1, for tests of what only separate
 * processes show: sharing a database, restarts, kills, signals. Each is stopped by its handle.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort } from "./postgres.ts";

const ENTRY = fileURLToPath(new URL("../../src/server.ts", import.meta.url));

export interface AgentProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr, for failure messages. */
  output: string[];
}

/**
 * Starts an agent with `env` (on top of PATH, loopback, quiet logs, no drain) and resolves
 * once /ready answers 200. `port` defaults to a free one.
 */
export async function startAgentProcess(
  env: Record<string, string>,
  port?: number,
): Promise<AgentProcess> {
  const listenPort = port ?? (await freeLoopbackPort());
  const child = spawn(process.execPath, [ENTRY], {
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: String(listenPort),
      LOG_LEVEL: "warn",
      SHUTDOWN_DRAIN_MS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const agent = { url: `http://127.0.0.1:${listenPort}`, child, output };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agent exited early:\n${output.join("")}`);
    const ready = await fetch(`${agent.url}/ready`).catch(() => undefined);
    if (ready?.status === 200) return agent;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`agent never became ready:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends `signal` (unless the process already ended) and resolves with its exit code. */
export async function stopAgentProcess(
  agent: AgentProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | null> {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return agent.child.exitCode;
  const exited = once(agent.child, "exit");
  agent.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

/** Starting and stopping the benchmarked servers, each in a process of its own. */
import { type ChildProcess, spawn } from "node:child_process";
import { get } from "node:http";
import { createServer } from "node:net";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function readyOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path: "/ready", agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
  });
}

/** Every server process this run has started and that has not exited yet. */
export const liveChildren = new Set<ChildProcess>();

/** On Ctrl-C or SIGTERM, the servers this run started go with it. */
export function stopServersOnInterrupt(): void {
  const interrupted = (signal: NodeJS.Signals) => {
    for (const child of liveChildren) child.kill("SIGKILL");
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
}

export interface Server {
  name: string;
  command: string[];
  env: Record<string, string>;
}

export interface Started {
  child: ChildProcess;
  pid: number;
  port: number;
  startupMs: number;
}

/** Spawns the server (pinned to `cpu` if given) and times spawn to the first 200 on /ready. */
export async function start(
  target: Server,
  cpu?: number,
  readyTimeoutMs = 15_000,
): Promise<Started> {
  const port = await freePort();
  const [command, ...args] =
    cpu === undefined ? target.command : ["taskset", "-c", String(cpu), ...target.command];
  const began = performance.now();
  const child = spawn(command!, args, {
    env: { ...process.env, ...target.env, PORT: String(port), HOST: "127.0.0.1" },
    // Logs go nowhere, as cheaply as a container runtime's file would take them.
    stdio: ["ignore", "ignore", "inherit"],
  });
  let exited = false;
  liveChildren.add(child);
  child.once("exit", () => {
    exited = true;
    liveChildren.delete(child);
  });
  while (!(await readyOnce(port))) {
    if (exited) throw new Error(`${target.name} exited before becoming ready`);
    if (performance.now() - began > readyTimeoutMs) {
      throw new Error(`${target.name} not ready after ${readyTimeoutMs / 1000} s`);
    }
    await sleep(2);
  }
  // taskset execs the server, so the pid is the server's own.
  return { child, pid: child.pid ?? 0, port, startupMs: performance.now() - began };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

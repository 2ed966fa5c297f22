/** Real processes on 127.0.0.1 for tests: agents from apps/agent and a Prometheus server. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO } from "../fixtures/verify/tree.ts";

export interface Started {
  url: string;
  child: ChildProcess;
  output: string[];
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

function launch(command: string, args: string[], env: NodeJS.ProcessEnv, url: string): Started {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.on("error", (error) => output.push(error.message));
  return { url, child, output };
}

/** Polls `path` until it answers 200; fails with the process's output otherwise. */
async function untilReady(started: Started, path: string, timeoutMs: number): Promise<Started> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (started.child.exitCode !== null) {
      throw new Error(`${started.url} exited early:\n${started.output.join("")}`);
    }
    const response = await fetch(`${started.url}${path}`).catch(() => undefined);
    if (response?.status === 200) return started;
    if (Date.now() > deadline) {
      await stop(started);
      throw new Error(`${started.url}${path} never answered 200:\n${started.output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `node apps/agent/src/server.ts` with `env`, in memory, without the runner. */
export async function startAgent(env: Record<string, string> = {}): Promise<Started> {
  const port = await freeLoopbackPort();
  const started = launch(
    process.execPath,
    [join(REPO, "apps/agent/src/server.ts")],
    {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
      RUNNER: "off",
      SHUTDOWN_DRAIN_MS: "0",
      ...env,
    },
    `http://127.0.0.1:${port}`,
  );
  return untilReady(started, "/ready", 30_000);
}

/** Prometheus with `config` (a file path), its data under `dataDir`, on a free loopback port. */
export async function startPrometheus(
  binary: string,
  config: string,
  dataDir: string,
): Promise<Started> {
  const port = await freeLoopbackPort();
  const started = launch(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { PATH: process.env.PATH ?? "" },
    `http://127.0.0.1:${port}`,
  );
  return untilReady(started, "/-/ready", 60_000);
}

export async function stop(started: Started | undefined): Promise<void> {
  const child = started?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

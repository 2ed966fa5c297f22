/**
 * The metric names an app exports, read from a real GET /metrics: verify starts the app's
 * server (apps/<app>/src/server.ts, in-memory store, no runner) on 127.0.0.1, scrapes it once
 * and stops it. The names are what Prometheus would store: a histogram `x` gives x_bucket,
 * x_sum and x_count.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export type ExportedMetrics =
  | { names: ReadonlySet<string>; source: string }
  | { error: string; source: string };

/** How long the app may take to answer its first /metrics. */
const START_TIMEOUT_MS = 30_000;

const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
  gaugehistogram: ["_bucket", "_gsum", "_gcount"],
};

/** Names in Prometheus' text exposition format: declared families and every sample. */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^#\s*TYPE\s+([A-Za-z_:][A-Za-z0-9_:]*)\s+(\w+)/.exec(line);
    if (type) {
      for (const suffix of SUFFIXES[type[2] as string] ?? [""]) names.add(`${type[1]}${suffix}`);
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)[\s{]/.exec(line);
    if (sample) names.add(sample[1] as string);
  }
  return names;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  return typeof address === "object" && address ? address.port : 0;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export async function readExportedMetrics(root: string, app: string): Promise<ExportedMetrics> {
  const entry = join("apps", app, "src", "server.ts");
  const source = `GET /metrics of ${entry}`;
  if (!existsSync(join(root, entry))) {
    return { source, error: `${entry} does not exist, so the metric names it exports are unknown` };
  }
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, [join(root, entry)], {
    cwd: join(root, "apps", app),
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RUNNER: "off",
      SHUTDOWN_DRAIN_MS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.on("error", (error) => output.push(error.message));
  const lastLine = () => output.join("").trim().split("\n").filter(Boolean).at(-1) ?? "no output";
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return { source, error: `${entry} exited before answering: ${lastLine()}` };
      }
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
        signal: AbortSignal.timeout(2000),
      }).catch(() => undefined);
      if (response?.ok) return { source, names: exposedMetricNames(await response.text()) };
      if (Date.now() > deadline) {
        return {
          source,
          error: `${entry} did not answer GET /metrics within ${START_TIMEOUT_MS / 1000}s: ${lastLine()}`,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await stop(child);
  }
}

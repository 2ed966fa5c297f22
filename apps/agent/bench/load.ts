/**
 * Load generation: wrk when it is installed (server-bound figures: it is written in C and
 * runs on a core of its own), autocannon otherwise (in this process, so its figures are
 * bounded by the client as much as by the server, and the output says so).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  durationS: number;
  connections: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors, timeouts and answers outside 2xx. */
  failures: number;
}

export function hasCommand(command: string, args: string[] = ["--version"]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch (err) {
    // wrk --version prints its usage and exits 1: it exists.
    return (err as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

const scriptDir = mkdtempSync(join(tmpdir(), "agent-bench-"));
process.once("exit", () => rmSync(scriptDir, { recursive: true, force: true }));
let scripts = 0;

/** A wrk script for one request shape that prints its summary as one JSON line. */
function wrkScript(spec: LoadSpec): string {
  const lines = [
    `wrk.method = ${JSON.stringify(spec.method ?? "GET")}`,
    ...(spec.body === undefined
      ? []
      : [
          `wrk.body = ${JSON.stringify(spec.body)}`,
          'wrk.headers["content-type"] = "application/json"',
        ]),
    "function done(summary, latency, requests)",
    "  local e = summary.errors",
    '  io.write(string.format("BENCH_RESULT %d %d %d %f %f\\n", summary.requests, summary.duration,',
    "    e.connect + e.read + e.write + e.status + e.timeout,",
    "    latency:percentile(50), latency:percentile(99)))",
    "end",
  ];
  const file = join(scriptDir, `load-${++scripts}.lua`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Runs wrk with one thread, pinned to `cpu` when taskset is there. */
export function wrk(spec: LoadSpec, cpu: number | undefined): Promise<LoadResult> {
  const args = [
    "-t1",
    `-c${spec.connections}`,
    `-d${spec.durationS}s`,
    "--timeout",
    "5s",
    "-s",
    wrkScript(spec),
    spec.url,
  ];
  const [command, argv] =
    cpu === undefined ? ["wrk", args] : ["taskset", ["-c", String(cpu), "wrk", ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv as string[], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const match = /BENCH_RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
      if (code !== 0 || !match) {
        reject(new Error(`wrk failed on ${spec.url} (exit ${code}): ${out.trim().slice(0, 300)}`));
        return;
      }
      const [, requests, durationUs, failures, p50Us, p99Us] = match.map(Number) as number[];
      resolve({
        requests: requests!,
        rps: requests! / (durationUs! / 1e6),
        p50Ms: p50Us! / 1000,
        p99Ms: p99Us! / 1000,
        failures: failures!,
      });
    });
  });
}

/** The fallback: autocannon in this process (client-bound). */
export async function autocannonLoad(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    method: spec.method ?? "GET",
    connections: spec.connections,
    duration: spec.durationS,
    ...(spec.body === undefined
      ? {}
      : { body: spec.body, headers: { "content-type": "application/json" } }),
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / (result.duration || spec.durationS),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

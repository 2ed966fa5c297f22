/**
 * Where the agent's CPU time goes under load: runs the built agent (default config) with
 * V8's sampling profiler while wrk drives one endpoint, then prints self time grouped by
 * what owns the code (a package, one of the service's own files, Node's internals).
 *
 * Usage: node bench/profile.ts [health|post|get] (default post); BENCH_PROFILE_S (default
 * 5), BENCH_CONNECTIONS (default 50). Linux with wrk; run `pnpm --filter @repo/agent build`
 * first. The .cpuprofile is kept for a closer look (Chrome DevTools, speedscope).
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TASK_BODY as taskBody } from "./contract.ts";
import { wrk } from "./load.ts";
import { start } from "./servers.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const endpoint = process.argv[2] ?? "post";
const seconds = Number(process.env.BENCH_PROFILE_S ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const agentEntry = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "agent-profile-"));

/** Who owns a frame: the package in node_modules, the service's file, or Node itself. */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/(.+)$/.exec(url);
  if (own) return `agent: ${own[1]}`;
  if (url.startsWith("node:")) return `node: ${url.slice(5)}`;
  return url;
}

const server = await start({
  name: "agent",
  command: [process.execPath, "--cpu-prof", `--cpu-prof-dir=${dir}`, agentEntry],
  env: { DATABASE_URL: "", LOG_LEVEL: "info", RUNNER: "on", SHUTDOWN_DRAIN_MS: "0" },
});
const spawnedAt = performance.now() - server.startupMs;
const base = `http://127.0.0.1:${server.port}`;
let url = `${base}/health`;
if (endpoint !== "health") {
  const res = await fetch(`${base}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: taskBody,
  });
  url = endpoint === "get" ? `${base}${res.headers.get("location")}` : `${base}/tasks`;
}
const spec = (durationS: number) =>
  endpoint === "post"
    ? { url, method: "POST" as const, body: taskBody, durationS, connections }
    : { url, durationS, connections };
await wrk(spec(1), undefined); // warm-up: the JIT settles, lazily built parts get built
// Samples before this point (start-up, warm-up) are left out.
const measuredFromMs = performance.now() - spawnedAt;
const result = await wrk(spec(seconds), undefined);
// SIGTERM: the agent shuts down cleanly and V8 writes the profile on the way out.
await new Promise((resolve) => {
  server.child.once("exit", resolve);
  server.child.kill("SIGTERM");
});

const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
if (!file) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const parentOf = new Map<number, ProfileNode>();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node);
/** Built-ins (JSON.parse, a socket write) count for the JavaScript that called them. */
const ownerOf = (node: ProfileNode): string => {
  const { url, functionName } = node.callFrame;
  if (url || functionName.startsWith("(")) return owner(url, functionName);
  const parent = parentOf.get(node.id);
  return parent && byId.has(parent.id) ? ownerOf(parent) : "(native)";
};
const byOwner = new Map<string, number>();
let total = 0;
let elapsedUs = 0;
profile.samples.forEach((id, i) => {
  elapsedUs += profile.timeDeltas[i] ?? 0;
  if (elapsedUs < measuredFromMs * 1000) return;
  total += 1;
  const key = ownerOf(byId.get(id)!);
  byOwner.set(key, (byOwner.get(key) ?? 0) + 1);
});
const idle = byOwner.get("(idle)") ?? 0;
console.log(
  `${endpoint}: ${result.rps.toFixed(0)} req/s over ${seconds} s; self time by owner (built-ins count for their caller), idle excluded (${((idle / total) * 100).toFixed(0)}% idle):`,
);
for (const [key, hits] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  if (key === "(idle)") continue;
  console.log(`  ${((hits / (total - idle)) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
console.log(`profile: ${join(dir, file)}`);

/**
 * What one request costs each target in CPU instructions, counted by valgrind's callgrind:
 * a count, not a time, so it is the same on a busy machine as on a quiet one and no load
 * generator can be the bottleneck. It tells apart effects of a few percent that the
 * throughput bench (run.ts) sees only through its spread, which is how the per-request
 * features' costs were found. What it leaves out is the kernel's share (the socket calls
 * every target makes alike), so its ratios are larger than the throughput ratios.
 *
 * Each target runs under callgrind with counting off; per endpoint it gets BENCH_IR_WARMUP
 * requests (default 3000) to settle the JIT, then exactly BENCH_IR_REQUESTS (default 1000)
 * counted ones, over 10 keep-alive connections. Every target runs in BENCH_IR_PROCESSES
 * fresh processes (default 2; V8 compiles a little differently in each), and a figure is
 * their median. BENCH_IR_TARGETS picks targets by key (default: the agent with RUNNER=off,
 * plain Fastify, bare node:http and plain Fastify with the agent's per-request features,
 * whole and without its headers or metrics). The agent runs without its task runner here:
 * a runner works on the tasks POST /tasks creates while the counting goes on, so how much of
 * its work a count takes in depends on timing, which is not a cost of the request. Needs valgrind (Debian: apt-get install valgrind) and the built agent
 * and peers (`pnpm --filter @repo/agent bench` builds both); writes instructions.md and
 * instructions.json beside the throughput results.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { settledTask, TASK_BODY as taskBody } from "./contract.ts";
import { hasCommand } from "./load.ts";
import { ENDPOINT_NAMES, ENDPOINTS, type Endpoint, median } from "./report.ts";
import { type Started, start, stop, stopServersOnInterrupt } from "./servers.ts";
import { agentEntry, compiled, type Target, targetsToRun } from "./targets.ts";

const WARMUP = Number(process.env.BENCH_IR_WARMUP ?? 3000);
const REQUESTS = Number(process.env.BENCH_IR_REQUESTS ?? 1000);
const PROCESSES = Number(process.env.BENCH_IR_PROCESSES ?? 2);
const KEYS = (
  process.env.BENCH_IR_TARGETS ??
  "agent-runner-off,fastify,node,fastify-features,fastify-features-no-headers,fastify-features-no-metrics"
).split(",");
const OUT = process.env.BENCH_OUT ?? fileURLToPath(new URL("./results", import.meta.url));
const CONNECTIONS = 10;
/** POST /tasks last: the tasks it creates would leave a runner busy during the others. */
const MEASURED_ORDER: Endpoint[] = ["health", "get", "post"];
/** Under callgrind a server starts about fifty times slower. */
const READY_TIMEOUT_MS = 180_000;
/** callgrind's dumps, gone when this process exits, interrupted or not. */
const runDir = mkdtempSync(join(tmpdir(), "agent-bench-ir-"));
process.once("exit", () => rmSync(runDir, { recursive: true, force: true }));
/** callgrind_control finds the server by names valgrind builds from HOST and USER. */
const VGDB_ENV = { ...process.env, HOST: "127.0.0.1" };

/** Sends exactly `count` requests, `CONNECTIONS` at a time; any answer but 2xx fails the run. */
async function send(url: string, count: number, body?: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let sent = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          agent,
          method: body ? "POST" : "GET",
          headers: body ? { "content-type": "application/json" } : {},
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            (res.statusCode ?? 0) < 300
              ? resolve()
              : reject(new Error(`${url} answered ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const lane = async (): Promise<void> => {
    while (sent < count) {
      sent++;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  } finally {
    agent.destroy();
  }
}

const control = (pid: number, ...args: string[]) =>
  execFileSync("callgrind_control", [...args, String(pid)], { env: VGDB_ENV, stdio: "ignore" });

/** Instructions counted since the previous dump (callgrind zeroes its counters on a dump). */
function dumped(dir: string, before: Set<string>): number {
  const fresh = readdirSync(dir).filter(
    (file) => file.startsWith("callgrind.out") && !before.has(file),
  );
  let total = 0;
  for (const file of fresh) {
    before.add(file);
    const line = /^totals: (\d+)/m.exec(readFileSync(join(dir, file), "utf8"));
    total += Number(line?.[1] ?? 0);
  }
  return total;
}

/** One fresh process of `target` under callgrind: instructions per request on each endpoint. */
async function measure(target: Target): Promise<Record<Endpoint, number>> {
  const dir = mkdtempSync(join(runDir, "process-"));
  const callgrind: Target = {
    ...target,
    command: [
      "valgrind",
      "--tool=callgrind",
      "--instr-atstart=no",
      "--smc-check=all-non-file",
      `--log-file=${join(dir, "valgrind.log")}`,
      `--callgrind-out-file=${join(dir, "callgrind.out")}`,
      ...target.command,
    ],
  };
  let server: Started | undefined;
  try {
    server = await start(callgrind, undefined, READY_TIMEOUT_MS);
    const base = `http://127.0.0.1:${server.port}`;
    const taskPath = (await settledTask(base, taskBody)).location!;
    const seen = new Set(readdirSync(dir));
    const perRequest = {} as Record<Endpoint, number>;
    for (const endpoint of MEASURED_ORDER) {
      const url =
        endpoint === "health"
          ? `${base}/health`
          : endpoint === "post"
            ? `${base}/tasks`
            : `${base}${taskPath}`;
      const body = endpoint === "post" ? taskBody : undefined;
      await send(url, WARMUP, body);
      control(server.pid, "--instr=on");
      await send(url, REQUESTS, body);
      control(server.pid, "--instr=off");
      control(server.pid, "--dump");
      perRequest[endpoint] = dumped(dir, seen) / REQUESTS;
      if (perRequest[endpoint] === 0) {
        throw new Error(`${target.name}: callgrind counted nothing on ${ENDPOINT_NAMES[endpoint]}`);
      }
    }
    return perRequest;
  } finally {
    if (server) await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Counted {
  key: string;
  name: string;
  /** Instructions per request on each endpoint, one figure per process. */
  perRequest: Record<Endpoint, number[]>;
}

const thousands = (n: number) => `${(n / 1000).toFixed(1)}k`;

function markdown(counted: Counted[], date: string): string {
  const byKey = new Map(counted.map((c) => [c.key, c]));
  const mid = (c: Counted, e: Endpoint) => median(c.perRequest[e]);
  const rows = counted.map((c) => {
    const cells = ENDPOINTS.map((e) => {
      const runs = c.perRequest[e];
      const spread =
        runs.length > 1
          ? ` (${thousands(Math.min(...runs))} to ${thousands(Math.max(...runs))})`
          : "";
      return `${thousands(mid(c, e))}${spread}`;
    });
    return `| ${c.name} | ${cells.join(" | ")} |`;
  });
  const lines = [
    `Counted ${date}, Node ${process.version}: instructions per request (user space, callgrind), median of ${PROCESSES} process(es), ${REQUESTS} counted requests per endpoint after ${WARMUP} of warm-up.`,
    "",
    `| target | ${ENDPOINTS.map((e) => ENDPOINT_NAMES[e]).join(" | ")} |`,
    `| --- | ${ENDPOINTS.map(() => "---:").join(" | ")} |`,
    ...rows,
  ];
  const pairs: Array<[string, string, string]> = [
    ["agent-runner-off", "fastify", "the agent beyond plain Fastify"],
    [
      "fastify-features",
      "fastify",
      "the per-request features (plain Fastify + them, beyond plain Fastify)",
    ],
    ["fastify-features", "fastify-features-no-headers", "of which the security headers"],
    ["fastify-features", "fastify-features-no-metrics", "of which the request metrics"],
    [
      "agent-runner-off",
      "fastify-features",
      "the agent beyond plain Fastify + its per-request features",
    ],
  ];
  const costs = pairs
    .filter(([a, b]) => byKey.has(a) && byKey.has(b))
    .map(([a, b, what]) => {
      const cells = ENDPOINTS.map((e) => {
        const extra = mid(byKey.get(a)!, e) - mid(byKey.get(b)!, e);
        return `${thousands(extra)} (${((100 * extra) / mid(byKey.get(b)!, e)).toFixed(0)}%)`;
      });
      return `| ${what} | ${cells.join(" | ")} |`;
    });
  if (costs.length > 0) {
    lines.push(
      "",
      "What costs what, in instructions per request (and as a share of the second target's):",
      "",
      `| | ${ENDPOINTS.map((e) => ENDPOINT_NAMES[e]).join(" | ")} |`,
      `| --- | ${ENDPOINTS.map(() => "---:").join(" | ")} |`,
      ...costs,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  if (!hasCommand("valgrind") || !hasCommand("callgrind_control", ["-h"])) {
    console.error(
      "bench:instructions: valgrind is not installed; install it (Debian/Ubuntu: apt-get install valgrind) and run again",
    );
    process.exit(1);
  }
  const known = targetsToRun(undefined, true);
  const unknown = KEYS.filter((key) => !known.some((t) => t.key === key));
  if (unknown.length > 0) {
    console.error(
      `BENCH_IR_TARGETS names ${unknown.join(", ")}, which are not targets; pick from ${known.map((t) => t.key).join(", ")}`,
    );
    process.exit(1);
  }
  if (!existsSync(agentEntry)) {
    console.error(
      "bench:instructions: dist/server.js is missing; run `pnpm --filter @repo/agent build` first",
    );
    process.exit(1);
  }
  if (![compiled("baseline"), compiled("peers/fastify")].every((peer) => existsSync(peer))) {
    console.error(
      "bench:instructions: the compiled peers (bench/dist) are missing; run `pnpm --filter @repo/agent bench:instructions`, which compiles them first",
    );
    process.exit(1);
  }
  stopServersOnInterrupt();

  const targets = KEYS.map((key) => known.find((t) => t.key === key)!);
  console.log(
    `bench:instructions: ${targets.length} targets x ${PROCESSES} process(es), ${WARMUP} warm-up + ${REQUESTS} counted requests per endpoint, Node ${process.version}`,
  );
  const counted: Counted[] = targets.map((t) => ({
    key: t.key,
    name: t.name,
    perRequest: { health: [], post: [], get: [] },
  }));
  for (let round = 0; round < PROCESSES; round++) {
    for (const [i, target] of targets.entries()) {
      const perRequest = await measure(target);
      for (const e of ENDPOINTS) counted[i]!.perRequest[e].push(perRequest[e]);
      console.log(
        `  ${target.name}: ${ENDPOINTS.map((e) => `${ENDPOINT_NAMES[e]} ${thousands(perRequest[e])}`).join(", ")}`,
      );
    }
  }
  const date = new Date().toISOString();
  const text = markdown(counted, date);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "instructions.md"), text);
  writeFileSync(
    join(OUT, "instructions.json"),
    `${JSON.stringify({ date, node: process.version, warmup: WARMUP, requests: REQUESTS, processes: PROCESSES, targets: counted }, null, 2)}\n`,
  );
  console.log(`\n${text}\nwritten: ${OUT}/instructions.md, instructions.json`);
}

await main();

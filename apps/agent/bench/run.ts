/**
 * Benchmarks the built agent (dist/server.js) against a bare node:http server doing the
 * same work (bench/baseline.ts), each in its own process on loopback, and prints
 * requests/s, p99 latency, peak RSS and startup-to-ready, with the ratios the service is
 * held to. Run `pnpm --filter @repo/agent build` first (`pnpm bench` at the root does).
 *
 * The HTTP rows run with RUNNER=off (the HTTP path alone). Then it measures tasks completed
 * per second: BENCH_TASKS tasks posted to a process running the example agent without delay,
 * from the first POST to the last completion, on the in-memory store and on PostgreSQL.
 *
 * Environment: BENCH_DURATION_S per run (default 2), BENCH_ROUNDS (default 7),
 * BENCH_CONNECTIONS (default 50), BENCH_STARTS (startup samples, default 5),
 * BENCH_TASKS (default 5000), BENCH_RUNNER_CONCURRENCY (default 16), DATABASE_URL (the
 * PostgreSQL row's database; unset: a throwaway embedded PostgreSQL, as the tests use).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Agent, get, request } from "node:http";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import {
  createDatabaseOn,
  type PostgresServer,
  startPostgresServer,
} from "../test/support/postgres.ts";

// Many short rounds rather than a few long ones: on a machine whose speed drifts (a shared
// VM), a round's targets run back to back under the same conditions, and the shares are
// medians of per-round ratios.
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const TASKS = Number(process.env.BENCH_TASKS ?? 5000);
const RUNNER_CONCURRENCY = process.env.BENCH_RUNNER_CONCURRENCY ?? "16";

const TARGETS = {
  healthShare: 0.7,
  postShare: 0.9,
  startupMs: 300,
  rssRatio: 1.3,
};

interface Target {
  name: string;
  entry: string;
  env: Record<string, string>;
}

interface Measured {
  name: string;
  startupMs: number[];
  health: autocannon.Result[];
  post: autocannon.Result[];
  get: autocannon.Result[];
  peakRssMb: number;
}

interface Running {
  target: Target;
  child: ChildProcess;
  port: number;
  peakRssKb: number;
  measured: Measured;
}

const agentEntry = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const baselineEntry = fileURLToPath(new URL("./baseline.ts", import.meta.url));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
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
const liveChildren = new Set<ChildProcess>();

/** Spawns the target and resolves with the process and the ms from spawn to a 200 on /ready. */
async function start(
  target: Target,
): Promise<{ child: ChildProcess; port: number; startupMs: number }> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [target.entry], {
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
    if (performance.now() - began > 15_000) throw new Error(`${target.name} not ready after 15 s`);
    await sleep(2);
  }
  return { child, port, startupMs: performance.now() - began };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0; // no /proc (macOS): RSS is reported as 0
  }
}

function load(port: number, options: Partial<autocannon.Options>): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    ...options,
  });
}

const taskBody = JSON.stringify({
  title: "Summarise the incident report",
  description: "Two paragraphs for the on-call channel, plain language, no jargon.",
});

async function coldStarts(target: Target): Promise<number[]> {
  const startupMs: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const started = await start(target);
    startupMs.push(started.startupMs);
    await stop(started.child);
  }
  return startupMs;
}

const healthRun = (port: number, duration = DURATION_S) =>
  load(port, { url: `http://127.0.0.1:${port}/health`, duration });
const postRun = (port: number, duration = DURATION_S) =>
  load(port, {
    url: `http://127.0.0.1:${port}/tasks`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: taskBody,
    duration,
  });

async function createOne(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: taskBody,
  });
  const location = res.headers.get("location");
  if (res.status !== 201 || !location) throw new Error(`POST /tasks answered ${res.status}`);
  return location;
}

function check(name: string, label: string, result: autocannon.Result): autocannon.Result {
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0 || result["2xx"] === 0) {
    throw new Error(`${name} ${label}: ${failures} of ${result.requests.total} requests failed`);
  }
  return result;
}

/** Round `round`'s order: forwards, then backwards, so no target always runs first. */
const inTurn = <T>(items: T[], round: number): T[] =>
  round % 2 === 0 ? items : [...items].reverse();

/**
 * Runs the targets in alternation, round after round, so that a change in the machine's
 * load during the benchmark affects all of them alike; the figures are per-target medians.
 */
async function measureAll(targets: Target[]): Promise<Measured[]> {
  const running: Running[] = [];
  for (const target of targets) {
    const startupMs = await coldStarts(target);
    const { child, port } = await start(target);
    running.push({
      target,
      child,
      port,
      peakRssKb: 0,
      measured: { name: target.name, startupMs, health: [], post: [], get: [], peakRssMb: 0 },
    });
  }
  try {
    // Warm-up: let the JIT settle before anything is recorded.
    for (const r of running) {
      await healthRun(r.port, 1);
      await postRun(r.port, 1);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of inTurn(running, round)) {
        const pid = r.child.pid ?? 0;
        const sampler = setInterval(() => {
          r.peakRssKb = Math.max(r.peakRssKb, rssKb(pid));
        }, 50);
        r.measured.health.push(check(r.target.name, "GET /health", await healthRun(r.port)));
        clearInterval(sampler);
        r.peakRssKb = Math.max(r.peakRssKb, rssKb(pid));
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of inTurn(running, round)) {
        r.measured.post.push(check(r.target.name, "POST /tasks", await postRun(r.port)));
      }
    }
    // Reads of one task that exists (its id from a fresh POST's Location header).
    const paths = await Promise.all(running.map((r) => createOne(r.port)));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, r] of inTurn([...running.entries()], round)) {
        const url = `http://127.0.0.1:${r.port}${paths[index]}`;
        r.measured.get.push(check(r.target.name, "GET /tasks/:id", await load(r.port, { url })));
      }
    }
  } finally {
    for (const r of running) await stop(r.child);
  }
  return running.map((r) => ({ ...r.measured, peakRssMb: r.peakRssKb / 1024 }));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const rate = (runs: autocannon.Result[]) => median(runs.map((run) => run.requests.average));

/** The agent's throughput as a share of the baseline's: per round, then the median. */
function share(agent: autocannon.Result[], baseline: autocannon.Result[]) {
  const ratios = agent.map(
    (run, round) => run.requests.average / baseline[round]!.requests.average,
  );
  return { value: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

const percent = (v: number) => `${(v * 100).toFixed(0)}%`;
const p99 = (runs: autocannon.Result[]) => median(runs.map((run) => run.latency.p99));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join("  ");
      return index === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

interface TaskRun {
  name: string;
  postSeconds: number;
  totalSeconds: number;
  failed: number;
}

async function statusCount(port: number, status: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = new RegExp(
    `^task_status_changes_total\\{status="${status}"[^}]*\\} (\\d+)`,
    "m",
  ).exec(text);
  return Number(match?.[1] ?? 0);
}

/**
 * POSTs `count` tasks over keep-alive connections, as fast as the server takes them
 * (autocannon's `amount` mode ends on its one-second tick, too coarse here).
 */
async function postTasks(port: number, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/tasks",
          method: "POST",
          agent,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 201
              ? resolve()
              : reject(new Error(`POST /tasks answered ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(taskBody);
    });
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: 20 }, worker));
  } finally {
    agent.destroy();
  }
}

/** Posts TASKS tasks to a fresh process and times them until the last one completed. */
async function tasksPerSecond(name: string, databaseUrl: string): Promise<TaskRun> {
  const { child, port } = await start({
    name,
    entry: agentEntry,
    env: {
      DATABASE_URL: databaseUrl,
      RUNNER: "on",
      EXAMPLE_AGENT_DELAY_MS: "0",
      RUNNER_CONCURRENCY,
    },
  });
  try {
    const began = performance.now();
    await postTasks(port, TASKS);
    const postSeconds = (performance.now() - began) / 1000;
    for (;;) {
      const finished = (await statusCount(port, "completed")) + (await statusCount(port, "failed"));
      if (finished >= TASKS) break;
      if (performance.now() - began > 300_000) throw new Error(`${name}: tasks not done in 5 min`);
      await sleep(10);
    }
    const totalSeconds = (performance.now() - began) / 1000;
    return { name, postSeconds, totalSeconds, failed: await statusCount(port, "failed") };
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  if (!existsSync(agentEntry)) {
    console.error("bench: dist/server.js is missing; run `pnpm --filter @repo/agent build` first");
    process.exit(1);
  }
  let server: PostgresServer | undefined;
  const freshDatabase = async (): Promise<string> => {
    server ??= await startPostgresServer();
    return (await createDatabaseOn(server.adminUrl)).url;
  };
  // Interrupted (Ctrl-C, a kill): the servers and the database this run started go with it.
  const interrupted = async (signal: NodeJS.Signals) => {
    for (const child of liveChildren) child.kill("SIGKILL");
    await server?.destroy().catch(() => {});
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    await measure(freshDatabase);
  } finally {
    await server?.destroy();
  }
}

async function measure(freshDatabase: () => Promise<string>): Promise<void> {
  const targets: Target[] = [
    { name: "node:http baseline", entry: baselineEntry, env: {} },
    { name: "agent (memory store)", entry: agentEntry, env: { DATABASE_URL: "", RUNNER: "off" } },
    {
      name: "agent (PostgreSQL)",
      entry: agentEntry,
      env: { DATABASE_URL: process.env.DATABASE_URL ?? (await freshDatabase()), RUNNER: "off" },
    },
  ];

  console.log(
    `bench: ${ROUNDS} alternating rounds of ${DURATION_S} s per endpoint, ${CONNECTIONS} connections, ${STARTS} cold starts each, Node ${process.version}, loopback`,
  );
  const results = await measureAll(targets);

  const [baseline, memoryAgent] = results as [Measured, Measured, ...Measured[]];
  const rows = [
    [
      "",
      "GET /health req/s",
      "p99 ms",
      "POST /tasks req/s",
      "p99 ms",
      "GET /tasks/:id req/s",
      "p99 ms",
      "peak RSS MB",
      "start->ready ms",
    ],
  ];
  for (const r of results) {
    rows.push([
      r.name,
      rate(r.health).toFixed(0),
      p99(r.health).toFixed(0),
      rate(r.post).toFixed(0),
      p99(r.post).toFixed(0),
      rate(r.get).toFixed(0),
      p99(r.get).toFixed(0),
      r.peakRssMb.toFixed(1),
      `${median(r.startupMs).toFixed(0)} (first ${(r.startupMs[0] ?? 0).toFixed(0)})`,
    ]);
  }
  console.log(`\n${table(rows)}\n`);

  const shareCheck = (measured: ReturnType<typeof share>, target: number) => ({
    value: measured.value,
    ok: (v: number) => v >= target,
    shown: (v: number) =>
      `${percent(v)} (target >= ${percent(target)}; median of ${ROUNDS} paired rounds, which ranged ${percent(measured.low)} to ${percent(measured.high)})`,
  });

  // The targets are for the embedded store; a PostgreSQL row shows the database's cost.
  let allMet = true;
  for (const agent of [memoryAgent]) {
    const checks = [
      {
        what: "GET /health throughput vs baseline",
        ...shareCheck(share(agent.health, baseline.health), TARGETS.healthShare),
      },
      {
        what: "POST /tasks throughput vs baseline",
        ...shareCheck(share(agent.post, baseline.post), TARGETS.postShare),
      },
      {
        what: "startup to ready (median)",
        value: median(agent.startupMs),
        ok: (v: number) => v < TARGETS.startupMs,
        shown: (v: number) => `${v.toFixed(0)} ms (target < ${TARGETS.startupMs} ms)`,
      },
      {
        what: "peak RSS during /health vs baseline",
        value: agent.peakRssMb / baseline.peakRssMb,
        ok: (v: number) => v <= TARGETS.rssRatio,
        shown: (v: number) => `${v.toFixed(2)}x (target <= ${TARGETS.rssRatio}x)`,
      },
    ];
    console.log(agent.name);
    for (const check of checks) {
      const ok = check.ok(check.value);
      allMet &&= ok;
      console.log(`  ${ok ? "met    " : "MISSED "} ${check.what}: ${check.shown(check.value)}`);
    }
  }
  if (results.length > 2) {
    console.log("(the PostgreSQL row is for reference: the targets apply to the in-memory store)");
  }
  console.log(
    allMet
      ? "\nall targets met"
      : "\nsome targets missed (figures on a shared or busy machine vary; rerun on an idle one)",
  );

  console.log(
    `\ntasks completed per second: ${TASKS} tasks posted, example agent without delay, RUNNER_CONCURRENCY=${RUNNER_CONCURRENCY}, one process`,
  );
  const runs = [
    await tasksPerSecond("memory store", ""),
    // always a database of its own: the runner would otherwise also run other tasks there
    await tasksPerSecond("PostgreSQL", await freshDatabase()),
  ];
  const taskRows = [["", "tasks/s", "posted in s", "all completed in s", "failed"]];
  for (const run of runs) {
    taskRows.push([
      run.name,
      (TASKS / run.totalSeconds).toFixed(0),
      run.postSeconds.toFixed(2),
      run.totalSeconds.toFixed(2),
      String(run.failed),
    ]);
  }
  console.log(`\n${table(taskRows)}`);
}

await main();

/**
 * Server-bound benchmark of the built agent (dist/server.js) against peers serving the same
 * contract byte for byte: a bare node:http server (bench/baseline.ts), plain Fastify with the
 * service's routes and nothing else (bench/peers/fastify.ts: the framework's ceiling) and,
 * when a python3 with fastapi and uvicorn is found, FastAPI + uvicorn with one worker
 * (bench/peers/fastapi_app.py). Run `pnpm --filter @repo/agent build` first (`pnpm bench`
 * at the root does); the package's bench script compiles the TypeScript peers into bench/dist
 * first, so every target runs as JavaScript.
 *
 * Load comes from wrk pinned to one core, each server runs pinned to the other, alone: in
 * every round each target is started afresh, warmed up, measured on every endpoint and
 * stopped before the next one starts (forwards in even rounds, backwards in odd ones). Two
 * processes of the same server can settle at throughputs several percent apart, so each
 * round's figure comes from a process of its own and the spread shows that too. A ratio is
 * the median of per-round ratios; a round counts only when the server's core was at least
 * 90% busy in both runs of the pair (/proc/<pid>/stat): otherwise the server was not the
 * bottleneck (the machine was busy, or the client was), and the figure is void.
 *
 * Environment: BENCH_ROUNDS (default 7), BENCH_DURATION_S per run (default 1),
 * BENCH_WARMUP_S (default 1), BENCH_CONNECTIONS (default 50), BENCH_STARTS (agent's
 * start-ups, default 10), BENCH_ABLATIONS=0 (skip the variants: the agent with one setting
 * changed, and plain Fastify with the agent's per-request features), BENCH_PYTHON (a python3
 * with fastapi + uvicorn), BENCH_OUT (results directory, default bench/results).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { contractDifferences, contractOf, settledTask, TASK_BODY as taskBody } from "./contract.ts";
import {
  autocannonLoad,
  hasCommand,
  type LoadResult,
  type LoadSpec,
  wrk as wrkLoad,
} from "./load.ts";
import { cpuSeconds, loadAverage, peakRssMb } from "./proc.ts";
import {
  type BenchResults,
  ENDPOINTS,
  type Endpoint,
  type Run,
  type TargetResult,
  writeResults,
} from "./report.ts";
import { liveChildren, type Started, start, stop, stopServersOnInterrupt } from "./servers.ts";
import {
  agentEntry,
  compiled,
  FASTIFY_ALONE,
  findPython,
  type Target,
  targetsToRun,
} from "./targets.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 1);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const PEER_STARTS = 3;
const ABLATIONS = process.env.BENCH_ABLATIONS !== "0";
const OUT = process.env.BENCH_OUT ?? fileURLToPath(new URL("./results", import.meta.url));
/** The server's core and the load generator's (and this process's). */
const SERVER_CPU = 0;
const LOAD_CPU = 1;

/** Spawn to exit of `node -e ""`, `times` times: what any Node server's start-up includes. */
function nodeAlone(times: number, cpu: number | undefined): number[] {
  const command =
    cpu === undefined ? [process.execPath] : ["taskset", "-c", String(cpu), process.execPath];
  const [file, ...args] = command;
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const began = performance.now();
    execFileSync(file!, [...args, "-e", ""], { stdio: "ignore" });
    took.push(performance.now() - began);
  }
  return took;
}

/** Round `round`'s order: forwards, then backwards, so no target always runs first. */
const inTurn = <T>(items: T[], round: number): T[] =>
  round % 2 === 0 ? items : [...items].reverse();

interface Live {
  target: Target;
  result: TargetResult;
}

async function main(): Promise<void> {
  if (!existsSync(agentEntry)) {
    console.error("bench: dist/server.js is missing; run `pnpm --filter @repo/agent build` first");
    process.exit(1);
  }
  if (
    !["baseline", "peers/fastify", "peers/fastify-minimal"].every((peer) =>
      existsSync(compiled(peer)),
    )
  ) {
    console.error(
      "bench: the compiled peers (bench/dist) are missing; run `pnpm --filter @repo/agent bench`, which compiles them first",
    );
    process.exit(1);
  }
  stopServersOnInterrupt();

  const notes: string[] = [];
  const useWrk = hasCommand("wrk");
  if (!useWrk) {
    notes.push(
      "wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk): load comes from autocannon in this process, so every figure below is client-bound (the client competes with the server for the CPU) and only good for a rough look.",
    );
  }
  const pin = hasCommand("taskset", ["-V"]) && cpuSeconds(process.pid) !== undefined;
  if (pin) {
    // This process and the load generator share one core; the server has the other.
    execFileSync("taskset", ["-cp", String(LOAD_CPU), String(process.pid)], { stdio: "ignore" });
  } else {
    notes.push(
      "taskset or /proc is not available (Linux only): the server and the load generator are not pinned and the server's core cannot be checked for busy, so every figure is unverified.",
    );
  }
  const python = findPython();
  if (!python) {
    notes.push(
      "no python3 with fastapi and uvicorn (Debian: apt-get install python3-fastapi python3-uvicorn; or set BENCH_PYTHON): the FastAPI peer is skipped.",
    );
  }
  const load = (spec: LoadSpec): Promise<LoadResult> =>
    useWrk ? wrkLoad(spec, pin ? LOAD_CPU : undefined) : autocannonLoad(spec);

  const targets = targetsToRun(python, ABLATIONS);
  const loadBefore = loadAverage();
  console.log(
    `bench: ${targets.length} targets, ${ROUNDS} alternating rounds of ${DURATION_S} s per endpoint after ${WARMUP_S} s of warm-up, ${CONNECTIONS} connections, load from ${useWrk ? "wrk" : "autocannon (client-bound)"}${pin ? `, server on CPU ${SERVER_CPU}, load on CPU ${LOAD_CPU}` : ""}, Node ${process.version}, load average ${loadBefore ?? "?"}`,
  );
  for (const note of notes) console.log(`note: ${note}`);

  // The floor under every start-up: this Node running an empty script on the server's core.
  const nodeAloneMs = nodeAlone(STARTS, pin ? SERVER_CPU : undefined);
  console.log(
    `  Node alone (an empty script): ${nodeAloneMs.map((ms) => ms.toFixed(0)).join(", ")} ms`,
  );
  // The floor under every Fastify service's: a one-route app, started like the targets.
  const fastifyAloneMs: number[] = [];
  for (let i = 0; i < PEER_STARTS; i++) {
    const started = await start(FASTIFY_ALONE, pin ? SERVER_CPU : undefined);
    fastifyAloneMs.push(started.startupMs);
    await stop(started.child);
  }
  console.log(
    `  ${FASTIFY_ALONE.name}: ${fastifyAloneMs.map((ms) => ms.toFixed(0)).join(", ")} ms`,
  );

  const live: Live[] = [];
  try {
    // Start-up and peak memory: fresh processes, one after another.
    for (const target of targets) {
      const starts = target.key === "agent" ? STARTS : PEER_STARTS;
      const startupMs: number[] = [];
      let rssMb: number | undefined;
      for (let i = 0; i < starts; i++) {
        const started = await start(target, pin ? SERVER_CPU : undefined);
        startupMs.push(started.startupMs);
        if (i === starts - 1) {
          // Peak RSS of a fresh process under the same /health load for every target.
          await load({
            url: `http://127.0.0.1:${started.port}/health`,
            durationS: 2,
            connections: CONNECTIONS,
          });
          rssMb = peakRssMb(started.pid);
        }
        await stop(started.child);
      }
      console.log(
        `  started ${target.name}: ${startupMs.map((ms) => ms.toFixed(0)).join(", ")} ms`,
      );
      live.push({
        target,
        result: {
          key: target.key,
          name: target.name,
          against: target.against ?? null,
          startupMs,
          peakRssMb: rssMb ?? null,
          runs: { health: [], post: [], get: [] },
        },
      });
    }

    const base = (server: Started) => `http://127.0.0.1:${server.port}`;
    /** A fresh process of the target, with a settled task for GET /tasks/:id. */
    const fresh = async (l: Live) => {
      const server = await start(l.target, pin ? SERVER_CPU : undefined);
      const taskPath = (await settledTask(base(server), taskBody)).location!;
      return { server, taskPath };
    };

    // The same bytes from every target, or the comparison means nothing.
    const contracts = new Map<string, string[]>();
    for (const l of live) {
      // contractOf settles a task of its own
      const server = await start(l.target, pin ? SERVER_CPU : undefined);
      try {
        contracts.set(l.target.key, await contractOf(base(server), taskBody));
      } finally {
        await stop(server.child);
      }
    }
    const reference = contracts.get("node")!;
    for (const l of live) {
      const differences = contractDifferences(reference, contracts.get(l.target.key)!);
      if (differences.length > 0) {
        throw new Error(
          `${l.target.name} answers differently from bare node:http:\n  ${differences.join("\n  ")}`,
        );
      }
    }
    console.log(
      "  contract: every target answers the benchmarked requests with the same bytes (GET /tasks/:id reads a task moved to completed through PATCH, which no runner touches again)",
    );

    const spec = (
      server: Started,
      taskPath: string,
      endpoint: Endpoint,
      durationS: number,
    ): LoadSpec => {
      const url = base(server);
      if (endpoint === "health")
        return { url: `${url}/health`, durationS, connections: CONNECTIONS };
      if (endpoint === "post") {
        return {
          url: `${url}/tasks`,
          method: "POST",
          body: taskBody,
          durationS,
          connections: CONNECTIONS,
        };
      }
      return { url: `${url}${taskPath}`, durationS, connections: CONNECTIONS };
    };

    const measure = async (l: Live, server: Started, request: LoadSpec): Promise<Run> => {
      const cpuBefore = cpuSeconds(server.pid);
      const began = performance.now();
      const result = await load(request);
      const wallS = (performance.now() - began) / 1000;
      const cpuAfter = cpuSeconds(server.pid);
      if (result.failures > 0 || result.requests === 0) {
        throw new Error(
          `${l.target.name} ${request.url}: ${result.failures} of ${result.requests} requests failed`,
        );
      }
      const busy =
        cpuBefore === undefined || cpuAfter === undefined ? null : (cpuAfter - cpuBefore) / wallS;
      return { ...result, busy };
    };

    for (let round = 0; round < ROUNDS; round++) {
      for (const l of inTurn(live, round)) {
        const { server, taskPath } = await fresh(l);
        try {
          for (const endpoint of ENDPOINTS) {
            await measure(l, server, spec(server, taskPath, endpoint, WARMUP_S));
          }
          for (const endpoint of ENDPOINTS) {
            l.result.runs[endpoint].push(
              await measure(l, server, spec(server, taskPath, endpoint, DURATION_S)),
            );
          }
        } finally {
          await stop(server.child);
        }
      }
      process.stdout.write(`  round ${round + 1} of ${ROUNDS} done\n`);
    }
  } finally {
    for (const child of liveChildren) await stop(child);
  }

  const results: BenchResults = {
    date: new Date().toISOString(),
    node: process.version,
    loadGenerator: useWrk ? "wrk" : "autocannon",
    clientBound: !useWrk,
    pinned: pin,
    rounds: ROUNDS,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    connections: CONNECTIONS,
    loadAverage: { before: loadBefore ?? null, after: loadAverage() ?? null },
    cpus: cpus().length,
    notes,
    nodeAloneMs,
    fastifyAloneMs,
    targets: live.map((l) => l.result),
  };
  console.log(`\n${writeResults(results, OUT)}`);
  console.log(`\nwritten: ${OUT}/results.md, results.json, ratios.svg`);
}

await main();

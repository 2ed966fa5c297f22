/**
 * Real agent processes sharing one PostgreSQL, running tasks through the recording test
 * agent (AGENT_MODULE), which logs every run to a file: runs are counted, not just statuses.
 */
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresTaskStore } from "../../src/tasks/postgres-store.ts";
import type { TaskStore } from "../../src/tasks/store.ts";
import {
  type AgentProcess,
  startAgentProcess,
  stopAgentProcess,
} from "../support/agent-process.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

const RECORDING_AGENT = fileURLToPath(
  new URL("../support/agents/recording-agent.ts", import.meta.url),
);

let database: TestDatabase;
let admin: pg.Pool;
let store: TaskStore;
let scratch: string;
let runLog: string;
const running = new Set<AgentProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Pool({ connectionString: database.url, max: 2 });
  store = await createPostgresTaskStore({
    connectionString: database.url,
    poolMax: 10,
    timeoutMs: 5_000,
  });
  scratch = mkdtempSync(join(tmpdir(), "agent-runs-"));
});

beforeEach(async (context) => {
  await admin.query("truncate tasks");
  runLog = join(scratch, `${context.task.id}.log`);
});

afterEach(async () => {
  await Promise.all([...running].map((agent) => stop(agent, "SIGKILL")));
});

afterAll(async () => {
  await store?.close();
  await admin?.end();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

async function startAgent(env: Record<string, string> = {}): Promise<AgentProcess> {
  const agent = await startAgentProcess({
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: "6",
    AGENT_MODULE: RECORDING_AGENT,
    RUN_LOG: runLog,
    RUNNER_LEASE_MS: "1000",
    RUNNER_POLL_MS: "100",
    ...env,
  });
  running.add(agent);
  return agent;
}

async function stop(agent: AgentProcess, signal: NodeJS.Signals): Promise<number | null> {
  running.delete(agent);
  return stopAgentProcess(agent, signal);
}

/** The run log as [kind, task id, pid, attempt] rows. */
function runs(): string[][] {
  let text = "";
  try {
    text = readFileSync(runLog, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" "));
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function countByStatus(): Promise<Record<string, number>> {
  const { rows } = await admin.query<{ status: string; n: number }>(
    "select status, count(*)::int as n from tasks group by status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

describe("agent processes running tasks on one PostgreSQL", () => {
  it("complete 500 tasks between two processes, each task run exactly once", async () => {
    // Claims must never overlap: this is about FOR UPDATE SKIP LOCKED, not lease expiry, so
    // the lease is long enough that a loaded machine's stalled renewal cannot lapse it (a
    // lapsed lease is re-claimed by design: at-least-once, shown by the SIGKILL test below).
    const agents = await Promise.all([
      startAgent({ RUNNER_CONCURRENCY: "8", RUNNER_LEASE_MS: "30000" }),
      startAgent({ RUNNER_CONCURRENCY: "8", RUNNER_LEASE_MS: "30000" }),
    ]);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.create({ title: `task ${batch * 50 + i}` })),
      );
    }
    await until(async () => (await countByStatus()).completed === 500, "500 completed", 60_000);

    const starts = runs().filter(([kind]) => kind === "start");
    expect(starts).toHaveLength(500);
    expect(new Set(starts.map(([, id]) => id)).size).toBe(500);
    expect(runs().filter(([kind]) => kind === "done")).toHaveLength(500);
    const pids = agents.map((agent) => String(agent.child.pid));
    for (const pid of pids)
      expect(starts.filter((row) => row[2] === pid).length).toBeGreaterThan(0);
    const { rows } = await admin.query("select count(*)::int as n from tasks where attempts <> 1");
    expect(rows[0].n).toBe(0);

    // each process counted its own runs: together, 500 completions
    const completed = await Promise.all(
      agents.map(async (agent) => {
        const text = await (await fetch(`${agent.url}/metrics`)).text();
        const line = text
          .split("\n")
          .find((l) => l.startsWith('task_run_duration_seconds_count{outcome="completed"'));
        return Number(line?.split(" ").at(-1));
      }),
    );
    expect(completed[0]! + completed[1]!).toBe(500);
    console.info(`500 tasks over two processes: ${completed.join(" + ")} runs`);
  }, 90_000);

  it("finishes on another process, after the lease, a task whose process was SIGKILLed mid-run", async () => {
    // both running before the task exists: a slow start of the second process cannot let
    // the first finish the task before it is killed
    const agents = await Promise.all([startAgent(), startAgent()]);
    const task = await store.create({ title: "sleep 1500 interrupted" });
    let firstPid = "";
    await until(() => {
      const start = runs().find(([kind, id]) => kind === "start" && id === task.id);
      firstPid = start?.[2] ?? "";
      return start !== undefined;
    }, "a process to start the task");
    const first = agents.find((agent) => String(agent.child.pid) === firstPid)!;
    const second = agents.find((agent) => agent !== first)!;
    await stop(first, "SIGKILL");
    const killedAt = performance.now();

    await until(async () => (await store.get(task.id))?.status === "completed", "completion");
    const done = await store.get(task.id);
    expect(done).toMatchObject({
      status: "completed",
      attempts: 2,
      result: { pid: second.child.pid, attempt: 2 },
    });
    expect(runs().filter(([, id]) => id === task.id)).toEqual([
      ["start", task.id, firstPid, "1"],
      ["start", task.id, String(second.child.pid), "2"],
      ["done", task.id, String(second.child.pid)],
    ]);
    // not before the first process's lease (1 s) ran out, plus the run itself (1.5 s)
    expect(performance.now() - killedAt).toBeGreaterThan(1_500);
  }, 60_000);

  it("on SIGTERM a worker claims nothing more, finishes what it can within the drain window, releases the rest", async () => {
    const worker = await startAgent({
      ROLE: "worker",
      SHUTDOWN_DRAIN_MS: "1000",
      SHUTDOWN_TIMEOUT_MS: "10000",
    });
    // a worker serves the probes and metrics, not the API
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    expect((await fetch(`${worker.url}/tasks`)).status).toBe(404);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);

    const quick = await store.create({ title: "sleep 300 quick" });
    const long = await store.create({ title: "sleep 20000 long" });
    await until(
      () => runs().filter(([kind]) => kind === "start").length === 2,
      "both tasks to start",
    );
    const exited = once(worker.child, "exit");
    const signalledAt = performance.now();
    worker.child.kill("SIGTERM");
    // once the worker has taken the signal (readiness turns 503 in the same step as the
    // runner stops claiming), a new task must be left for other workers
    await until(
      async () => (await fetch(`${worker.url}/ready`)).status === 503,
      "the worker to start draining",
    );
    const late = await store.create({ title: "created after SIGTERM" });
    const [code] = (await exited) as [number | null];
    const tookMs = performance.now() - signalledAt;
    running.delete(worker);

    expect(code).toBe(0);
    expect(tookMs).toBeGreaterThanOrEqual(950);
    expect(tookMs).toBeLessThan(5_000);
    expect(await store.get(quick.id)).toMatchObject({ status: "completed", attempts: 1 });
    expect(await store.get(long.id)).toMatchObject({
      status: "created",
      attempts: 1,
      error: null,
    });
    expect(runs()).toContainEqual(["abort", long.id, String(worker.child.pid)]);
    expect(await store.get(late.id)).toMatchObject({ status: "created", attempts: 0 });
    expect(runs().filter(([, id]) => id === late.id)).toEqual([]);
  }, 60_000);
});

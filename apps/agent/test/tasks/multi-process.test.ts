/**
 * Agent processes sharing one PostgreSQL, as replicas of a Deployment do: what one accepts
 * the others serve, restarts lose nothing, and a database outage shows on /ready and heals.
 * The database server here is this file's own, so it can be killed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentProcess,
  startAgentProcess,
  stopAgentProcess,
} from "../support/agent-process.ts";
import {
  createDatabaseOn,
  type PostgresServer,
  startPostgresServer,
  type TestDatabase,
} from "../support/postgres.ts";

const READY_CHECK_INTERVAL_MS = 250;
const DATABASE_TIMEOUT_MS = 1_000;

type Agent = AgentProcess;

let server: PostgresServer;
let database: TestDatabase;
const running = new Set<Agent>();

beforeAll(async () => {
  server = await startPostgresServer({ durable: true });
  database = await createDatabaseOn(server.adminUrl);
});

afterEach(async () => {
  // by the handle of each process this file started
  await Promise.all([...running].map((agent) => stopAgent(agent, "SIGKILL")));
});

afterAll(async () => {
  await server?.destroy();
});

async function startAgent(port?: number): Promise<Agent> {
  const agent = await startAgentProcess(
    {
      DATABASE_URL: database.url,
      READY_CHECK_INTERVAL_MS: String(READY_CHECK_INTERVAL_MS),
      DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS),
      DATABASE_POOL_MAX: "4",
      // tasks move only through PATCH here; the runner has its own multi-process tests
      RUNNER: "off",
    },
    port,
  );
  running.add(agent);
  return agent;
}

async function stopAgent(agent: Agent, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  running.delete(agent);
  return stopAgentProcess(agent, signal);
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

const post = (agent: Agent, title: string) =>
  fetch(`${agent.url}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });

describe("agent processes sharing PostgreSQL", () => {
  it("serves through one process what another accepted, and keeps it across restarts of both", async () => {
    let [a, b] = await Promise.all([startAgent(), startAgent()]);
    const created = await post(a as Agent, "made on A");
    expect(created.status).toBe(201);
    const task = await json(created);

    const onB = await fetch(`${b?.url}/tasks/${task.id}`);
    expect(onB.status).toBe(200);
    expect(await json(onB)).toEqual(task);

    const patched = await fetch(`${b?.url}/tasks/${task.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "running" }),
    });
    expect(patched.status).toBe(200);
    const listed = await json(await fetch(`${a?.url}/tasks?limit=10`));
    expect(listed.items).toContainEqual(
      expect.objectContaining({ id: task.id, status: "running" }),
    );

    expect(await Promise.all([stopAgent(a as Agent), stopAgent(b as Agent)])).toEqual([0, 0]);
    [a, b] = await Promise.all([startAgent(), startAgent()]);
    for (const agent of [a, b]) {
      const again = await fetch(`${agent?.url}/tasks/${task.id}`);
      expect(again.status).toBe(200);
      expect(await json(again)).toMatchObject({
        id: task.id,
        title: "made on A",
        status: "running",
      });
    }
  }, 60_000);

  it("turns /ready 503 when the database dies mid-run, recovers after its restart, loses no 201", async () => {
    const agents = await Promise.all([startAgent(), startAgent()]);
    const acknowledged: string[] = [];
    const outageAnswers: number[] = [];
    let down = false;
    let writing = true;
    const writers = agents.map(async (agent, w) => {
      let n = 0;
      while (writing) {
        const response = await post(agent, `writer ${w} task ${n++}`);
        if (response.status === 201) acknowledged.push((await json(response)).id as string);
        else {
          // the only other answer allowed: a clear 503 while the database is away
          expect(response.status).toBe(503);
          expect(await json(response)).toMatchObject({ error: "store_unavailable" });
          if (down) outageAnswers.push(response.status);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });
    while (acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 10));

    await server.stop("immediate");
    down = true;
    const killedAt = performance.now();
    const notReadyAfter = await Promise.all(
      agents.map(async (agent) => {
        for (;;) {
          const ready = await fetch(`${agent.url}/ready`);
          if (ready.status === 503) {
            expect((await json(ready)).message).toMatch(/store/);
            return performance.now() - killedAt;
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }),
    );
    // a cached pass may be reused for one interval, then the check fails within its timeout
    for (const ms of notReadyAfter) {
      expect(ms).toBeLessThan(READY_CHECK_INTERVAL_MS + DATABASE_TIMEOUT_MS + 750);
    }
    const health = await fetch(`${agents[0]?.url}/health`);
    expect(health.status).toBe(200);

    await server.start();
    const restartedAt = performance.now();
    await Promise.all(
      agents.map(async (agent) => {
        while ((await fetch(`${agent.url}/ready`)).status !== 200) {
          expect(performance.now() - restartedAt).toBeLessThan(10_000);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
    );
    const readyAgainMs = performance.now() - restartedAt;
    down = false;
    const ackedAfterRecovery = acknowledged.length;
    while (acknowledged.length < ackedAfterRecovery + 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    writing = false;
    await Promise.all(writers);

    expect(outageAnswers.length).toBeGreaterThan(0);
    for (const agent of agents) expect(agent.child.exitCode).toBeNull();
    for (const [i, id] of acknowledged.entries()) {
      const response = await fetch(`${agents[i % 2]?.url}/tasks/${id}`);
      expect(response.status).toBe(200);
    }
    console.info(
      `multi-process outage: ${acknowledged.length} tasks acknowledged, all present; /ready 503 after ${notReadyAfter
        .map((ms) => ms.toFixed(0))
        .join("/")} ms; ready again ${readyAgainMs.toFixed(0)} ms after restart`,
    );
  }, 60_000);
});

/**
 * Roles run apart, as in staging and production: a worker process runs the model agent, an
 * API process serves GET /tasks/:id/events, and the text the model streams reaches the API's
 * clients through PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../src/tasks/store.ts";
import {
  type AgentProcess,
  startAgentProcess,
  stopAgentProcess,
} from "../support/agent-process.ts";
import { openEvents } from "../support/events.ts";
import { gate, type ModelServer, startModelServer, streamed } from "../support/model-server.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

let database: TestDatabase;
let model: ModelServer;
const running = new Set<AgentProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
  model = await startModelServer();
});

afterEach(async () => {
  await Promise.all([...running].map((agent) => stopAgentProcess(agent, "SIGKILL")));
  running.clear();
});

afterAll(async () => {
  await model?.close();
  await database?.drop();
});

async function start(role: "api" | "worker"): Promise<AgentProcess> {
  const agent = await startAgentProcess({
    ROLE: role,
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: "4",
    RUNNER_POLL_MS: "50",
    AGENT: "model",
    MODEL_BASE_URL: model.baseUrl,
    MODEL_NAME: "test-model",
  });
  running.add(agent);
  return agent;
}

describe("AGENT=model with the API and the worker in separate processes", () => {
  it("streams the worker's deltas to the API process's event clients, in order", async () => {
    const [api, worker] = await Promise.all([start("api"), start("worker")]);
    // a piece longer than one database notification holds, in multi-byte text
    const long = "ü😀漢".repeat(3_000);
    const pieces = ["Hel", "lo, ", long, " wor", "ld."];
    const following = gate();
    model.script(streamed(pieces, { prompt_tokens: 9, completion_tokens: 5 }, 5, following.opened));

    const created = await fetch(`${api.url}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Say hello" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as Task;
    const stream = await openEvents(`${api.url}/tasks/${task.id}/events`);
    try {
      await stream.waitFor(1);
      following.open();
      expect(await stream.ended).toBe(true);
    } finally {
      stream.close();
    }

    const kinds = stream.events.map((event) => event.event);
    const deltas = stream.events
      .filter((event) => event.event === "delta")
      .map((event) => JSON.parse(event.data) as { id: string; attempt: number; text: string });
    expect(deltas.map((delta) => delta.text).join("")).toBe(pieces.join(""));
    for (const delta of deltas) expect(delta).toMatchObject({ id: task.id, attempt: 1 });
    // the long piece came in several, the others as they were streamed
    expect(deltas.length).toBeGreaterThan(pieces.length);
    expect(deltas.slice(0, 2).map((delta) => delta.text)).toEqual(["Hel", "lo, "]);
    expect(deltas.slice(-2).map((delta) => delta.text)).toEqual([" wor", "ld."]);
    // every delta after the running status and before the completed one; ids keep counting
    const runningAt = stream.events.findIndex(
      (event) => event.event === "status" && (JSON.parse(event.data) as Task).status === "running",
    );
    expect(runningAt).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf("delta")).toBeGreaterThan(runningAt);
    expect(kinds.lastIndexOf("delta")).toBe(kinds.length - 2);
    const last = JSON.parse(stream.events.at(-1)?.data ?? "{}") as Task;
    expect(last.status).toBe("completed");
    expect((last.result as { text: string }).text).toBe(pieces.join(""));
    expect(stream.events.map((event) => Number(event.id))).toEqual(
      stream.events.map((_event, index) => index + 1),
    );
    expect(worker.child.exitCode).toBeNull();
  }, 60_000);
});

import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TransientError } from "../../src/agent/errors.ts";
import { isNewer } from "../../src/routes/task-events.ts";
import type { Runner } from "../../src/runner/runner.ts";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import { createPostgresTaskStore } from "../../src/tasks/postgres-store.ts";
import { StoreUnavailableError, type Task } from "../../src/tasks/store.ts";
import { createTestApp, json, type TestApp } from "../support/app.ts";
import { type EventStream, openEvents, statuses } from "../support/events.ts";
import { openRawRequest, send } from "../support/http.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { scriptedAgent, startRunner } from "../support/runner.ts";

/** Counts live subscriptions, to prove streams let go of theirs. */
class CountingStore extends MemoryTaskStore {
  subscribers = 0;
  failGets = false;

  override subscribe(listener: (task: Task) => void): () => void {
    this.subscribers += 1;
    const unsubscribe = super.subscribe(listener);
    return () => {
      this.subscribers -= 1;
      unsubscribe();
    };
  }

  override async get(id: string): Promise<Task | undefined> {
    if (this.failGets) throw new StoreUnavailableError("database away");
    return super.get(id);
  }
}

let current: TestApp | undefined;
const streams: EventStream[] = [];
const runners: Runner[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
  await current?.app.close();
  current = undefined;
});

async function serve(options: Parameters<typeof createTestApp>[0] = {}) {
  current = await createTestApp(options);
  await current.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = current.app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    ...current,
    base,
    events: async (id: string) => {
      const stream = await openEvents(`${base}/tasks/${id}/events`);
      streams.push(stream);
      return stream;
    },
    patch: (id: string, status: string) =>
      current!.app.inject({
        method: "PATCH",
        url: `/tasks/${id}`,
        headers: json,
        payload: { status },
      }),
  };
}

describe("GET /tasks/:id/events", () => {
  it("sends the current state, then each status change in order, and ends at completed", async () => {
    const { store, events, patch } = await serve();
    const task = await store.create({ title: "follow me" });
    const stream = await events(task.id);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(stream.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(stream.headers.get("x-request-id")).toBeTruthy();
    await stream.waitFor(1);

    expect((await patch(task.id, "running")).statusCode).toBe(200);
    await stream.waitFor(2);
    expect((await patch(task.id, "completed")).statusCode).toBe(200);

    expect(await stream.ended).toBe(true);
    expect(stream.events.map((e) => [e.id, e.event])).toEqual([
      ["1", "status"],
      ["2", "status"],
      ["3", "status"],
    ]);
    expect(statuses(stream.events)).toEqual(["created", "running", "completed"]);
    expect(JSON.parse(stream.events[2]!.data)).toEqual(await store.get(task.id));
  });

  it("delivers a runner's retries in order and ends with the result", async () => {
    const { store, events } = await serve();
    const task = await store.create({ title: "flaky" });
    const stream = await events(task.id);
    await stream.waitFor(1);
    const agent = scriptedAgent(async (_task, _context, call) => {
      if (call === 1) throw new TransientError("try again");
      return { answer: 42 };
    });
    runners.push(startRunner(store, agent, { retryDelayMs: 20 }).runner);

    expect(await stream.ended).toBe(true);
    const sent = stream.events.map((e) => JSON.parse(e.data) as Task);
    expect(sent.map((t) => [t.status, t.attempts])).toEqual([
      ["created", 0],
      ["running", 1],
      ["created", 1],
      ["running", 2],
      ["completed", 2],
    ]);
    expect(sent[2]?.error).toBe("try again");
    expect(sent[4]?.result).toEqual({ answer: 42 });
  });

  it("ends after a failed event, and right after the first event for a final task", async () => {
    const { store, events, patch } = await serve();
    const task = await store.create({ title: "doomed" });
    await store.transition(task.id, "running");
    const stream = await events(task.id);
    await stream.waitFor(1);
    await patch(task.id, "failed");
    expect(await stream.ended).toBe(true);
    expect(statuses(stream.events)).toEqual(["running", "failed"]);

    const again = await events(task.id);
    expect(await again.ended).toBe(true);
    expect(statuses(again.events)).toEqual(["failed"]);
  });

  it("answers 404 for an unknown task and 400 for an id that is not a UUID, as JSON", async () => {
    const { app } = await serve();
    const missing = await app.inject("/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70/events");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: "not_found" });
    const bad = await app.inject("/tasks/nope/events");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([expect.objectContaining({ field: "id" })]);
  });

  it("answers 503 when the store cannot be reached", async () => {
    const store = new CountingStore();
    const { app } = await serve({ store });
    store.failGets = true;
    const res = await app.inject("/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70/events");
    expect(res.statusCode).toBe(503);
    expect(store.subscribers).toBe(0);
  });

  it("sends keep-alive comments on a quiet stream, and survives the store being away", async () => {
    const store = new CountingStore();
    const { events } = await serve({ store, eventsKeepAliveMs: 30 });
    const task = await store.create({ title: "quiet" });
    const stream = await events(task.id);
    await stream.waitFor(1);
    store.failGets = true;
    await expect.poll(() => stream.comments).toBeGreaterThanOrEqual(3);
    store.failGets = false;
    await store.transition(task.id, "running");
    await stream.waitFor(2);
    expect(statuses(stream.events)).toEqual(["created", "running"]);
  });

  it("lets go of its subscription when the client disconnects", async () => {
    const store = new CountingStore();
    const { events, logs } = await serve({ store, eventsKeepAliveMs: 20 });
    const task = await store.create({ title: "abandoned" });
    const baseline = store.subscribers;
    const streamsOpen = await Promise.all([events(task.id), events(task.id)]);
    await Promise.all(streamsOpen.map((stream) => stream.waitFor(1)));
    expect(store.subscribers).toBe(baseline + 2);
    for (const stream of streamsOpen) stream.close();
    await expect.poll(() => store.subscribers).toBe(baseline);
    // the task moves on; nothing is written to the closed streams
    await store.transition(task.id, "running");
    expect(store.subscribers).toBe(baseline);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(logs.filter((line) => line.level === "error")).toEqual([]);
  });

  it("ends the stream with a deleted event when the task is deleted", async () => {
    const { store, events, app } = await serve({ eventsKeepAliveMs: 30 });
    const task = await store.create({ title: "short-lived" });
    const stream = await events(task.id);
    await stream.waitFor(1);
    expect((await app.inject({ method: "DELETE", url: `/tasks/${task.id}` })).statusCode).toBe(204);
    expect(await stream.ended).toBe(true);
    expect(stream.events.at(-1)).toEqual({
      id: undefined,
      event: "deleted",
      data: JSON.stringify({ id: task.id }),
    });
  });

  it("ends open streams when the server closes, so shutdown does not wait for clients", async () => {
    const store = new CountingStore();
    const { events, app } = await serve({ store });
    const task = await store.create({ title: "open at shutdown" });
    const stream = await events(task.id);
    await stream.waitFor(1);
    const began = performance.now();
    await app.close();
    current = undefined;
    expect(performance.now() - began).toBeLessThan(1_000);
    expect(await stream.ended).toBe(true);
    expect(store.subscribers).toBe(0);
  });

  it("is in the OpenAPI document as a text/event-stream", async () => {
    const { app } = await serve();
    const doc = (await app.inject("/openapi.json")).json();
    const operation = doc.paths["/tasks/{id}/events"].get;
    expect(Object.keys(operation.responses["200"].content)).toEqual(["text/event-stream"]);
    expect(Object.keys(operation.responses).sort()).toEqual(["200", "400", "404", "503"]);
  });
});

describe("GET /tasks/:id/events on PostgreSQL", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("delivers the changes another process makes, in order, through LISTEN/NOTIFY", async () => {
    const open = () =>
      createPostgresTaskStore({ connectionString: database.url, poolMax: 4, timeoutMs: 5_000 });
    // the API and the runner on separate connections, as two replicas would be
    const [apiStore, workerStore] = await Promise.all([open(), open()]);
    try {
      const { events } = await serve({ store: apiStore });
      const task = await apiStore.create({ title: "across processes" });
      const stream = await events(task.id);
      await stream.waitFor(1);
      const agent = scriptedAgent(async (_task, _context, call) => {
        if (call === 1) throw new TransientError("first try fails");
        return "second try";
      });
      runners.push(startRunner(workerStore, agent, { retryDelayMs: 20 }).runner);
      expect(await stream.ended).toBe(true);
      const sent = stream.events.map((e) => JSON.parse(e.data) as Task);
      expect(sent.map((t) => [t.status, t.attempts])).toEqual([
        ["created", 0],
        ["running", 1],
        ["created", 1],
        ["running", 2],
        ["completed", 2],
      ]);
      expect(sent.at(-1)?.result).toBe("second try");
    } finally {
      await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
      await current?.app.close();
      current = undefined;
      await Promise.all([apiStore.close(), workerStore.close()]);
    }
  });
});

describe("isNewer", () => {
  const at = (status: Task["status"], attempts: number, updated_at: string) =>
    ({ status, attempts, updated_at }) as Task;
  const t1 = "2026-11-26T12:00:00.001Z";
  const t2 = "2026-11-26T12:00:00.002Z";

  it("orders changes by time, then by attempts within one millisecond, and drops repeats", () => {
    expect(isNewer(at("running", 1, t2), at("created", 0, t1))).toBe(true);
    // a notification that arrives after a newer snapshot
    expect(isNewer(at("running", 1, t1), at("completed", 1, t2))).toBe(false);
    expect(isNewer(at("running", 2, t1), at("created", 1, t1))).toBe(true);
    expect(isNewer(at("created", 0, t1), at("running", 1, t1))).toBe(false);
    expect(isNewer(at("running", 1, t2), at("running", 1, t1))).toBe(false);
  });
});

describe("the cap on concurrent event streams", () => {
  it("answers 503 too_many_streams past EVENTS_MAX_STREAMS, and takes a new one once one closes", async () => {
    const { store, base } = await serve({ env: { EVENTS_MAX_STREAMS: "2" } });
    const task = await store.create({ title: "popular" });
    const path = `/tasks/${task.id}/events`;
    const first = await openRawRequest(base, path);
    const second = await openRawRequest(base, path);
    expect([first.status, second.status]).toEqual([200, 200]);
    const refused = await fetch(`${base}${path}`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.headers.get("connection")).toBe("close");
    expect(await refused.json()).toEqual({
      error: "too_many_streams",
      message: `This server already serves 2 event streams (EVENTS_MAX_STREAMS); retry in a few seconds, or poll GET /tasks/${task.id} instead.`,
    });
    expect((await send(base, "/health")).status).toBe(200);
    first.close();
    // the server notices the client leaving on its own time: ask until it has
    let again = await openRawRequest(base, path);
    for (let tries = 0; tries < 100 && again.status !== 200; tries++) {
      again.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await openRawRequest(base, path);
    }
    expect(again.status).toBe(200);
    second.close();
    again.close();
  });

  it("answers HEAD with a stream's headers without opening one or taking a place", async () => {
    const store = new CountingStore();
    const { base } = await serve({ store, env: { EVENTS_MAX_STREAMS: "1" } });
    const task = await store.create({ title: "looked at" });
    for (let i = 0; i < 3; i++) {
      const head = await send(base, `/tasks/${task.id}/events`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
      expect(head.body).toBe("");
    }
    expect(store.subscribers).toBe(0);
    const stream = await openRawRequest(base, `/tasks/${task.id}/events`);
    expect(stream.status).toBe(200);
    stream.close();
    const missing = await send(base, "/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70/events", {
      method: "HEAD",
    });
    expect(missing.status).toBe(404);
  });
});

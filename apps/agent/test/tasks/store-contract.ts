/**
 * The behaviour every TaskStore promises, as one suite run against each implementation.
 * `factory` returns a store over empty storage; the suite closes it after each test.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  InvalidCursorError,
  type Task,
  type TaskStatus,
  type TaskStore,
} from "../../src/tasks/store.ts";

export type StoreFactory = () => Promise<TaskStore>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` stops throwing (stores may deliver events asynchronously). */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}

async function createMany(store: TaskStore, count: number, prefix = "task"): Promise<Task[]> {
  const tasks: Task[] = [];
  // one after the other: creation order is the order the list must reverse
  for (let i = 0; i < count; i++) tasks.push(await store.create({ title: `${prefix} ${i}` }));
  return tasks;
}

async function listAll(
  store: TaskStore,
  limit: number,
  status?: TaskStatus,
  between?: () => Promise<void>,
): Promise<Task[]> {
  const seen: Task[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.list({
      limit,
      ...(cursor ? { cursor } : {}),
      ...(status ? { status } : {}),
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items);
    if (page.next_cursor === null) return seen;
    cursor = page.next_cursor;
    await between?.();
  }
}

export function describeTaskStoreContract(name: string, factory: StoreFactory): void {
  describe(`TaskStore contract: ${name}`, () => {
    const opened: TaskStore[] = [];
    const open = async (): Promise<TaskStore> => {
      const store = await factory();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describe("create, get, delete", () => {
      it("creates a task in status created with its fields and reads it back", async () => {
        const store = await open();
        const before = Date.now();
        const task = await store.create({ title: "Summarise the report", description: "Q3 only" });
        expect(task).toEqual({
          id: expect.any(String),
          title: "Summarise the report",
          description: "Q3 only",
          status: "created",
          attempts: 0,
          result: null,
          error: null,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          updated_at: expect.any(String),
        });
        expect(Date.parse(task.created_at)).toBeGreaterThanOrEqual(before - 1_000);
        expect(await store.get(task.id)).toEqual(task);
      });

      it("stores a missing description as null and gives every task its own id", async () => {
        const store = await open();
        const [a, b] = await Promise.all([
          store.create({ title: "a" }),
          store.create({ title: "b" }),
        ]);
        expect(a?.description).toBeNull();
        expect(a?.id).not.toBe(b?.id);
      });

      it("answers undefined for an unknown id, whatever its shape", async () => {
        const store = await open();
        await store.create({ title: "exists" });
        expect(await store.get("00000000-0000-4000-8000-000000000000")).toBeUndefined();
        expect(await store.get("not-an-id")).toBeUndefined();
        expect(await store.get("")).toBeUndefined();
      });

      it("finds a task by its id in upper case too, as one canonical id", async () => {
        const store = await open();
        const task = await store.create({ title: "shouted" });
        const upper = task.id.toUpperCase();
        expect(await store.get(upper)).toEqual(task);
        const moved = await store.transition(upper, "running");
        expect(moved).toMatchObject({ ok: true, task: { id: task.id, status: "running" } });
        expect(await store.delete(upper)).toBe(true);
        expect(await store.get(task.id)).toBeUndefined();
      });

      it("deletes a task once", async () => {
        const store = await open();
        const task = await store.create({ title: "short-lived" });
        expect(await store.delete(task.id)).toBe(true);
        expect(await store.get(task.id)).toBeUndefined();
        expect(await store.delete(task.id)).toBe(false);
        expect(await store.delete("not-an-id")).toBe(false);
      });
    });

    describe("list", () => {
      it("lists newest first across pages and ends with a null cursor", async () => {
        const store = await open();
        const created = await createMany(store, 25);
        const first = await store.list({ limit: 10 });
        expect(first.items).toHaveLength(10);
        expect(first.next_cursor).toEqual(expect.any(String));
        const all = await listAll(store, 10);
        expect(all.map((task) => task.id)).toEqual(created.map((task) => task.id).reverse());
      });

      it("returns an empty last page with no cursor on an empty store", async () => {
        const store = await open();
        expect(await store.list({ limit: 5 })).toEqual({ items: [], next_cursor: null });
      });

      it("gives no cursor when the page holds exactly the remaining tasks", async () => {
        const store = await open();
        await createMany(store, 3);
        const page = await store.list({ limit: 3 });
        expect(page.items).toHaveLength(3);
        expect(page.next_cursor).toBeNull();
      });

      it("neither repeats nor skips tasks when others are inserted between pages", async () => {
        const store = await open();
        const created = await createMany(store, 12, "before");
        let inserted = 0;
        const all = await listAll(store, 5, undefined, async () => {
          await createMany(store, 3, `between ${inserted++}`);
        });
        expect(inserted).toBeGreaterThan(0);
        expect(all.map((task) => task.id)).toEqual(created.map((task) => task.id).reverse());
      });

      it("stays consistent while inserts run concurrently with the paging", async () => {
        const store = await open();
        const created = await createMany(store, 30, "existing");
        let stop = false;
        const writer = (async () => {
          let n = 0;
          while (!stop) {
            await store.create({ title: `concurrent ${n++}` });
            // a store that answers synchronously must still let the reader's timers run
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          return n;
        })();
        const all = await listAll(store, 4, undefined, () => sleep(1));
        stop = true;
        const written = await writer;
        const ids = all.map((task) => task.id);
        expect(new Set(ids).size).toBe(ids.length);
        // every task that existed when the listing began is there, in newest-first order
        const existing = new Set(created.map((task) => task.id));
        expect(ids.filter((id) => existing.has(id))).toEqual(
          created.map((task) => task.id).reverse(),
        );
        expect(written).toBeGreaterThan(0);
      });

      it("continues after a page whose last task was deleted meanwhile", async () => {
        const store = await open();
        const created = await createMany(store, 5);
        const first = await store.list({ limit: 2 });
        await store.delete(first.items[1]?.id ?? "");
        const rest = await store.list({ limit: 10, cursor: first.next_cursor ?? "" });
        expect(rest.items.map((task) => task.id)).toEqual(
          created
            .slice(0, 3)
            .map((task) => task.id)
            .reverse(),
        );
      });

      it("rejects a cursor it did not produce", async () => {
        const store = await open();
        await createMany(store, 3);
        const { next_cursor } = await store.list({ limit: 1 });
        expect(next_cursor).toEqual(expect.any(String));
        const forged = [
          "garbage",
          "",
          `${next_cursor}!`,
          Buffer.from("[1,2]").toString("base64url"),
          Buffer.from('["2026-01-01T00:00:00.000Z","x"]').toString("base64url"),
        ];
        for (const cursor of forged) {
          await expect(store.list({ limit: 1, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        }
      });

      it("filters by status, paginating within the filter", async () => {
        const store = await open();
        const created = await createMany(store, 9);
        const running = created.filter((_, i) => i % 3 === 0);
        for (const task of running)
          expect((await store.transition(task.id, "running")).ok).toBe(true);
        const listed = await listAll(store, 2, "running");
        expect(listed.map((task) => task.id)).toEqual(running.map((task) => task.id).reverse());
        expect(listed.every((task) => task.status === "running")).toBe(true);
        const createdOnly = await listAll(store, 4, "created");
        expect(createdOnly).toHaveLength(6);
        expect(await store.list({ limit: 5, status: "failed" })).toEqual({
          items: [],
          next_cursor: null,
        });
      });
    });

    describe("transition", () => {
      it("follows created -> running -> completed and records the change time", async () => {
        const store = await open();
        const task = await store.create({ title: "walk" });
        const running = await store.transition(task.id, "running");
        expect(running).toEqual({
          ok: true,
          task: expect.objectContaining({ id: task.id, status: "running" }),
        });
        const done = await store.transition(task.id, "completed");
        expect(done.ok && done.task.status).toBe("completed");
        expect(done.ok && Date.parse(done.task.updated_at)).toBeGreaterThanOrEqual(
          Date.parse(task.updated_at),
        );
        expect((await store.get(task.id))?.status).toBe("completed");
      });

      it("allows running -> failed", async () => {
        const store = await open();
        const task = await store.create({ title: "doomed" });
        await store.transition(task.id, "running");
        const failed = await store.transition(task.id, "failed");
        expect(failed.ok && failed.task.status).toBe("failed");
      });

      it("refuses illegal transitions with the current status", async () => {
        const store = await open();
        const task = await store.create({ title: "strict" });
        expect(await store.transition(task.id, "completed")).toEqual({
          ok: false,
          reason: "conflict",
          current: "created",
        });
        expect(await store.transition(task.id, "created")).toEqual({
          ok: false,
          reason: "conflict",
          current: "created",
        });
        await store.transition(task.id, "running");
        await store.transition(task.id, "completed");
        for (const to of ["created", "running", "completed", "failed"] as const) {
          expect(await store.transition(task.id, to)).toEqual({
            ok: false,
            reason: "conflict",
            current: "completed",
          });
        }
        expect((await store.get(task.id))?.status).toBe("completed");
      });

      it("answers not_found for an unknown task", async () => {
        const store = await open();
        expect(await store.transition("00000000-0000-4000-8000-000000000000", "running")).toEqual({
          ok: false,
          reason: "not_found",
        });
        expect(await store.transition("not-an-id", "running")).toEqual({
          ok: false,
          reason: "not_found",
        });
      });

      it("gives each of hundreds of racing transitions exactly one winner", async () => {
        const store = await open();
        const tasks = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.create({ title: `race ${i}` })),
        );
        // four contenders per task for the same transition, all in flight at once
        const starts = await Promise.all(
          tasks.flatMap((task) => [1, 2, 3, 4].map(() => store.transition(task.id, "running"))),
        );
        expect(starts).toHaveLength(400);
        for (const [i, task] of tasks.entries()) {
          const mine = starts.slice(i * 4, i * 4 + 4);
          expect(mine.filter((r) => r.ok)).toHaveLength(1);
          expect(mine.filter((r) => !r.ok)).toEqual(
            Array.from({ length: 3 }, () => ({
              ok: false,
              reason: "conflict",
              current: "running",
            })),
          );
          expect((await store.get(task.id))?.status).toBe("running");
        }
        // then completed and failed race for each task: one of them wins
        const ends = await Promise.all(
          tasks.flatMap((task) => [
            store.transition(task.id, "completed"),
            store.transition(task.id, "failed"),
          ]),
        );
        for (const [i, task] of tasks.entries()) {
          const [completed, failed] = [ends[i * 2], ends[i * 2 + 1]];
          expect([completed?.ok, failed?.ok].filter(Boolean)).toHaveLength(1);
          const winner = completed?.ok ? "completed" : "failed";
          expect((await store.get(task.id))?.status).toBe(winner);
        }
      });
    });

    describe("runner: claim, lease, complete, fail, release", () => {
      it("claims due created tasks oldest first, counting the attempt", async () => {
        const store = await open();
        const [a, b, c] = await createMany(store, 3);
        const claimed = await store.claim({ owner: "runner-1", limit: 2, leaseMs: 30_000 });
        expect(claimed.map((task) => task.id)).toEqual([a?.id, b?.id]);
        expect(claimed.every((task) => task.status === "running" && task.attempts === 1)).toBe(
          true,
        );
        const rest = await store.claim({ owner: "runner-2", limit: 5, leaseMs: 30_000 });
        expect(rest.map((task) => task.id)).toEqual([c?.id]);
        expect(await store.claim({ owner: "runner-3", limit: 5, leaseMs: 30_000 })).toEqual([]);
      });

      it("never hands a task to two concurrent claimers", async () => {
        const store = await open();
        await Promise.all(
          Array.from({ length: 60 }, (_, i) => store.create({ title: `job ${i}` })),
        );
        const batches = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.claim({ owner: `runner-${i}`, limit: 7, leaseMs: 30_000 }),
          ),
        );
        const ids = batches.flat().map((task) => task.id);
        expect(ids).toHaveLength(60);
        expect(new Set(ids).size).toBe(60);
      });

      it("does not claim tasks that a PATCH moved on", async () => {
        const store = await open();
        const task = await store.create({ title: "manual" });
        await store.transition(task.id, "running");
        expect(await store.claim({ owner: "runner", limit: 5, leaseMs: 10 })).toEqual([]);
        await sleep(30);
        expect(await store.claim({ owner: "runner", limit: 5, leaseMs: 10 })).toEqual([]);
      });

      it("lets only the lease owner complete, with the result", async () => {
        const store = await open();
        const task = await store.create({ title: "answer" });
        await store.claim({ owner: "owner", limit: 1, leaseMs: 30_000 });
        expect(await store.complete(task.id, "intruder", { answer: 1 })).toBeUndefined();
        const done = await store.complete(task.id, "owner", {
          answer: 42,
          steps: ["think", "say"],
        });
        expect(done).toMatchObject({
          id: task.id,
          status: "completed",
          attempts: 1,
          result: { answer: 42, steps: ["think", "say"] },
          error: null,
        });
        expect(await store.get(task.id)).toEqual(done);
        expect(await store.complete(task.id, "owner", "again")).toBeUndefined();
        expect(await store.complete("not-an-id", "owner", 1)).toBeUndefined();
      });

      it("renews a lease only for its holder", async () => {
        const store = await open();
        const task = await store.create({ title: "long job" });
        await store.claim({ owner: "owner", limit: 1, leaseMs: 30_000 });
        expect(await store.renewLease(task.id, "owner", 30_000)).toBe(true);
        expect(await store.renewLease(task.id, "other", 30_000)).toBe(false);
        await store.complete(task.id, "owner", null);
        expect(await store.renewLease(task.id, "owner", 30_000)).toBe(false);
        expect(await store.renewLease("not-an-id", "owner", 30_000)).toBe(false);
      });

      it("re-claims a task whose lease expired; the old owner can no longer finish it", async () => {
        const store = await open();
        const task = await store.create({ title: "orphan" });
        await store.claim({ owner: "dead-pod", limit: 1, leaseMs: 400 });
        expect(await store.claim({ owner: "live-pod", limit: 1, leaseMs: 30_000 })).toEqual([]);
        await sleep(450);
        const again = await store.claim({ owner: "live-pod", limit: 1, leaseMs: 30_000 });
        expect(again).toEqual([
          expect.objectContaining({ id: task.id, status: "running", attempts: 2 }),
        ]);
        expect(await store.complete(task.id, "dead-pod", "stale")).toBeUndefined();
        expect(await store.renewLease(task.id, "dead-pod", 30_000)).toBe(false);
        expect(await store.complete(task.id, "live-pod", "fresh")).toMatchObject({
          result: "fresh",
        });
      });

      it("keeps a failed attempt with retryAt out of claims until it is due", async () => {
        const store = await open();
        const task = await store.create({ title: "flaky" });
        await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 });
        expect(await store.fail(task.id, "other", "nope", { retryAt: new Date() })).toBeUndefined();
        const retrying = await store.fail(task.id, "r", "upstream 503", {
          retryAt: new Date(Date.now() + 400),
        });
        expect(retrying).toMatchObject({ status: "created", error: "upstream 503", attempts: 1 });
        expect(await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 })).toEqual([]);
        await sleep(450);
        const second = await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 });
        expect(second).toEqual([
          expect.objectContaining({ id: task.id, attempts: 2, error: "upstream 503" }),
        ]);
        const failed = await store.fail(task.id, "r", "still broken");
        expect(failed).toMatchObject({ status: "failed", error: "still broken", attempts: 2 });
        expect(await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 })).toEqual([]);
        expect(await store.fail("not-an-id", "r", "x")).toBeUndefined();
      });

      it("releases a running task back to created for the next claim", async () => {
        const store = await open();
        const task = await store.create({ title: "interrupted" });
        await store.claim({ owner: "draining", limit: 1, leaseMs: 30_000 });
        expect(await store.release(task.id, "someone-else")).toBe(false);
        expect(await store.release(task.id, "draining")).toBe(true);
        expect((await store.get(task.id))?.status).toBe("created");
        expect(await store.release(task.id, "draining")).toBe(false);
        const next = await store.claim({ owner: "successor", limit: 1, leaseMs: 30_000 });
        expect(next.map((t) => t.id)).toEqual([task.id]);
        expect(await store.release("not-an-id", "draining")).toBe(false);
      });
    });

    describe("subscribe", () => {
      it("delivers each change of a task in order until unsubscribed", async () => {
        const store = await open();
        const events: Task[] = [];
        const unsubscribe = store.subscribe((task) => events.push(task));
        const task = await store.create({ title: "watched" });
        await store.transition(task.id, "running");
        await store.transition(task.id, "completed");
        await eventually(() => {
          expect(events.filter((e) => e.id === task.id).map((e) => e.status)).toEqual([
            "created",
            "running",
            "completed",
          ]);
        });
        unsubscribe();
        const later = await store.create({ title: "unwatched" });
        await sleep(100);
        expect(events.some((e) => e.id === later.id)).toBe(false);
      });

      it("reports runner changes with attempts, result and error", async () => {
        const store = await open();
        const events: Task[] = [];
        store.subscribe((task) => events.push(task));
        const task = await store.create({ title: "runner" });
        await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 });
        await store.fail(task.id, "r", "transient", { retryAt: new Date() });
        await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 });
        await store.complete(task.id, "r", { ok: true });
        await eventually(() => {
          expect(
            events
              .filter((e) => e.id === task.id)
              .map((e) => [e.status, e.attempts, e.error, e.result]),
          ).toEqual([
            ["created", 0, null, null],
            ["running", 1, null, null],
            ["created", 1, "transient", null],
            ["running", 2, "transient", null],
            ["completed", 2, null, { ok: true }],
          ]);
        });
      });

      it("keeps delivering to other listeners when one throws", async () => {
        const store = await open();
        const events: string[] = [];
        store.subscribe(() => {
          throw new Error("listener bug");
        });
        store.subscribe((task) => events.push(task.title));
        await store.create({ title: "still delivered" });
        await eventually(() => expect(events).toEqual(["still delivered"]));
      });
    });

    describe("deltas", () => {
      it("hands a task's deltas to its listeners in order, before the change that follows them", async () => {
        const store = await open();
        const task = await store.create({ title: "streamed" });
        const other = await store.create({ title: "elsewhere" });
        const seen: string[] = [];
        store.subscribe((changed) => {
          // (a store that notifies asynchronously may still report the creation)
          if (changed.id === task.id && changed.status !== "created") {
            seen.push(`status ${changed.status}`);
          }
        });
        const stop = store.subscribeDeltas(task.id, (delta) =>
          seen.push(`delta ${delta.attempt} ${delta.text}`),
        );
        await store.claim({ owner: "r", limit: 1, leaseMs: 30_000 });
        await eventually(() => expect(seen).toEqual(["status running"]));
        for (const text of ["Hel", "lo", ", ", "world"]) {
          store.publishDelta({ id: task.id, attempt: 1, text });
        }
        store.publishDelta({ id: other.id, attempt: 1, text: "not for this task" });
        await store.complete(task.id, "r", { text: "Hello, world" });
        await eventually(() =>
          expect(seen).toEqual([
            "status running",
            "delta 1 Hel",
            "delta 1 lo",
            "delta 1 , ",
            "delta 1 world",
            "status completed",
          ]),
        );
        stop();
        store.publishDelta({ id: task.id, attempt: 1, text: "after unsubscribing" });
        await sleep(100);
        expect(seen).toHaveLength(6);
      });
    });

    it("passes its health check", async () => {
      const store = await open();
      await expect(store.check()).resolves.toBeUndefined();
    });
  });
}

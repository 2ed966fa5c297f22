/** The runner when the store or the agent misbehaves: outages, lost leases, odd agents. */
import { afterEach, describe, expect, it } from "vitest";
import { PermanentError } from "../../src/agent/errors.ts";
import { ExampleAgent } from "../../src/agent/example-agent.ts";
import type { Agent } from "../../src/agent/types.ts";
import type { Runner } from "../../src/runner/runner.ts";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import { StoreDataError, StoreUnavailableError, type Task } from "../../src/tasks/store.ts";
import {
  isFinal,
  scriptedAgent,
  sleep,
  startRunner,
  untilAborted,
  waitForTask,
} from "../support/runner.ts";

const runners: Runner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
});

function start(...args: Parameters<typeof startRunner>) {
  const started = startRunner(...args);
  runners.push(started.runner);
  return started;
}

const away = () => new StoreUnavailableError("connection refused");
const messages = (logs: Array<Record<string, unknown>>) => logs.map((line) => line.msg);

describe("runner faults", () => {
  it("keeps polling while claims fail, warns once, and resumes when the store is back", async () => {
    const store = new MemoryTaskStore();
    let failures = 3;
    const claim = store.claim.bind(store);
    store.claim = async (options) => {
      if (failures > 0) {
        failures -= 1;
        throw away();
      }
      return claim(options);
    };
    const task = await store.create({ title: "waits for the store" });
    const { logs } = start(store, new ExampleAgent({ delayMs: 0 }), { pollMs: 20 });
    expect((await waitForTask(store, task.id, isFinal)).status).toBe("completed");
    const warnings = messages(logs).filter((msg) => String(msg).startsWith("cannot claim tasks"));
    expect(warnings).toHaveLength(1);
    expect(messages(logs)).toContain("claiming tasks again");
  });

  it("aborts the run and leaves the task alone when its lease is lost", async () => {
    const store = new MemoryTaskStore();
    store.renewLease = async () => false;
    const agent = scriptedAgent((_task, { signal }) => untilAborted(signal));
    const { logs, metrics } = start(store, agent, { leaseMs: 150 });
    const task = await store.create({ title: "taken over" });
    await expect.poll(() => agent.calls[0]?.signal.aborted).toBe(true);
    expect(agent.calls[0]?.signal.reason).toMatchObject({ name: "LeaseLostError" });
    await expect
      .poll(() => messages(logs))
      .toContain(
        "task abandoned: this runner no longer holds the task: its lease expired and another runner took it, or a client moved or deleted it",
      );
    // the new owner finishes it; this runner writes nothing
    expect(await store.get(task.id)).toMatchObject({ status: "running", attempts: 1 });
    const scraped = await Promise.all(metrics.metrics().map((m) => m.get()));
    expect(
      scraped
        .find((m) => m.name === "task_run_duration_seconds")
        ?.values.find(
          (v) => (v as { metricName?: string }).metricName === "task_run_duration_seconds_count",
        ),
    ).toMatchObject({ labels: { outcome: "lost" }, value: 1 });
  });

  it("keeps working when a lease renewal fails for a while", async () => {
    const store = new MemoryTaskStore();
    let failures = 2;
    const renew = store.renewLease.bind(store);
    store.renewLease = async (...args) => {
      if (failures-- > 0) throw away();
      return renew(...args);
    };
    const agent = scriptedAgent(async () => {
      await sleep(250);
      return "done";
    });
    const { logs } = start(store, agent, { leaseMs: 150 });
    const task = await store.create({ title: "renewed late" });
    expect(await waitForTask(store, task.id, isFinal)).toMatchObject({ status: "completed" });
    expect(messages(logs)).toContain("could not renew the task's lease");
  });

  it("retries a result write through a short outage", async () => {
    const store = new MemoryTaskStore();
    let failures = 2;
    const complete = store.complete.bind(store);
    store.complete = async (...args) => {
      if (failures-- > 0) throw away();
      return complete(...args);
    };
    const task = await store.create({ title: "written on the third try" });
    start(store, new ExampleAgent({ delayMs: 0 }));
    expect((await waitForTask(store, task.id, isFinal)).status).toBe("completed");
  });

  it("gives up on a write the store keeps refusing, leaving the task to its lease", async () => {
    const store = new MemoryTaskStore();
    store.complete = async () => {
      throw away();
    };
    const task = await store.create({ title: "result lost for now" });
    const { logs } = start(store, new ExampleAgent({ delayMs: 0 }));
    await expect
      .poll(() => messages(logs), { timeout: 3_000 })
      .toContain(
        "could not record the result: the task store is unreachable; the task runs again after its lease expires",
      );
    expect(await store.get(task.id)).toMatchObject({ status: "running", attempts: 1 });
  });

  it("discards a result when the task was taken over before it could be written", async () => {
    const store = new MemoryTaskStore();
    store.complete = async () => undefined;
    await store.create({ title: "too late" });
    const { logs } = start(store, new ExampleAgent({ delayMs: 0 }));
    await expect
      .poll(() => messages(logs))
      .toContain(
        "result discarded: this runner no longer holds the task (its lease expired and another runner took it, or a client moved or deleted it)",
      );
  });

  it("hands back tasks whose claim was still on its way when stop() came", async () => {
    const store = new MemoryTaskStore();
    const claim = store.claim.bind(store);
    let claimed: () => void = () => undefined;
    const claiming = new Promise<void>((resolve) => {
      claimed = resolve;
    });
    store.claim = async (options) => {
      claimed();
      await sleep(100);
      return claim(options);
    };
    const task = await store.create({ title: "claimed during stop" });
    const agent = scriptedAgent(async () => "never");
    const { runner } = start(store, agent);
    await claiming;
    await runner.stop(1_000);
    expect(await store.get(task.id)).toMatchObject({ status: "created", attempts: 1 });
    expect(agent.calls).toHaveLength(0);
  });

  it("treats an agent that throws synchronously like one that rejects", async () => {
    const store = new MemoryTaskStore();
    const agent: Agent = {
      run(task: Readonly<Task>) {
        throw new Error(`cannot handle ${task.title}`);
      },
    };
    start(store, agent, { maxAttempts: 1 });
    const task = await store.create({ title: "sync" });
    expect((await waitForTask(store, task.id, isFinal)).error).toBe(
      "cannot handle sync (gave up after 1 attempt)",
    );
  });

  it("starts once, and stops (also before starting) without error", async () => {
    const store = new MemoryTaskStore();
    const { runner, logs } = start(store, new ExampleAgent({ delayMs: 0 }));
    runner.start();
    expect(messages(logs).filter((msg) => msg === "runner started")).toHaveLength(1);
    expect(runner.running).toBe(0);
    await Promise.all([runner.stop(0), runner.stop(0)]);
    expect(messages(logs).filter((msg) => msg === "runner stopped")).toHaveLength(1);
    // stopped: new tasks stay where they are
    const task = await store.create({ title: "after" });
    await sleep(50);
    expect((await store.get(task.id))?.status).toBe("created");
  });
});

describe("a store that refuses a value as data", () => {
  it("fails the attempt with the store's reason at once instead of waiting out an outage", async () => {
    const store = new MemoryTaskStore();
    store.complete = async () => {
      throw new StoreDataError(
        "the task database refused a value: unsupported Unicode escape sequence",
      );
    };
    const agent = scriptedAgent(async () => ({ ok: true }));
    const { logs } = start(store, agent, { leaseMs: 200 });
    const task = await store.create({ title: "refused" });
    const failed = await waitForTask(store, task.id, isFinal);
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 1,
      error:
        "the result could not be stored: the task database refused a value: unsupported Unicode escape sequence",
    });
    expect(agent.calls).toHaveLength(1);
    expect(messages(logs)).not.toContainEqual(expect.stringContaining("unreachable"));
  });

  it("records the failure with a storable message when the failure's own text is refused", async () => {
    const store = new MemoryTaskStore();
    const fail = store.fail.bind(store);
    let refusals = 0;
    store.fail = async (id, owner, error, options) => {
      if (refusals === 0) {
        refusals += 1;
        throw new StoreDataError("the task database refused a value: invalid byte sequence");
      }
      return fail(id, owner, error, options);
    };
    const agent = scriptedAgent(async () => {
      throw new PermanentError("bad input");
    });
    start(store, agent);
    const task = await store.create({ title: "refused failure" });
    expect((await waitForTask(store, task.id, isFinal)).error).toBe(
      "the attempt failed, and its error could not be stored: the task database refused a value: invalid byte sequence",
    );
  });
});

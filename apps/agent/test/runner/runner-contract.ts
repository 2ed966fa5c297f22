/**
 * What the runner does, on any store: run against the in-memory store and PostgreSQL.
 * `open` returns a store over empty storage; the suite stops runners and closes stores.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "../../src/agent/errors.ts";
import { analyse, ExampleAgent } from "../../src/agent/example-agent.ts";
import type { Runner } from "../../src/runner/runner.ts";
import type { TaskStore } from "../../src/tasks/store.ts";
import {
  isFinal,
  scriptedAgent,
  sleep,
  startRunner,
  type TestRunner,
  untilAborted,
  waitForTask,
} from "../support/runner.ts";

export function describeRunner(name: string, open: () => Promise<TaskStore>): void {
  describe(`runner on the ${name} store`, () => {
    const stores: TaskStore[] = [];
    const runners: Runner[] = [];
    const store = async () => {
      const opened = await open();
      stores.push(opened);
      return opened;
    };
    const start = (...args: Parameters<typeof startRunner>): TestRunner => {
      const started = startRunner(...args);
      runners.push(started.runner);
      return started;
    };
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
      await Promise.all(stores.splice(0).map((opened) => opened.close()));
    });

    it("runs created tasks through running to completed with the example agent's result", async () => {
      const tasks = await store();
      const seen = new Map<string, string[]>();
      tasks.subscribe((task) => {
        seen.set(task.id, [...(seen.get(task.id) ?? []), task.status]);
      });
      const created = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          tasks.create({ title: `Task ${i}`, description: `Summarise report number ${i}.` }),
        ),
      );
      const { metrics } = start(tasks, new ExampleAgent({ delayMs: 5 }));
      for (const task of created) {
        const done = await waitForTask(tasks, task.id, isFinal);
        expect(done).toMatchObject({ status: "completed", attempts: 1, error: null });
        expect(done.result).toEqual(analyse(task));
      }
      for (const task of created) {
        await expect.poll(() => seen.get(task.id)).toEqual(["created", "running", "completed"]);
      }
      const scraped = await Promise.all(metrics.metrics().map((metric) => metric.get()));
      const runs = scraped.find((m) => m.name === "task_run_duration_seconds");
      expect(runs?.values).toContainEqual(
        expect.objectContaining({
          labels: { outcome: "completed" },
          value: 12,
          metricName: "task_run_duration_seconds_count",
        }),
      );
    });

    it("retries a failing agent with backoff, then marks the task failed with the attempts counted", async () => {
      const tasks = await store();
      const agent = scriptedAgent(async () => {
        throw new Error("the model is overloaded");
      });
      const { metrics } = start(tasks, agent, { maxAttempts: 3, retryDelayMs: 40 });
      const task = await tasks.create({ title: "always fails" });
      const failed = await waitForTask(tasks, task.id, isFinal);
      expect(failed).toMatchObject({
        status: "failed",
        attempts: 3,
        result: null,
        error: "the model is overloaded (gave up after 3 attempts)",
      });
      expect(agent.calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
      // backoff: 40 ms then 80 ms (jitter pinned at the middle: 30 and 60)
      const scraped = await Promise.all(metrics.metrics().map((metric) => metric.get()));
      expect(scraped.find((m) => m.name === "task_retries_total")?.values[0]?.value).toBe(2);
    });

    it("waits out the backoff between attempts", async () => {
      const tasks = await store();
      const startedAt: number[] = [];
      const agent = scriptedAgent(async (_task, _context, call) => {
        startedAt.push(performance.now());
        if (call === 1) throw new TransientError("rate limited");
        return { ok: true };
      });
      start(tasks, agent, { retryDelayMs: 300 });
      const task = await tasks.create({ title: "flaky" });
      const done = await waitForTask(tasks, task.id, isFinal);
      expect(done).toMatchObject({ status: "completed", attempts: 2, result: { ok: true } });
      // the previous attempt's error is cleared by the success
      expect(done.error).toBeNull();
      // 300 ms with jitter pinned at 0.5: 225 ms
      expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(220);
    });

    it("fails a task at once on a PermanentError", async () => {
      const tasks = await store();
      const agent = scriptedAgent(async () => {
        throw new PermanentError("the title names no document");
      });
      start(tasks, agent);
      const task = await tasks.create({ title: "bad input" });
      const failed = await waitForTask(tasks, task.id, isFinal);
      expect(failed).toMatchObject({
        status: "failed",
        attempts: 1,
        error: "the title names no document",
      });
      expect(agent.calls).toHaveLength(1);
    });

    it("aborts the agent through its signal when the task times out", async () => {
      const tasks = await store();
      const agent = scriptedAgent((_task, { signal }) => untilAborted(signal));
      start(tasks, agent, { taskTimeoutMs: 150, maxAttempts: 2 });
      const task = await tasks.create({ title: "never finishes" });
      const failed = await waitForTask(tasks, task.id, isFinal);
      expect(failed).toMatchObject({
        status: "failed",
        attempts: 2,
        error:
          "the agent did not finish within 150 ms (RUNNER_TASK_TIMEOUT_MS) (gave up after 2 attempts)",
      });
      expect(agent.calls).toHaveLength(2);
      for (const call of agent.calls) {
        expect(call.signal.aborted).toBe(true);
        expect(call.signal.reason).toMatchObject({ name: "TaskTimeoutError" });
      }
    });

    it("ends a run that ignores its signal at the timeout all the same", async () => {
      const tasks = await store();
      const agent = scriptedAgent(() => new Promise(() => undefined));
      start(tasks, agent, { taskTimeoutMs: 100, maxAttempts: 1 });
      const task = await tasks.create({ title: "deaf" });
      const failed = await waitForTask(tasks, task.id, isFinal);
      expect(failed.error).toMatch(/did not finish within 100 ms/);
    });

    it("fails the attempt, without crashing, when the result cannot be stored", async () => {
      const tasks = await store();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const agent = scriptedAgent(async (task) => {
        if (task.title === "nul") return { text: "a\u0000b" };
        return task.title === "cycle" ? cyclic : "fine";
      });
      start(tasks, agent);
      const nul = await tasks.create({ title: "nul" });
      const cycle = await tasks.create({ title: "cycle" });
      expect(await waitForTask(tasks, nul.id, isFinal)).toMatchObject({
        status: "failed",
        attempts: 1,
        result: null,
        error:
          "the agent's result contains the character U+0000 (NUL) at result.text, which cannot be stored; remove it, or encode binary data (e.g. base64)",
      });
      expect((await waitForTask(tasks, cycle.id, isFinal)).error).toMatch(
        /^the agent's result cannot be stored as JSON/,
      );
      // and the runner goes on with the next task
      const next = await tasks.create({ title: "next" });
      expect(await waitForTask(tasks, next.id, isFinal)).toMatchObject({
        status: "completed",
        result: "fine",
      });
    });

    it("completes a task whose summary is cut right after an emoji, keeping the emoji whole", async () => {
      const tasks = await store();
      // the emoji takes UTF-16 units 158 and 159: a cut with slice() would split it
      const description = `${"a".repeat(158)}\u{1F600}${"b".repeat(60)}`;
      const task = await tasks.create({ title: "emoji at the cut", description });
      start(tasks, new ExampleAgent({ delayMs: 0 }));
      const done = await waitForTask(tasks, task.id, isFinal);
      expect(done).toMatchObject({ status: "completed", attempts: 1, error: null });
      const { summary } = done.result as { summary: string };
      expect(summary).toBe(`${"a".repeat(158)}\u{1F600}…`);
      expect([...summary]).toHaveLength(160);
    });

    it("fails the attempt naming it when the result holds half a surrogate pair", async () => {
      const tasks = await store();
      const agent = scriptedAgent(async () => ({ summary: "cut \u{1F600}".slice(0, 5) }));
      start(tasks, agent);
      const task = await tasks.create({ title: "half an emoji" });
      const failed = await waitForTask(tasks, task.id, isFinal);
      expect(failed).toMatchObject({ status: "failed", attempts: 1, result: null });
      expect(failed.error).toBe(
        "the agent's result contains half of a surrogate pair (a character such as an emoji cut in two) at result.summary, which cannot be stored; cut text by code point (e.g. Array.from(text).slice(...)), not with String.prototype.slice",
      );
      expect(agent.calls).toHaveLength(1);
    });

    it("runs at most `concurrency` tasks at once", async () => {
      const tasks = await store();
      let running = 0;
      let peak = 0;
      const agent = scriptedAgent(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(30);
        running -= 1;
        return null;
      });
      start(tasks, agent, { concurrency: 3 });
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => tasks.create({ title: `t${i}` })),
      );
      for (const task of created) await waitForTask(tasks, task.id, isFinal);
      expect(peak).toBe(3);
      expect(agent.calls).toHaveLength(10);
    });

    it("renews the lease of a long run, so a second runner never takes the task", async () => {
      const tasks = await store();
      const agent = scriptedAgent(async () => {
        await sleep(900);
        return "slow but sure";
      });
      start(tasks, agent, { leaseMs: 300, owner: "runner-a" });
      start(tasks, agent, { leaseMs: 300, owner: "runner-b" });
      const task = await tasks.create({ title: "long" });
      const done = await waitForTask(tasks, task.id, isFinal);
      expect(done).toMatchObject({ status: "completed", attempts: 1, result: "slow but sure" });
      expect(agent.calls).toHaveLength(1);
    });

    it("on stop: claims nothing more, lets runs finish within the drain window, releases the rest", async () => {
      const tasks = await store();
      const agent = scriptedAgent(async (task, { signal }) => {
        if (task.title === "quick") await sleep(100);
        else await untilAborted(signal);
        return "done";
      });
      const { runner } = start(tasks, agent);
      const quick = await tasks.create({ title: "quick" });
      const slow = await tasks.create({ title: "slow" });
      await expect.poll(() => agent.calls.length).toBe(2);

      const stopped = runner.stop(400);
      const late = await tasks.create({ title: "after stop" });
      const began = performance.now();
      await stopped;
      const tookMs = performance.now() - began;

      expect(await tasks.get(quick.id)).toMatchObject({ status: "completed", result: "done" });
      expect(await tasks.get(slow.id)).toMatchObject({
        status: "created",
        attempts: 1,
        error: null,
      });
      expect(agent.calls.find((c) => c.task.id === slow.id)?.signal.reason).toMatchObject({
        name: "ShuttingDownError",
      });
      expect(tookMs).toBeGreaterThanOrEqual(350);
      expect(tookMs).toBeLessThan(2_000);
      await sleep(100);
      // never run; a claim already on its way when stop() came may have taken it and handed
      // it straight back (counted as a claim), so only the status is certain
      expect(await tasks.get(late.id)).toMatchObject({ status: "created" });
      expect(agent.calls).toHaveLength(2);
    });

    it("fails, without running it, a task claimed more often than the attempts allow", async () => {
      const tasks = await store();
      const task = await tasks.create({ title: "crashes its runner" });
      // two runners that died holding it: their leases expire at once
      for (const owner of ["dead-1", "dead-2"]) {
        expect(await tasks.claim({ owner, limit: 1, leaseMs: 1 })).toHaveLength(1);
        await sleep(5);
      }
      const agent = scriptedAgent(async () => "never");
      start(tasks, agent, { maxAttempts: 2 });
      const failed = await waitForTask(tasks, task.id, isFinal);
      expect(failed).toMatchObject({ status: "failed", attempts: 3 });
      expect(failed.error).toMatch(/claimed 3 times without finishing/);
      expect(agent.calls).toHaveLength(0);
    });
  });
}

import { Writable } from "node:stream";
import { pino } from "pino";
import type { Agent, RunContext } from "../../src/agent/types.ts";
import { Runner, type RunnerOptions } from "../../src/runner/runner.ts";
import { TaskMetrics } from "../../src/runner/task-metrics.ts";
import type { Task, TaskStore } from "../../src/tasks/store.ts";

export interface TestRunner {
  runner: Runner;
  metrics: TaskMetrics;
  logs: Array<Record<string, unknown>>;
}

/** Short timings, so retries, leases and polls happen within a test. */
export const FAST = {
  concurrency: 4,
  taskTimeoutMs: 5_000,
  maxAttempts: 3,
  leaseMs: 1_000,
  pollMs: 50,
  retryDelayMs: 10,
} as const;

/** A started runner with captured logs and its own metrics. */
export function startRunner(
  store: TaskStore,
  agent: Agent,
  options: Partial<Omit<RunnerOptions, "store" | "logger">> = {},
): TestRunner {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const metrics = new TaskMetrics();
  const runner = new Runner({
    ...FAST,
    random: () => 0.5,
    ...options,
    store,
    agent,
    metrics,
    logger: pino({ level: "debug" }, sink),
  });
  runner.start();
  return { runner, metrics, logs };
}

export interface Call {
  task: Task;
  attempt: number;
  signal: AbortSignal;
}

/** An agent made of a function, recording every call. */
export function scriptedAgent(
  run: (task: Readonly<Task>, context: RunContext, call: number) => Promise<unknown>,
): Agent & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    run(task, context) {
      calls.push({ task: { ...task }, attempt: context.attempt, signal: context.signal });
      return run(task, context, calls.length);
    },
  };
}

/** Resolves when the signal aborts, like work that honours it. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the store until the task satisfies `done`, and returns it. */
export async function waitForTask(
  store: TaskStore,
  id: string,
  done: (task: Task) => boolean,
  timeoutMs = 10_000,
): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await store.get(id);
    if (task && done(task)) return task;
    if (Date.now() > deadline) {
      throw new Error(`task ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(task)}`);
    }
    await sleep(10);
  }
}

export const isFinal = (task: Task) => task.status === "completed" || task.status === "failed";

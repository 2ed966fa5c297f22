/**
 * The contract between the runner and the code that does a task's work. Replace the example
 * agent with your own implementation of `Agent` (see src/agent/index.ts and the README).
 */
import type { Logger } from "pino";
import type { Task } from "../tasks/store.ts";

export interface RunContext {
  /**
   * Aborted when the task times out (RUNNER_TASK_TIMEOUT_MS), when the service shuts down
   * before the task finished, or when the runner lost the task (another runner took it
   * over after the lease expired, or a client moved or deleted it). Pass it on to
   * fetch(), model clients and timers so the work stops promptly.
   */
  signal: AbortSignal;
  /** 1 on the first run of the task, 2 on its first retry, and so on. */
  attempt: number;
  /** Log lines carry the task id and attempt. */
  logger: Logger;
}

export interface Agent {
  /**
   * Does the task's work and resolves with its result: any JSON value (objects, arrays,
   * strings, numbers, booleans, null), stored as the task's `result`. Throw to fail the
   * attempt: a `PermanentError` fails the task at once; anything else is retried with
   * exponential backoff until RUNNER_MAX_ATTEMPTS runs have been made.
   */
  run(task: Readonly<Task>, context: RunContext): Promise<unknown>;
}

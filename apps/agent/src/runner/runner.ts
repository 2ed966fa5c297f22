import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { isRetryable, PermanentError, requestedRetryDelay } from "../agent/errors.ts";
import type { Agent } from "../agent/types.ts";
import type { RunnerConfig } from "../config.ts";
import { StoreDataError, type Task, type TaskRunnerStore } from "../tasks/store.ts";
import { retryDelay } from "./backoff.ts";
import { checkResult, describeError } from "./result.ts";

/** How one run ended, as counted in the metrics. */
export type RunOutcome = "completed" | "failed" | "retried" | "released" | "lost";

export interface RunnerMetrics {
  runStarted(): void;
  runFinished(outcome: RunOutcome, seconds: number): void;
}

export interface RunnerOptions
  extends Pick<
    RunnerConfig,
    "concurrency" | "taskTimeoutMs" | "maxAttempts" | "leaseMs" | "pollMs" | "retryDelayMs"
  > {
  store: TaskRunnerStore;
  agent: Agent;
  logger: Logger;
  metrics?: RunnerMetrics;
  /** Names this runner on its leases; unique per process by default. */
  owner?: string;
  /** Jitter source for retry delays; tests pin it. */
  random?: () => number;
}

/** Why a run's signal was aborted: each leads to a different ending. */
export class TaskTimeoutError extends Error {
  override readonly name = "TaskTimeoutError";
  constructor(ms: number) {
    super(`the agent did not finish within ${ms} ms (RUNNER_TASK_TIMEOUT_MS)`);
  }
}
class ShuttingDownError extends Error {
  override readonly name = "ShuttingDownError";
  constructor() {
    super("the service is shutting down; the task goes back to be run again");
  }
}
class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor() {
    super(
      "this runner no longer holds the task: its lease expired and another runner took it, or a client moved or deleted it",
    );
  }
}

interface ActiveRun {
  task: Task;
  controller: AbortController;
  done: Promise<void>;
}

/** A write that was made, or not: `refused` when the store took the value itself for wrong. */
type Written<T> = { ok: true; value: T } | { ok: false; refused?: StoreDataError };

/** Store writes that fail because the store is away are tried this often in all. */
const WRITE_TRIES = 3;
const WRITE_RETRY_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs tasks in the background: claims `created` tasks (and ones whose runner died) with a
 * lease, runs up to `concurrency` of them at once through the agent with a timeout, renews
 * the leases while they run, and records each ending: completed with the result, retried
 * later with exponential backoff, or failed. Woken by store notifications and a poll.
 *
 * On stop it claims nothing more, gives running tasks the drain window to finish, then
 * aborts the rest and releases them so another runner starts them again at once.
 */
export class Runner {
  readonly owner: string;
  readonly #options: RunnerOptions;
  readonly #store: TaskRunnerStore;
  readonly #logger: Logger;
  readonly #active = new Map<string, ActiveRun>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #state: "idle" | "running" | "stopping" | "stopped" = "idle";
  #unsubscribe: (() => void) | undefined;
  #poll: NodeJS.Timeout | undefined;
  #scheduled: NodeJS.Immediate | undefined;
  #claiming: Promise<void> | undefined;
  #claimAgain = false;
  #claimFailing = false;
  #stopping: Promise<void> | undefined;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#store = options.store;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.#logger = options.logger.child({ runner: this.owner });
  }

  /** Tasks running in this process now. */
  get running(): number {
    return this.#active.size;
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "running";
    this.#unsubscribe = this.#store.subscribe((task) => {
      if (task.status === "created") this.wake();
    });
    this.#poll = setInterval(() => this.wake(), this.#options.pollMs);
    this.#poll.unref();
    const { concurrency, taskTimeoutMs, maxAttempts, leaseMs } = this.#options;
    this.#logger.info(
      { concurrency, taskTimeoutMs, maxAttempts, leaseMs, store: this.#store.kind },
      "runner started",
    );
    this.wake();
  }

  /**
   * Looks for claimable tasks soon. Calls in a burst (many tasks created at once) share one
   * claim, and nothing runs inside the caller: a store notifies its subscribers while it is
   * still in the middle of the change.
   */
  wake(): void {
    if (this.#state !== "running" || this.#scheduled) return;
    // Full: every run that ends wakes the runner again, so a task created meanwhile waits
    // for that (each POST /tasks would otherwise schedule a claim that claims nothing).
    if (this.#active.size >= this.#options.concurrency) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      if (this.#claiming) {
        this.#claimAgain = true;
        return;
      }
      this.#claiming = this.#claimWhileFree().finally(() => {
        this.#claiming = undefined;
        if (this.#claimAgain) {
          this.#claimAgain = false;
          this.wake();
        }
      });
    });
  }

  async #claimWhileFree(): Promise<void> {
    const { concurrency, leaseMs } = this.#options;
    while (this.#state === "running") {
      const free = concurrency - this.#active.size;
      if (free <= 0) return;
      let tasks: Task[];
      try {
        tasks = await this.#store.claim({ owner: this.owner, limit: free, leaseMs });
      } catch (error) {
        if (!this.#claimFailing) {
          this.#logger.warn(
            { err: describeError(error) },
            "cannot claim tasks: the task store is unreachable; trying again on the next poll",
          );
        }
        this.#claimFailing = true;
        return;
      }
      if (this.#claimFailing) this.#logger.info("claiming tasks again");
      this.#claimFailing = false;
      if (this.#state !== "running") {
        // stop() came while the claim was on its way: hand the tasks straight back
        await Promise.all(tasks.map((task) => this.#release(task, this.#logger)));
        return;
      }
      for (const task of tasks) this.#begin(task);
      if (tasks.length < free) return;
    }
  }

  #begin(task: Task): void {
    const controller = new AbortController();
    const run: ActiveRun = { task, controller, done: Promise.resolve() };
    this.#active.set(task.id, run);
    this.#options.metrics?.runStarted();
    run.done = this.#execute(run).finally(() => {
      this.#active.delete(task.id);
      this.wake();
    });
  }

  async #execute({ task, controller }: ActiveRun): Promise<void> {
    const { agent, taskTimeoutMs, leaseMs, maxAttempts } = this.#options;
    const began = performance.now();
    const logger = this.#logger.child({ taskId: task.id, attempt: task.attempts });
    const { signal } = controller;
    let outcome: RunOutcome = "lost";
    try {
      if (task.attempts > maxAttempts) {
        // claimed again and again without an ending: its runs kill the process (memory,
        // crash) or outlive the lease; running it once more would only repeat that
        outcome = await this.#failure(
          task,
          new PermanentError(
            `the task was claimed ${task.attempts} times without finishing (each time its runner's process died or lost the lease); not running it again`,
          ),
          logger,
        );
        return;
      }
      const timeout = setTimeout(
        () => controller.abort(new TaskTimeoutError(taskTimeoutMs)),
        taskTimeoutMs,
      );
      const renewal = setInterval(
        () => void this.#renew(task, controller, logger),
        Math.max(10, Math.floor(leaseMs / 3)),
      );
      let finished: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        const work = Promise.resolve().then(() =>
          agent.run(task, { signal, attempt: task.attempts, logger }),
        );
        finished = { ok: true, value: await untilAborted(work, signal) };
      } catch (error) {
        finished = { ok: false, error };
      } finally {
        clearTimeout(timeout);
        clearInterval(renewal);
      }
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (finished.ok) {
        outcome = await this.#complete(task, finished.value, logger, began);
      } else if (reason instanceof ShuttingDownError) {
        outcome = await this.#release(task, logger);
      } else if (reason instanceof LeaseLostError) {
        logger.warn(`task abandoned: ${reason.message}`);
      } else {
        outcome = await this.#failure(task, reason ?? finished.error, logger);
      }
    } catch (error) {
      logger.error({ err: error }, "runner failed to handle a task; its lease will expire");
    } finally {
      this.#options.metrics?.runFinished(outcome, (performance.now() - began) / 1000);
    }
  }

  async #complete(task: Task, value: unknown, logger: Logger, began: number): Promise<RunOutcome> {
    const checked = checkResult(value);
    if (!checked.ok) return this.#failure(task, new PermanentError(checked.problem), logger);
    const saved = await this.#write(logger, "record the result", () =>
      this.#store.complete(task.id, this.owner, checked.value),
    );
    if (!saved.ok && saved.refused) {
      // the same result would be refused again: fail the attempt with the database's reason
      return this.#failure(
        task,
        new PermanentError(`the result could not be stored: ${saved.refused.message}`),
        logger,
      );
    }
    if (!saved.ok) return "lost";
    if (!saved.value) {
      logger.warn(
        "result discarded: this runner no longer holds the task (its lease expired and another runner took it, or a client moved or deleted it)",
      );
      return "lost";
    }
    logger.info({ durationMs: Math.round(performance.now() - began) }, "task completed");
    return "completed";
  }

  async #failure(task: Task, error: unknown, logger: Logger): Promise<RunOutcome> {
    const { maxAttempts, retryDelayMs, random } = this.#options;
    const message = describeError(error);
    if (isRetryable(error) && task.attempts < maxAttempts) {
      const delayMs = requestedRetryDelay(error) ?? retryDelay(task.attempts, retryDelayMs, random);
      const saved = await this.#write(logger, "schedule a retry", () =>
        this.#store.fail(task.id, this.owner, message, {
          retryAt: new Date(Date.now() + delayMs),
        }),
      );
      if (!saved.ok || !saved.value) return "lost";
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        this.wake();
      }, delayMs + 1);
      timer.unref();
      this.#retryTimers.add(timer);
      logger.warn({ err: message, retryInMs: delayMs }, "task attempt failed; will retry");
      return "retried";
    }
    const final = isRetryable(error)
      ? `${message} (gave up after ${task.attempts} attempt${task.attempts === 1 ? "" : "s"})`
      : message;
    let saved = await this.#write(logger, "record the failure", () =>
      this.#store.fail(task.id, this.owner, final),
    );
    const { refused } = saved.ok ? {} : saved;
    if (refused) {
      saved = await this.#write(logger, "record the failure", () =>
        this.#store.fail(
          task.id,
          this.owner,
          `the attempt failed, and its error could not be stored: ${describeError(refused)}`,
        ),
      );
    }
    if (!saved.ok || !saved.value) return "lost";
    logger.warn({ err: final }, "task failed");
    return "failed";
  }

  async #release(task: Task, logger: Logger): Promise<RunOutcome> {
    const saved = await this.#write(logger, "release the task", () =>
      this.#store.release(task.id, this.owner),
    );
    if (!saved.ok || !saved.value) return "lost";
    logger.info("task released for another runner to start again");
    return "released";
  }

  async #renew(task: Task, controller: AbortController, logger: Logger): Promise<void> {
    try {
      const held = await this.#store.renewLease(task.id, this.owner, this.#options.leaseMs);
      if (!held && !controller.signal.aborted) controller.abort(new LeaseLostError());
    } catch (error) {
      // the store is away: keep working, the next renewal may get through before expiry
      logger.warn({ err: describeError(error) }, "could not renew the task's lease");
    }
  }

  /**
   * A store write that survives a short outage. If it cannot be made, the lease runs out and
   * the task is run again elsewhere: a result may be computed twice, but never lost.
   */
  async #write<T>(logger: Logger, what: string, write: () => Promise<T>): Promise<Written<T>> {
    const tries = this.#state === "running" ? WRITE_TRIES : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await write() };
      } catch (error) {
        if (error instanceof StoreDataError) {
          logger.error({ err: describeError(error) }, `could not ${what}: the store refused it`);
          return { ok: false, refused: error };
        }
        if (attempt >= tries) {
          logger.error(
            { err: describeError(error) },
            `could not ${what}: the task store is unreachable; the task runs again after its lease expires`,
          );
          return { ok: false };
        }
        await sleep(WRITE_RETRY_MS * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * Stops claiming at once, waits up to `drainMs` for the running tasks to finish, then
   * aborts the others through their signals and releases them. Resolves when no task runs.
   */
  stop(drainMs: number): Promise<void> {
    this.#stopping ??= this.#drain(drainMs);
    return this.#stopping;
  }

  async #drain(drainMs: number): Promise<void> {
    const wasRunning = this.#state === "running";
    this.#state = "stopping";
    this.#unsubscribe?.();
    clearInterval(this.#poll);
    if (this.#scheduled) clearImmediate(this.#scheduled);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    await this.#claiming;
    const running = [...this.#active.values()];
    if (running.length > 0) {
      this.#logger.info(
        { running: running.length, drainMs },
        "runner stopped claiming; letting running tasks finish",
      );
      let timer: NodeJS.Timeout | undefined;
      const windowOver = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      });
      await Promise.race([Promise.all(running.map((run) => run.done)), windowOver]);
      clearTimeout(timer);
      const left = [...this.#active.values()];
      if (left.length > 0) {
        this.#logger.warn(
          { aborted: left.length, drainMs },
          "drain window over: aborting the tasks still running and releasing them",
        );
        for (const run of left) run.controller.abort(new ShuttingDownError());
        await Promise.all(left.map((run) => run.done));
      }
    }
    this.#state = "stopped";
    if (wasRunning) this.#logger.info("runner stopped");
  }
}

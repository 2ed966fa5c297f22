import type { TaskDelta } from "./task-deltas.ts";

/**
 * The task model and the storage contract every store implements (in-memory, PostgreSQL):
 * the routes use TaskApiStore, the background runner TaskRunnerStore.
 */

export const TASK_STATUSES = ["created", "running", "completed", "failed"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Status changes a client may request through `PATCH /tasks/:id`. */
export const ALLOWED_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  created: ["running"],
  running: ["completed", "failed"],
  completed: [],
  failed: [],
};

export interface Task {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  /** How many times a runner has claimed the task. */
  attempts: number;
  /** What the agent returned, once completed. */
  result: unknown;
  /** Why the task failed (or why the last attempt failed while a retry is pending). */
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewTask {
  title: string;
  description?: string | null;
}

export interface ListQuery {
  /** 1..100 */
  limit: number;
  /** Opaque cursor from a previous page's `next_cursor`. */
  cursor?: string;
  status?: TaskStatus;
}

export interface TaskPage {
  items: Task[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

export type TransitionResult =
  | { ok: true; task: Task }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "conflict"; current: TaskStatus };

export interface ClaimOptions {
  /** Identifies the claiming runner (pod name + pid); only the lease owner may finish a task. */
  owner: string;
  limit: number;
  leaseMs: number;
}

/** What the API does with tasks: the routes and the event streams. */
export interface TaskApiStore {
  create(input: NewTask): Promise<Task>;
  get(id: string): Promise<Task | undefined>;
  /** Newest first; the cursor stays correct while other tasks are inserted. */
  list(query: ListQuery): Promise<TaskPage>;
  /**
   * Atomic compare-and-set along ALLOWED_TRANSITIONS: of two concurrent calls racing for
   * the same transition exactly one gets ok, the other a conflict.
   */
  transition(id: string, to: TaskStatus): Promise<TransitionResult>;
  /** false when there was no such task. */
  delete(id: string): Promise<boolean>;
  /**
   * Calls `listener` with the task after each change to it (with PostgreSQL, changes made
   * by any process sharing the database). Returns an unsubscribe function.
   */
  subscribe(listener: (task: Task) => void): () => void;
  /** Calls `listener` with each delta published for task `id`; returns an unsubscribe function. */
  subscribeDeltas(id: string, listener: (delta: TaskDelta) => void): () => void;
}

/** What the background runner (and the agent it runs) does with tasks. */
export interface TaskRunnerStore {
  readonly kind: "memory" | "postgres";
  /**
   * Claims up to `limit` tasks, oldest first, that are `created` and due (no pending retry
   * delay), or `running` with an expired lease (their runner died): sets status running, the
   * lease, attempts + 1. Safe across processes sharing a store.
   */
  claim(options: ClaimOptions): Promise<Task[]>;
  /** Extends the lease while the owner still holds it; false when it lost the task. */
  renewLease(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** running -> completed with result, only for the lease owner. */
  complete(id: string, owner: string, result: unknown): Promise<Task | undefined>;
  /**
   * Records a failed attempt, only for the lease owner: with `retryAt`, back to `created`
   * (not claimable before that time) keeping `error`; without, -> failed.
   */
  fail(
    id: string,
    owner: string,
    error: string,
    options?: { retryAt?: Date },
  ): Promise<Task | undefined>;
  /** running -> created without counting a failure (runner shutting down). */
  release(id: string, owner: string): Promise<boolean>;
  /** Wakes the runner when a task is created, instead of waiting for its next poll. */
  subscribe(listener: (task: Task) => void): () => void;
  /**
   * Hands a piece of text the agent streamed to the clients following the task (with
   * PostgreSQL, in every process sharing the database). Live only, never stored. A change
   * to the task made after it reaches those clients after it.
   */
  publishDelta(delta: TaskDelta): void;
}

/**
 * A store: one implementation per backend serves both sides, plus what the service itself
 * asks of it (readiness, shutdown).
 */
export interface TaskStore extends TaskApiStore, TaskRunnerStore {
  /** Throws a StoreUnavailableError when the backing store cannot serve. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The store cannot be reached (database down, timeout): routes answer 503. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

/**
 * The store refused a value as data (PostgreSQL's SQLSTATE class 22: a text it cannot encode,
 * a time out of range): retrying cannot help, so it is not an outage. Routes answer 400; the
 * runner fails the attempt with this reason.
 */
export class StoreDataError extends Error {
  override readonly name = "StoreDataError";
}

/** A `cursor` that no page of this store produced (malformed or tampered): routes answer 400. */
export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
}

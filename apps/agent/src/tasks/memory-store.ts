import { randomUUID } from "node:crypto";
import { isoTime } from "../platform/iso-time.ts";
import {
  ALLOWED_TRANSITIONS,
  type ClaimOptions,
  InvalidCursorError,
  type ListQuery,
  type NewTask,
  StoreUnavailableError,
  type Task,
  type TaskPage,
  type TaskStatus,
  type TaskStore,
  type TransitionResult,
} from "./store.ts";
import { type TaskDelta, TaskDeltas } from "./task-deltas.ts";

/** A task plus the bookkeeping a runner needs, never shown to clients. */
interface Entry {
  /** Insertion order: the newest-first listing and its cursors are based on it. */
  seq: number;
  task: Task;
  leaseOwner: string | null;
  leaseExpiresAt: number;
  /** A task waiting for a retry is not claimable before this time (epoch ms). */
  runAfter: number;
}

const CURSOR_PATTERN = /^s([1-9][0-9]{0,15})$/;

function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = CURSOR_PATTERN.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match?.[1] || encodeCursor(Number(match[1])) !== cursor) {
    throw new InvalidCursorError("is not a next_cursor value this API returned");
  }
  return Number(match[1]);
}

/**
 * The embedded default store: everything lives in this process and is lost on restart,
 * so it suits development, tests and single-replica demos. Every operation runs to
 * completion synchronously, which makes each one atomic.
 */
export class MemoryTaskStore implements TaskStore {
  readonly kind = "memory" as const;
  /** Ascending by seq, so binary search finds a cursor's position. */
  readonly #entries: Entry[] = [];
  readonly #byId = new Map<string, Entry>();
  readonly #listeners = new Set<(task: Task) => void>();
  readonly #deltas = new TaskDeltas();
  #seq = 0;
  #closed = false;
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async create(input: NewTask): Promise<Task> {
    this.#assertOpen();
    const timestamp = isoTime(this.#now());
    const task: Task = {
      id: randomUUID(),
      title: input.title,
      description: input.description ?? null,
      status: "created",
      attempts: 0,
      result: null,
      error: null,
      created_at: timestamp,
      updated_at: timestamp,
    };
    const entry: Entry = {
      seq: ++this.#seq,
      task,
      leaseOwner: null,
      leaseExpiresAt: 0,
      runAfter: 0,
    };
    this.#entries.push(entry);
    this.#byId.set(task.id, entry);
    return this.#changed(entry);
  }

  async get(id: string): Promise<Task | undefined> {
    this.#assertOpen();
    const entry = this.#find(id);
    return entry && { ...entry.task };
  }

  async list(query: ListQuery): Promise<TaskPage> {
    this.#assertOpen();
    const before =
      query.cursor === undefined ? Number.POSITIVE_INFINITY : decodeCursor(query.cursor);
    const items: Task[] = [];
    let last: Entry | undefined;
    for (let i = this.#indexBelow(before); i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (query.status !== undefined && entry.task.status !== query.status) continue;
      if (items.length === query.limit) {
        return { items, next_cursor: encodeCursor(last!.seq) };
      }
      items.push({ ...entry.task });
      last = entry;
    }
    return { items, next_cursor: null };
  }

  async transition(id: string, to: TaskStatus): Promise<TransitionResult> {
    this.#assertOpen();
    const entry = this.#find(id);
    if (!entry) return { ok: false, reason: "not_found" };
    const current = entry.task.status;
    if (!ALLOWED_TRANSITIONS[current].includes(to)) {
      return { ok: false, reason: "conflict", current };
    }
    entry.task.status = to;
    if (to !== "running") this.#clearLease(entry);
    this.#touch(entry);
    return { ok: true, task: this.#changed(entry) };
  }

  async delete(id: string): Promise<boolean> {
    this.#assertOpen();
    const entry = this.#find(id);
    if (!entry) return false;
    this.#byId.delete(entry.task.id);
    this.#entries.splice(this.#indexBelow(entry.seq + 1), 1);
    return true;
  }

  async claim(options: ClaimOptions): Promise<Task[]> {
    this.#assertOpen();
    const now = this.#now();
    const claimed: Task[] = [];
    for (const entry of this.#entries) {
      if (claimed.length >= options.limit) break;
      const { status } = entry.task;
      const due = status === "created" && entry.runAfter <= now;
      const abandoned =
        status === "running" && entry.leaseOwner !== null && entry.leaseExpiresAt <= now;
      if (!due && !abandoned) continue;
      entry.task.status = "running";
      entry.task.attempts += 1;
      entry.leaseOwner = options.owner;
      entry.leaseExpiresAt = now + options.leaseMs;
      entry.runAfter = 0;
      this.#touch(entry);
      claimed.push(this.#changed(entry));
    }
    return claimed;
  }

  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    this.#assertOpen();
    const entry = this.#leasedBy(id, owner);
    if (!entry) return false;
    entry.leaseExpiresAt = this.#now() + leaseMs;
    return true;
  }

  async complete(id: string, owner: string, result: unknown): Promise<Task | undefined> {
    this.#assertOpen();
    const entry = this.#leasedBy(id, owner);
    if (!entry) return undefined;
    entry.task.status = "completed";
    entry.task.result = result;
    entry.task.error = null;
    this.#clearLease(entry);
    this.#touch(entry);
    return this.#changed(entry);
  }

  async fail(
    id: string,
    owner: string,
    error: string,
    options: { retryAt?: Date } = {},
  ): Promise<Task | undefined> {
    this.#assertOpen();
    const entry = this.#leasedBy(id, owner);
    if (!entry) return undefined;
    entry.task.error = error;
    this.#clearLease(entry);
    if (options.retryAt) {
      entry.task.status = "created";
      entry.runAfter = options.retryAt.getTime();
    } else {
      entry.task.status = "failed";
    }
    this.#touch(entry);
    return this.#changed(entry);
  }

  async release(id: string, owner: string): Promise<boolean> {
    this.#assertOpen();
    const entry = this.#leasedBy(id, owner);
    if (!entry) return false;
    // No error recorded and immediately claimable again: the attempt was interrupted, not failed.
    entry.task.status = "created";
    this.#clearLease(entry);
    this.#touch(entry);
    this.#changed(entry);
    return true;
  }

  subscribe(listener: (task: Task) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  publishDelta(delta: TaskDelta): void {
    this.#deltas.publish(delta);
  }

  subscribeDeltas(id: string, listener: (delta: TaskDelta) => void): () => void {
    return this.#deltas.subscribe(id, listener);
  }

  async check(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreUnavailableError("the task store is closed");
  }

  /** Index of the last entry whose seq is below `seq` (-1 when none). */
  #indexBelow(seq: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#entries[mid]!.seq < seq) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }

  /** UUIDs are case-insensitive (PostgreSQL reads either case): ids are kept in lower case. */
  #find(id: string): Entry | undefined {
    return this.#byId.get(id) ?? this.#byId.get(id.toLowerCase());
  }

  #leasedBy(id: string, owner: string): Entry | undefined {
    const entry = this.#find(id);
    return entry?.task.status === "running" && entry.leaseOwner === owner ? entry : undefined;
  }

  #clearLease(entry: Entry): void {
    entry.leaseOwner = null;
    entry.leaseExpiresAt = 0;
  }

  #touch(entry: Entry): void {
    entry.task.updated_at = isoTime(this.#now());
  }

  /** Tells subscribers about a change and returns a copy for the caller. */
  #changed(entry: Entry): Task {
    if (this.#listeners.size === 0) return { ...entry.task };
    for (const listener of this.#listeners) {
      try {
        listener({ ...entry.task });
      } catch {
        // A faulty subscriber must not undo or block the change it was told about.
      }
    }
    return { ...entry.task };
  }
}

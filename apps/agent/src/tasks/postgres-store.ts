import pg from "pg";
import { MIGRATIONS, TASKS_CHANNEL } from "./migrations/index.ts";
import { decodeCursor, encodeCursor } from "./postgres-cursor.ts";
import { DELTAS_CHANNEL, DeltaSender, unpackDeltas } from "./postgres-deltas.ts";
import { toStoreError, withDeadline } from "./postgres-errors.ts";
import { isUuid, uuidv7 } from "./postgres-ids.ts";
import { type ChangeListener, startChangeListener } from "./postgres-listener.ts";
import { migrate } from "./postgres-migrate.ts";
import {
  ALLOWED_TRANSITIONS,
  type ClaimOptions,
  InvalidCursorError,
  type ListQuery,
  type NewTask,
  StoreUnavailableError,
  TASK_STATUSES,
  type Task,
  type TaskPage,
  type TaskStatus,
  type TaskStore,
  type TransitionResult,
} from "./store.ts";
import { type TaskDelta, TaskDeltas } from "./task-deltas.ts";

export interface PostgresStoreOptions {
  connectionString: string;
  /** Connections this process opens at most (plus one for LISTEN). */
  poolMax: number;
  /** Bound on every operation: connecting, waiting for a pooled connection, each query. */
  timeoutMs: number;
  logger?: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
}

interface TaskRow {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  attempts: number;
  result: unknown;
  error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

const COLUMNS = "id, title, description, status, attempts, result, error, created_at, updated_at";
const NOW = "date_trunc('milliseconds', clock_timestamp())";

/** Statuses a task may be in for a transition to `to` (the reverse of ALLOWED_TRANSITIONS). */
const PREDECESSORS = Object.fromEntries(
  TASK_STATUSES.map((to) => [
    to,
    TASK_STATUSES.filter((from) => ALLOWED_TRANSITIONS[from].includes(to)),
  ]),
) as Record<TaskStatus, TaskStatus[]>;

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    attempts: row.attempts,
    result: row.result ?? null,
    error: row.error,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/**
 * TaskStore on PostgreSQL. Every state change is one statement whose WHERE clause carries its
 * precondition (compare-and-set), so concurrent requests and replicas cannot both win.
 */
class PostgresTaskStore implements TaskStore {
  readonly kind = "postgres" as const;
  readonly #pool: pg.Pool;
  readonly #options: PostgresStoreOptions;
  readonly #listeners = new Set<(task: Task) => void>();
  #changes: ChangeListener | undefined;
  #migrated: Promise<void> | undefined;
  #dispatch: Promise<void> = Promise.resolve();
  /** Deltas received from the database, for this process's listeners. */
  readonly #deltas = new TaskDeltas();
  readonly #deltaSender: DeltaSender;

  constructor(options: PostgresStoreOptions) {
    this.#options = options;
    this.#deltaSender = new DeltaSender({
      send: async (payload) => {
        await this.#query("select pg_notify($1, $2)", [DELTAS_CHANNEL, payload]);
      },
      logger: options.logger,
    });
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      statement_timeout: options.timeoutMs,
      idle_in_transaction_session_timeout: options.timeoutMs,
      keepAlive: true,
      application_name: "agent",
    });
    // an idle connection dying (database restart) must not crash the process; the pool
    // drops it and opens a new one on the next query
    this.#pool.on("error", (error) => {
      options.logger?.warn({ err: error.message }, "idle database connection lost");
    });
  }

  /** Runs pending migrations once; after a failure, the next call tries again. */
  migrate(): Promise<void> {
    this.#migrated ??= (async () => {
      // its own connection, without the pool's per-query bounds: migrations may wait for
      // another replica's lock and build indexes for longer than any request may take
      const client = new pg.Client({
        connectionString: this.#options.connectionString,
        connectionTimeoutMillis: this.#options.timeoutMs,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        application_name: "agent-migrations",
      });
      // a connection dying mid-migration fails the running query; without a listener the
      // error event would also crash the process
      client.on("error", () => undefined);
      try {
        await client.connect();
        await migrate(client, MIGRATIONS, this.#options.logger);
      } catch (error) {
        throw toStoreError(error);
      } finally {
        // not awaited: ending a connection to a vanished server can wait on TCP timeouts
        client.end().catch(() => undefined);
      }
    })().catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  startListening(): ChangeListener {
    this.#changes ??= startChangeListener({
      clientConfig: {
        connectionString: this.#options.connectionString,
        connectionTimeoutMillis: this.#options.timeoutMs,
        keepAlive: true,
        application_name: "agent-listener",
      },
      channels: [TASKS_CHANNEL, DELTAS_CHANNEL],
      logger: this.#options.logger,
      onPayload: (channel, payload) => {
        // one at a time, so listeners see a task's changes and text in commit order
        this.#dispatch = this.#dispatch.then(() =>
          channel === DELTAS_CHANNEL ? this.#deliverDeltas(payload) : this.#deliver(payload),
        );
      },
    });
    return this.#changes;
  }

  #deliverDeltas(payload: string): void {
    let deltas: TaskDelta[];
    try {
      deltas = unpackDeltas(payload);
    } catch (error) {
      this.#options.logger?.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "could not read a task delta notification",
      );
      return;
    }
    for (const delta of deltas) this.#deltas.publish(delta);
  }

  async #deliver(payload: string): Promise<void> {
    if (this.#listeners.size === 0) return;
    let task: Task | undefined;
    try {
      const row = JSON.parse(payload) as TaskRow & { truncated?: boolean };
      task = row.truncated ? await this.get(row.id) : toTask(row);
    } catch (error) {
      this.#options.logger?.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "could not read a task change notification",
      );
      return;
    }
    if (!task) return;
    for (const listener of this.#listeners) {
      try {
        listener(task);
      } catch (error) {
        this.#options.logger?.error(
          { err: error instanceof Error ? error.message : String(error) },
          "task change listener threw",
        );
      }
    }
  }

  /** One deadline for the whole operation, however many statements it takes. */
  #bounded<T>(work: (query: Query) => Promise<T>): Promise<T> {
    return withDeadline(this.#options.timeoutMs, async () => {
      await this.migrate();
      return work(async (text, values = []) => (await this.#pool.query(text, values)).rows);
    });
  }

  #query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return this.#bounded((query) => query<R>(text, values));
  }

  async create(input: NewTask): Promise<Task> {
    const [row] = await this.#query<TaskRow>(
      `insert into tasks (id, title, description) values ($1, $2, $3) returning ${COLUMNS}`,
      [uuidv7(), input.title, input.description ?? null],
    );
    return toTask(row as TaskRow);
  }

  async get(id: string): Promise<Task | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.#query<TaskRow>(`select ${COLUMNS} from tasks where id = $1`, [id]);
    return row && toTask(row);
  }

  async list(query: ListQuery): Promise<TaskPage> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.status !== undefined) {
      values.push(query.status);
      conditions.push(`status = $${values.length}`);
    }
    if (query.cursor !== undefined) {
      const position = decodeCursor(query.cursor);
      if (!position || !isUuid(position.id)) {
        throw new InvalidCursorError("cursor is not one this server returned as next_cursor");
      }
      values.push(position.createdAt, position.id);
      conditions.push(
        `(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`,
      );
    }
    values.push(query.limit + 1);
    const where = conditions.length > 0 ? `where ${conditions.join(" and ")}` : "";
    const rows = await this.#query<TaskRow>(
      `select ${COLUMNS} from tasks ${where} order by created_at desc, id desc limit $${values.length}`,
      values,
    );
    const items = rows.slice(0, query.limit).map(toTask);
    const last = items.at(-1);
    const next_cursor =
      rows.length > query.limit && last
        ? encodeCursor({ createdAt: last.created_at, id: last.id })
        : null;
    return { items, next_cursor };
  }

  async transition(id: string, to: TaskStatus): Promise<TransitionResult> {
    if (!isUuid(id)) return { ok: false, reason: "not_found" };
    return this.#bounded(async (query) => {
      const [row] = await query<TaskRow>(
        `update tasks set status = $2, updated_at = ${NOW}, lease_owner = null, lease_until = null
         where id = $1 and status = any($3::text[]) returning ${COLUMNS}`,
        [id, to, PREDECESSORS[to]],
      );
      if (row) return { ok: true, task: toTask(row) };
      // lost the race or never allowed: report the status as it is now (a new snapshot)
      const [current] = await query<{ status: TaskStatus }>(
        "select status from tasks where id = $1",
        [id],
      );
      return current
        ? { ok: false, reason: "conflict", current: current.status }
        : { ok: false, reason: "not_found" };
    });
  }

  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.#query("delete from tasks where id = $1 returning id", [id]);
    return rows.length > 0;
  }

  async claim(options: ClaimOptions): Promise<Task[]> {
    const rows = await this.#query<TaskRow>(
      `with due as (
         select id from tasks
         where (status = 'created' and (run_after is null or run_after <= clock_timestamp()))
            or (status = 'running' and lease_until < clock_timestamp())
         order by created_at, id
         limit $2
         for update skip locked
       )
       update tasks t
       set status = 'running', attempts = t.attempts + 1, lease_owner = $1,
           lease_until = clock_timestamp() + $3::double precision * interval '1 millisecond',
           run_after = null, updated_at = ${NOW}
       from due where t.id = due.id
       returning ${COLUMNS.split(", ")
         .map((column) => `t.${column}`)
         .join(", ")}`,
      [options.owner, options.limit, options.leaseMs],
    );
    return rows
      .map(toTask)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.#query(
      `update tasks set lease_until = clock_timestamp() + $3::double precision * interval '1 millisecond'
       where id = $1 and status = 'running' and lease_owner = $2 returning id`,
      [id, owner, leaseMs],
    );
    return rows.length > 0;
  }

  async complete(id: string, owner: string, result: unknown): Promise<Task | undefined> {
    if (!isUuid(id)) return undefined;
    await this.#deltaSender.sent();
    const [row] = await this.#query<TaskRow>(
      `update tasks set status = 'completed', result = $3::jsonb, error = null,
         lease_owner = null, lease_until = null, updated_at = ${NOW}
       where id = $1 and status = 'running' and lease_owner = $2 returning ${COLUMNS}`,
      [id, owner, toJson(result)],
    );
    return row && toTask(row);
  }

  async fail(
    id: string,
    owner: string,
    error: string,
    options?: { retryAt?: Date },
  ): Promise<Task | undefined> {
    if (!isUuid(id)) return undefined;
    await this.#deltaSender.sent();
    const retryAt = options?.retryAt;
    const [row] = await this.#query<TaskRow>(
      `update tasks set status = $4, error = $3, run_after = $5,
         lease_owner = null, lease_until = null, updated_at = ${NOW}
       where id = $1 and status = 'running' and lease_owner = $2 returning ${COLUMNS}`,
      [id, owner, error, retryAt ? "created" : "failed", retryAt ?? null],
    );
    return row && toTask(row);
  }

  async release(id: string, owner: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    await this.#deltaSender.sent();
    const rows = await this.#query(
      `update tasks set status = 'created', lease_owner = null, lease_until = null, updated_at = ${NOW}
       where id = $1 and status = 'running' and lease_owner = $2 returning id`,
      [id, owner],
    );
    return rows.length > 0;
  }

  subscribe(listener: (task: Task) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  publishDelta(delta: TaskDelta): void {
    this.#deltaSender.publish(delta);
  }

  subscribeDeltas(id: string, listener: (delta: TaskDelta) => void): () => void {
    return this.#deltas.subscribe(id, listener);
  }

  async check(): Promise<void> {
    await this.#query("select 1");
  }

  /** Bounded like every operation: a vanished server must not hold up shutdown. */
  async close(): Promise<void> {
    this.#listeners.clear();
    const closing = Promise.all([
      this.#changes?.close(),
      // text still on its way goes out first
      this.#deltaSender.sent().then(() => this.#pool.end().catch(() => undefined)),
    ]);
    await withDeadline(this.#options.timeoutMs, () => closing).catch(() => undefined);
  }
}

/**
 * Connects, runs pending migrations and starts listening for changes. When the database is
 * unreachable (or still migrating elsewhere) at start, the store is returned after one timeout
 * anyway, so the server can listen: check() fails (readiness 503) and the migrations complete
 * on a later operation that reaches the database.
 */
export async function createPostgresTaskStore(options: PostgresStoreOptions): Promise<TaskStore> {
  const store = new PostgresTaskStore(options);
  const listener = store.startListening();
  try {
    await withDeadline(options.timeoutMs, () => store.migrate());
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) {
      await store.close();
      throw error;
    }
    options.logger?.warn({ err: error.message }, "database unreachable at start; will retry");
    return store;
  }
  // subscribers from the first request on should not miss changes
  await listener.waitUntilListening(options.timeoutMs);
  return store;
}

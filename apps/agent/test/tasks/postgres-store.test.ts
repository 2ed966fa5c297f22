import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/tasks/migrations/index.ts";
import { migrate } from "../../src/tasks/postgres-migrate.ts";
import {
  createPostgresTaskStore,
  type PostgresStoreOptions,
} from "../../src/tasks/postgres-store.ts";
import {
  InvalidCursorError,
  StoreDataError,
  StoreUnavailableError,
  type Task,
  type TaskStore,
} from "../../src/tasks/store.ts";
import { createDatabaseOn, createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { describeTaskStoreContract, eventually } from "./store-contract.ts";

let database: TestDatabase;
let admin: pg.Pool;
const extraDatabases: TestDatabase[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await admin?.end();
  await Promise.all(extraDatabases.map((extra) => extra.drop()));
  await database?.drop();
});

function options(overrides: Partial<PostgresStoreOptions> = {}): PostgresStoreOptions {
  return { connectionString: database.url, poolMax: 10, timeoutMs: 5_000, ...overrides };
}

/** A second database on the same server, for tests that need one untouched by migrations. */
async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = new URL(database.url);
  serverUrl.pathname = "/postgres";
  const extra = await createDatabaseOn(serverUrl.toString());
  extraDatabases.push(extra);
  return extra;
}

function recordingLogger() {
  const lines: Array<{ level: string; msg: string | undefined; obj: object }> = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, msg, obj });
    };
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

describeTaskStoreContract("postgres", async () => {
  const store = await createPostgresTaskStore(options());
  await admin.query("truncate tasks");
  return store;
});

describe("PostgreSQL task store", () => {
  it("shares tasks, claims and changes between processes using one database", async () => {
    const a = await createPostgresTaskStore(options());
    const b = await createPostgresTaskStore(options());
    try {
      const seenByB: Task[] = [];
      b.subscribe((task) => seenByB.push(task));
      const task = await a.create({ title: "made by A" });
      expect(await b.get(task.id)).toEqual(task);
      await a.transition(task.id, "running");
      await eventually(() =>
        expect(seenByB.filter((t) => t.id === task.id).map((t) => t.status)).toEqual([
          "created",
          "running",
        ]),
      );

      const batch = await Promise.all(
        Array.from({ length: 40 }, (_, i) => a.create({ title: `job ${i}` })),
      );
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? a : b).claim({ owner: `r${i}`, limit: 10, leaseMs: 30_000 }),
        ),
      );
      const claimed = claims.flat().map((t) => t.id);
      const mine = new Set(batch.map((t) => t.id));
      expect(claimed.filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
      expect(new Set(claimed).size).toBe(claimed.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("carries deltas to the other processes in order, long ones in pieces, before the task's completion", async () => {
    const worker = await createPostgresTaskStore(options());
    const api = await createPostgresTaskStore(options());
    try {
      await admin.query("truncate tasks");
      const task = await api.create({ title: "streamed elsewhere" });
      const seen: string[] = [];
      api.subscribe((changed) => {
        if (changed.id === task.id && changed.status !== "created") {
          seen.push(`status ${changed.status}`);
        }
      });
      const texts: string[] = [];
      api.subscribeDeltas(task.id, (delta) => {
        seen.push("delta");
        texts.push(delta.text);
      });
      await worker.claim({ owner: "w", limit: 1, leaseMs: 30_000 });
      await eventually(() => expect(seen).toEqual(["status running"]));
      // a burst of small pieces and one far past the notification limit, in multi-byte text
      const published = Array.from({ length: 300 }, (_, n) => `${n} `);
      published.push("ü😀".repeat(5_000), "end");
      for (const text of published) worker.publishDelta({ id: task.id, attempt: 1, text });
      await worker.complete(task.id, "w", { text: published.join("") });
      await eventually(() => expect(seen.at(-1)).toBe("status completed"), 10_000);
      expect(seen.filter((item) => item.startsWith("status"))).toEqual([
        "status running",
        "status completed",
      ]);
      expect(texts.join("")).toBe(published.join(""));
      expect(texts.length).toBeGreaterThan(published.length);
    } finally {
      await Promise.all([worker.close(), api.close()]);
    }
  });

  it("delivers changes too large for a notification by reading the task", async () => {
    const store = await createPostgresTaskStore(options());
    try {
      const events: Task[] = [];
      store.subscribe((task) => events.push(task));
      const task = await store.create({ title: "big answer" });
      await store.claim({ owner: "r", limit: 100, leaseMs: 30_000 });
      const result = { text: "x".repeat(20_000), items: Array.from({ length: 100 }, (_, i) => i) };
      await store.complete(task.id, "r", result);
      await eventually(() => {
        const last = events.filter((t) => t.id === task.id).at(-1);
        expect(last?.status).toBe("completed");
        expect(last?.result).toEqual(result);
      });
    } finally {
      await store.close();
    }
  });

  it("refuses forged cursors with bad times as invalid cursors, not database errors", async () => {
    const store = await createPostgresTaskStore(options());
    try {
      const id = "0190b6d0-0000-7000-8000-000000000000";
      for (const time of ["1", "2026-02-30T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "-1"]) {
        const cursor = Buffer.from(JSON.stringify([time, id])).toString("base64url");
        await expect(store.list({ limit: 5, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      }
      const latest = Buffer.from(JSON.stringify(["9999-12-31T23:59:59.999Z", id])).toString(
        "base64url",
      );
      await expect(store.list({ limit: 5, cursor: latest })).resolves.toMatchObject({
        items: expect.any(Array),
      });
    } finally {
      await store.close();
    }
  });

  it("reports input the database refuses (SQLSTATE class 22) as a data error, not an outage", async () => {
    const store = await createPostgresTaskStore(options());
    try {
      const refused = store.create({ title: "nul \u0000 byte" });
      await expect(refused).rejects.toThrow(/0x00/);
      await expect(refused).rejects.toBeInstanceOf(StoreDataError);
      const task = await store.create({ title: "half an emoji" });
      const claimed = await store.claim({ owner: "me", limit: 1000, leaseMs: 60_000 });
      expect(claimed.map((each) => each.id)).toContain(task.id);
      // jsonb refuses an unpaired surrogate: the database's reason comes through
      const half = store.complete(task.id, "me", { summary: "\uD83D" });
      await expect(half).rejects.toBeInstanceOf(StoreDataError);
      await expect(half).rejects.toThrow(
        /the task database refused a value: invalid input syntax for type json/,
      );
      expect(await store.get(task.id)).toMatchObject({ status: "running", result: null });
      await expect(store.check()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("gives up on a statement stuck behind a lock after the timeout, then serves again", async () => {
    const store = await createPostgresTaskStore(options({ timeoutMs: 300 }));
    const task = await store.create({ title: "locked" });
    const blocker = await admin.connect();
    try {
      await blocker.query("begin");
      await blocker.query("select id from tasks where id = $1 for update", [task.id]);
      const started = performance.now();
      await expect(store.transition(task.id, "running")).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(performance.now() - started).toBeLessThan(300 + 750);
      await blocker.query("rollback");
      // the caller was told "unavailable" at its deadline; on a loaded machine the server may
      // still apply the statement once the lock is gone, before its own timeout cancels it
      const again = await store.transition(task.id, "running");
      expect(again.ok || (again.reason === "conflict" && again.current === "running")).toBe(true);
      expect((await store.get(task.id))?.status).toBe("running");
    } finally {
      blocker.release();
      await store.close();
    }
  });

  it("rejects every operation after close as unavailable", async () => {
    const store = await createPostgresTaskStore(options());
    await store.close();
    await expect(store.check()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.create({ title: "late" })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe("migrations", () => {
  it("migrate once when replicas start together", async () => {
    const fresh = await freshDatabase();
    const loggers = Array.from({ length: 4 }, recordingLogger);
    const stores: TaskStore[] = await Promise.all(
      loggers.map((logger) =>
        createPostgresTaskStore(options({ connectionString: fresh.url, logger })),
      ),
    );
    try {
      const applied = loggers.flatMap((logger) =>
        logger.lines.filter((line) => line.msg === "migration applied"),
      );
      expect(applied).toHaveLength(MIGRATIONS.length);
      expect(applied.map((line) => line.obj)).toEqual(
        MIGRATIONS.map(({ version, name }) => ({ migration: version, name })),
      );
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const { rows } = await client.query(
        "select version, name from schema_migrations order by version",
      );
      await client.end();
      expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
      const task = await stores[0]!.create({ title: "after migration" });
      expect(await stores[3]!.get(task.id)).toEqual(task);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it("leaves nothing behind from a failing migration and names it", async () => {
    const fresh = await freshDatabase();
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    try {
      const broken = [
        ...MIGRATIONS,
        {
          version: 999,
          name: "broken",
          sql: "create table half_done (id int); select no_such_column from tasks",
        },
      ];
      await expect(migrate(client, broken)).rejects.toThrow(
        /^Database migration 999 \(broken\) failed: column "no_such_column" does not exist/,
      );
      const { rows } = await client.query(
        "select to_regclass('half_done') as half, (select max(version) from schema_migrations) as latest",
      );
      expect(rows).toEqual([{ half: null, latest: MIGRATIONS.at(-1)?.version }]);
      // the advisory lock was released: a later run gets it at once
      await expect(migrate(client, MIGRATIONS)).resolves.toEqual([]);
    } finally {
      await client.end();
    }
  });

  it("runs against a database a newer release already migrated, with a warning", async () => {
    const fresh = await freshDatabase();
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    await migrate(client, MIGRATIONS);
    await client.query(
      "insert into schema_migrations (version, name) values (9999, 'from the future')",
    );
    await client.end();
    const logger = recordingLogger();
    const store = await createPostgresTaskStore(options({ connectionString: fresh.url, logger }));
    try {
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: "warn", obj: { versions: [9999] } }),
      );
      await expect(store.check()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("refuses to start when a migration fails, with the reason", async () => {
    const fresh = await freshDatabase();
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    // a table in the way of the first migration
    await client.query("create table tasks (id int)");
    await client.end();
    await expect(createPostgresTaskStore(options({ connectionString: fresh.url }))).rejects.toThrow(
      /Database migration 1 \(create tasks\) failed: relation "tasks" already exists/,
    );
  });
});

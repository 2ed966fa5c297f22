import type pg from "pg";
import type { Migration } from "./migrations/index.ts";
import { MigrationError, toStoreError } from "./postgres-errors.ts";
import { StoreUnavailableError } from "./store.ts";

/** Any fixed number works; every replica must use the same one. */
const MIGRATION_LOCK_KEY = 727_100_001;

export interface MigrationLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock:
 * when replicas start together, one migrates while the others wait, then find nothing to do.
 * The lock goes with the session, so a replica dying mid-migration frees it.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: readonly Migration[],
  logger?: MigrationLogger,
): Promise<number[]> {
  await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  try {
    await client.query(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: number }>(
      "select version from schema_migrations order by version",
    );
    const applied = new Set(rows.map((row) => row.version));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...applied].filter((version) => !known.has(version));
    if (unknown.length > 0) {
      // a newer release migrated this database; this code must still run against it
      logger?.warn(
        { versions: unknown },
        "database has migrations this release does not know; continuing",
      );
    }
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query("begin");
      try {
        await client.query(migration.sql);
        await client.query("insert into schema_migrations (version, name) values ($1, $2)", [
          migration.version,
          migration.name,
        ]);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        const mapped = toStoreError(error);
        if (mapped instanceof StoreUnavailableError) throw mapped;
        throw new MigrationError(
          `Database migration ${migration.version} (${migration.name}) failed: ${mapped.message}. Nothing of it was applied; fix the cause and restart.`,
          { cause: error },
        );
      }
      // `migration`, not `version`: every log line already carries the service's version
      logger?.info({ migration: migration.version, name: migration.name }, "migration applied");
      done.push(migration.version);
    }
    return done;
  } finally {
    await client
      .query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
  }
}

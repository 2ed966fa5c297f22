import type { TaskStore } from "./store.ts";

export interface PostgresStoreOptions {
  connectionString: string;
  poolMax: number;
  timeoutMs: number;
  logger?: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
}

/** Connects, runs pending migrations and returns a TaskStore backed by PostgreSQL. */
export async function createPostgresTaskStore(_options: PostgresStoreOptions): Promise<TaskStore> {
  throw new Error("The PostgreSQL task store is not available yet: unset DATABASE_URL.");
}

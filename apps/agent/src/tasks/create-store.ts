import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { MemoryTaskStore } from "./memory-store.ts";
import type { TaskStore } from "./store.ts";

/**
 * PostgreSQL when DATABASE_URL is set, otherwise the in-memory store. The PostgreSQL
 * driver is loaded only when used, so the default start stays small and fast.
 */
export async function createStore(
  config: Pick<Config, "databaseUrl" | "databasePoolMax" | "databaseTimeoutMs">,
  logger: Logger,
): Promise<TaskStore> {
  if (config.databaseUrl === undefined) {
    logger.info({ store: "memory" }, "using the in-memory task store (tasks are lost on restart)");
    return new MemoryTaskStore();
  }
  const { createPostgresTaskStore } = await import("./postgres-store.ts");
  const store = await createPostgresTaskStore({
    connectionString: config.databaseUrl,
    poolMax: config.databasePoolMax,
    timeoutMs: config.databaseTimeoutMs,
    logger,
  });
  logger.info({ store: "postgres" }, "using the PostgreSQL task store");
  return store;
}

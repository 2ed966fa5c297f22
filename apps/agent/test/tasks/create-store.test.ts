import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { createStore } from "../../src/tasks/create-store.ts";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";

const fake = vi.hoisted(() => ({ options: undefined as unknown }));
vi.mock("../../src/tasks/postgres-store.ts", () => ({
  createPostgresTaskStore: async (options: unknown) => {
    fake.options = options;
    return { kind: "postgres", close: async () => {} };
  },
}));

const logger = pino({ level: "silent" });
const base = { databasePoolMax: 4, databaseTimeoutMs: 1500 };

describe("createStore", () => {
  it("uses the in-memory store without DATABASE_URL", async () => {
    const store = await createStore({ ...base, databaseUrl: undefined }, logger);
    expect(store).toBeInstanceOf(MemoryTaskStore);
    expect(store.kind).toBe("memory");
  });

  it("loads the PostgreSQL store with the pool and timeout settings when DATABASE_URL is set", async () => {
    const url = "postgres://agent:pw@127.0.0.1:5432/agent";
    const store = await createStore({ ...base, databaseUrl: url }, logger);
    expect(store.kind).toBe("postgres");
    expect(fake.options).toEqual({ connectionString: url, poolMax: 4, timeoutMs: 1500, logger });
  });
});

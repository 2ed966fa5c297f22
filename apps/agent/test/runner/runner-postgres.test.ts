import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { createPostgresTaskStore } from "../../src/tasks/postgres-store.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { describeRunner } from "./runner-contract.ts";

let database: TestDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

describeRunner("postgres", async () => {
  const store = await createPostgresTaskStore({
    connectionString: database.url,
    poolMax: 10,
    timeoutMs: 5_000,
  });
  await admin.query("truncate tasks");
  return store;
});

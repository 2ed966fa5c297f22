/**
 * The database going away and coming back. These tests stop and start a server of their own
 * (never the one other test files share).
 */
import { createServer, type Server, type Socket } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readiness } from "../../src/platform/readiness.ts";
import {
  createPostgresTaskStore,
  type PostgresStoreOptions,
} from "../../src/tasks/postgres-store.ts";
import { StoreUnavailableError, type Task, type TaskStore } from "../../src/tasks/store.ts";
import { createDatabaseOn, type PostgresServer, startPostgresServer } from "../support/postgres.ts";
import { eventually } from "./store-contract.ts";

const TIMEOUT_MS = 1_000;
/** Scheduling slack on a busy 2-core machine on top of the configured bound. */
const SLACK_MS = 750;

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgresServer({ durable: true });
});

afterAll(async () => {
  await server?.destroy();
});

function quietLogger() {
  const lines: string[] = [];
  const at = (obj: object, msg?: string) => {
    lines.push(`${msg ?? ""} ${JSON.stringify(obj)}`);
  };
  return { lines, info: at, warn: at, error: at };
}

async function openStore(url: string, overrides: Partial<PostgresStoreOptions> = {}) {
  const logger = quietLogger();
  const store = await createPostgresTaskStore({
    connectionString: url,
    poolMax: 4,
    timeoutMs: TIMEOUT_MS,
    logger,
    ...overrides,
  });
  return { store, logger };
}

/** Rejects with StoreUnavailableError, and within the configured timeout. */
async function expectUnavailable(
  operation: Promise<unknown>,
  timeoutMs = TIMEOUT_MS,
): Promise<void> {
  const started = performance.now();
  await expect(operation).rejects.toBeInstanceOf(StoreUnavailableError);
  expect(performance.now() - started).toBeLessThan(timeoutMs + SLACK_MS);
}

async function waitUntilServing(store: TaskStore, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await store.check();
      return performance.now() - started;
    } catch (error) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      if (performance.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe("database outage", () => {
  it.each(["fast", "immediate"] as const)(
    "answers unavailable while the database is down (%s shutdown), recovers after, loses nothing acknowledged",
    async (mode) => {
      const database = await createDatabaseOn(server.adminUrl);
      const { store, logger } = await openStore(database.url);
      const events: Task[] = [];
      store.subscribe((task) => events.push(task));
      try {
        // writers keep going while the database dies under them
        const acknowledged: Task[] = [];
        let writing = true;
        const writers = Array.from({ length: 4 }, async (_, w) => {
          let n = 0;
          while (writing) {
            try {
              acknowledged.push(await store.create({ title: `writer ${w} task ${n++}` }));
            } catch (error) {
              expect(error).toBeInstanceOf(StoreUnavailableError);
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          }
        });
        await eventually(() => expect(acknowledged.length).toBeGreaterThan(20));
        await server.stop(mode);
        const ackedBeforeRestart = acknowledged.length;

        await expectUnavailable(store.check());
        await expectUnavailable(store.create({ title: "while down" }));
        await expectUnavailable(store.get(acknowledged[0]?.id ?? ""));
        await expectUnavailable(store.list({ limit: 10 }));
        await expectUnavailable(store.transition(acknowledged[0]?.id ?? "", "running"));
        await expectUnavailable(store.claim({ owner: "r", limit: 1, leaseMs: 1_000 }));

        await server.start();
        const recoveryMs = await waitUntilServing(store);
        expect(recoveryMs).toBeLessThan(5_000);
        writing = false;
        await Promise.all(writers);
        expect(acknowledged.length).toBeGreaterThanOrEqual(ackedBeforeRestart);

        // every task acknowledged before, during and after the outage is there
        for (const task of acknowledged) expect(await store.get(task.id)).toEqual(task);

        // changes flow to subscribers again once the listener has reconnected
        await eventually(async () => {
          const probe = await store.create({ title: "after the outage" });
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(events.some((task) => task.id === probe.id)).toBe(true);
        }, 5_000);
        expect(logger.lines.some((line) => line.includes("listener lost the database"))).toBe(true);
        expect(logger.lines.some((line) => line.includes("listener reconnected"))).toBe(true);
      } finally {
        await store.close();
        await database.drop();
      }
    },
    30_000,
  );

  it("starts while the database is down, then migrates and serves once it is up", async () => {
    const database = await createDatabaseOn(server.adminUrl);
    await server.stop();
    try {
      const started = performance.now();
      const { store, logger } = await openStore(database.url);
      try {
        // one timeout at most, so the server listens (and /health answers) soon
        expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
        expect(logger.lines.some((line) => line.startsWith("database unreachable at start"))).toBe(
          true,
        );
        await expectUnavailable(store.check());
        await expectUnavailable(store.create({ title: "too early" }));
        // /ready names the cause once, not wrapped in a second "unavailable"
        const readiness = new Readiness({
          store,
          logger: pino({ level: "silent" }),
          checkIntervalMs: 0,
          checkTimeoutMs: TIMEOUT_MS * 2,
          started: true,
        });
        const { checks } = await readiness.report();
        expect(checks.store.message).toMatch(
          /^the postgres task store is unreachable: (connect ECONNREFUSED \S+|no answer within \d+ ms)$/,
        );

        await server.start();
        await waitUntilServing(store);
        const task = await store.create({ title: "first task" });
        expect(await store.get(task.id)).toEqual(task);
      } finally {
        await store.close();
      }
    } finally {
      await server.start().catch(() => undefined);
      await database.drop();
    }
  }, 30_000);
});

describe("a database that accepts connections but never answers", () => {
  let blackhole: Server;
  const sockets = new Set<Socket>();
  let url: string;

  beforeAll(async () => {
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const address = blackhole.address();
    if (typeof address !== "object" || !address) throw new Error("no blackhole address");
    url = `postgres://nobody:secret@127.0.0.1:${address.port}/nothing`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  });

  it("bounds the start and every operation by the timeout, even with the pool exhausted", async () => {
    const timeoutMs = 300;
    const started = performance.now();
    const { store } = await openStore(url, { timeoutMs, poolMax: 2 });
    try {
      expect(performance.now() - started).toBeLessThan(timeoutMs + SLACK_MS);
      await expectUnavailable(store.check(), timeoutMs);
      // ten callers on a pool of two: the queued ones are bounded as well
      const burst = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.create({ title: `queued ${i}` })),
      );
      expect(performance.now() - burst).toBeLessThan(timeoutMs + SLACK_MS);
      for (const result of results) {
        expect(result.status).toBe("rejected");
        expect(result.status === "rejected" && result.reason).toBeInstanceOf(StoreUnavailableError);
      }
    } finally {
      await store.close();
    }
  });
});

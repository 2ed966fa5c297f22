/**
 * The agent generator end to end, in a temporary copy of this repository (never the real
 * tree): `pnpm gen agent --args <name> "<description>" <port>` (the installed @turbo/gen, as
 * `pnpm turbo gen` runs it), then `gitops verify` passes with every app, CI's affected-app
 * script picks exactly the new app for a change to it, the Dockerfile's packaging script builds
 * it into a directory it starts from, and, with a second agent of a long name and a new
 * environment (gitops/README.md's "Add an environment") both in the copy, the whole
 * repository's `turbo run lint typecheck test` stays green, as CI runs it: one run for both
 * (the first app's own suite aside, see that step).
 * Heavy (an install, the monorepo's suites, a packaging run): each step is bounded.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSource } from "../src/generate/generate.ts";
import { agentNames, declaredPort, suggestPort } from "../src/generate/names.ts";
import { copyRepo, git, REPO_ROOT } from "./support/repo.ts";

/** The first of the names that no app of the repository has yet. */
const unused = (...names: string[]) =>
  names.find((name) => !existsSync(join(REPO_ROOT, "apps", name))) as string;
const NAME = unused("billing-bot", "billing-bot-e2e", "e2e-billing-bot");
const SPARE = unused("notes-bot", "notes-bot-e2e", "e2e-notes-bot");
// Longer than the example's name: every renamed line grows (Biome's line width).
const LONG = unused(
  "billing-and-invoicing-reconciliation-assistant",
  "billing-and-invoicing-reconciliation-helper-e2e",
);
const PKG = `@repo/${NAME}`;
const DESCRIPTION = "Bills customers for the work of other agents";

let copy: string;
let port: number;
/** The app the generator copies, and its port. */
let source: string;
let sourcePort: number;
const cleanup: string[] = [];
let server: ChildProcess | undefined;

// Installs come from the pnpm store only: no network in tests. INIT_CWD (set by pnpm when it
// runs this suite) would point the repository commands at the real tree: unset it.
const { INIT_CWD: _initCwd, ...inherited } = process.env;
const env = { ...inherited, pnpm_config_offline: "true", CI: "true", FORCE_COLOR: "0" };

function run(
  command: string,
  args: string[],
  options: { timeout: number; env?: NodeJS.ProcessEnv },
) {
  const result = spawnSync(command, args, {
    cwd: copy,
    encoding: "utf8",
    env: options.env ?? env,
    timeout: options.timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    output: `${result.stdout}${result.stderr}`,
    error: result.error,
  };
}

/** What `pnpm turbo gen agent --args ...` runs: the @turbo/gen CLI, here the locally installed one. */
function turboGen(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return run(
    process.execPath,
    [join(copy, "node_modules/@turbo/gen/dist/cli.js"), "run", "agent", "--args", ...args],
    { timeout: 180_000, env: { ...env, ...extraEnv } },
  );
}

/** `pnpm gen ...` in the copy: the root script, Node check included. */
function pnpmGen(args: string[]) {
  return run("pnpm", ["gen", "agent", "--args", ...args], {
    timeout: 180_000,
    env: { ...env, GEN_SKIP_INSTALL: "1" },
  });
}

/**
 * What CI runs: lint, typecheck and test of every package but this one (whose suite would run
 * this test again; its files are the real tree's, which no fork here changes) and those of
 * `skipped`, all of them even after a failure so the output names every one. turbo shares this
 * repository's cache: a task whose inputs the copy did not change replays instead of running
 * twice. Returns the tasks run.
 */
function turboLintTypecheckTest(skipped: string[]): string[] {
  const turbo = join(copy, "node_modules/.bin/turbo");
  const tasks = [
    "run",
    "lint",
    "typecheck",
    "test",
    "--filter=!@repo/setup-repo",
    ...skipped.map((name) => `--filter=!${name}`),
  ];
  const planned = run(turbo, [...tasks, "--dry=json"], { timeout: 120_000 });
  expect(planned.status, planned.output.slice(-4000)).toBe(0);
  const plan = JSON.parse(planned.stdout) as {
    tasks: { taskId: string; command: string }[];
  };
  const shared = [`--cache-dir=${join(REPO_ROOT, ".turbo/cache")}`, "--continue=always"];
  const result = run(turbo, [...tasks, "--concurrency=2", ...shared, "--output-logs=errors-only"], {
    timeout: 2_100_000,
  });
  expect(result.status, result.output.slice(-12000)).toBe(0);
  return plan.tasks.filter((task) => task.command !== "<NONEXISTENT>").map((task) => task.taskId);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

beforeAll(() => {
  copy = copyRepo("setup-repo-gen-e2e-");
  cleanup.push(copy);
  // The copy stays 0700 (mkdtemp), as a checkout under /root is: as root the PostgreSQL test
  // support must run the server from binaries that user postgres can reach.
  const install = run("pnpm", ["install", "--no-frozen-lockfile"], { timeout: 240_000 });
  if (install.status !== 0) throw new Error(`pnpm install in the copy failed:\n${install.output}`);
  port = suggestPort(copy);
  source = defaultSource(copy);
  sourcePort = declaredPort(copy, source) as number;
}, 300_000);

afterAll(() => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe("turbo gen agent, non-interactive", () => {
  it("refuses a bad name, a taken name and a taken port with a clear message and exit 1, creating nothing", () => {
    const bad = pnpmGen(["Billing_Bot", DESCRIPTION, String(port)]);
    expect(bad.status).toBe(1);
    expect(bad.output).toContain('"Billing_Bot" is not a valid agent name: use lower-case letters');
    const taken = pnpmGen([source, DESCRIPTION, String(port)]);
    expect(taken.status).toBe(1);
    expect(taken.output).toContain(`"${source}" already exists (apps/${source})`);
    const busy = pnpmGen([NAME, DESCRIPTION, String(sourcePort)]);
    expect(busy.status).toBe(1);
    expect(busy.output).toContain(`Port ${sourcePort} is already ${source}'s`);
    expect(git(copy, "status", "--porcelain")).toBe("");
  }, 240_000);

  it("without a terminal, a missing answer is one line saying how to pass it", () => {
    const result = pnpmGen([NAME, DESCRIPTION]);
    expect(result.status).toBe(1);
    expect(result.output).toContain(
      `No port given, and no terminal to ask for it on: pass all three answers, e.g. pnpm gen agent --args billing-bot "Bills customers for agent work" ${port}.`,
    );
    expect(result.output).not.toMatch(/ERR_USE_AFTER_CLOSE|\n\s+at /);
    expect(git(copy, "status", "--porcelain")).toBe("");
  }, 120_000);

  it("with GEN_SKIP_INSTALL=1, creates the app unlinked and says to run pnpm install", () => {
    const result = turboGen([SPARE, "Takes notes", String(port)], { GEN_SKIP_INSTALL: "1" });
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain("pnpm install   (links the new package into the workspace)");
    expect(existsSync(join(copy, `apps/${SPARE}/package.json`))).toBe(true);
    expect(existsSync(join(copy, `apps/${SPARE}/node_modules`))).toBe(false);
    expect(readFileSync(join(copy, "pnpm-lock.yaml"), "utf8")).not.toContain(`apps/${SPARE}:`);
    // Back to the committed state for the next steps (this is the temporary copy).
    git(copy, "checkout", "--", ".");
    git(copy, "clean", "-fdq", "--", `apps/${SPARE}`, `gitops/apps/${SPARE}`);
  }, 120_000);

  it("creates apps/<name> and its gitops tree, then installs and links the package", () => {
    const result = turboGen([NAME, DESCRIPTION, String(port)]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(
      `Created apps/${NAME} (${PKG}, port ${port}) and gitops/apps/${NAME} (base, overlays dev, production, staging)`,
    );
    expect(result.output).not.toContain("pnpm install   (links");
    const manifest = JSON.parse(readFileSync(join(copy, `apps/${NAME}/package.json`), "utf8"));
    expect(manifest).toMatchObject({ name: PKG, version: "0.1.0", description: DESCRIPTION });
    expect(existsSync(join(copy, `apps/${NAME}/node_modules/@repo/vitest-config`))).toBe(true);
    expect(readFileSync(join(copy, "pnpm-lock.yaml"), "utf8")).toContain(`apps/${NAME}:`);
    if (existsSync(join(copy, `apps/${source}/README.md`))) {
      expect(readFileSync(join(copy, `apps/${NAME}/README.md`), "utf8")).toMatch(
        new RegExp(`^# ${PKG}\n\n${DESCRIPTION}\n`),
      );
    }
    for (const env of ["dev", "staging", "production"]) {
      expect(
        readFileSync(join(copy, `gitops/apps/${NAME}/overlays/${env}/kustomization.yaml`), "utf8"),
      ).toMatch(new RegExp(`^namespace: ${NAME}-${env}$`, "m"));
    }
    // dev runs no tag of the example's builds: none of them is an image of the new app
    expect(
      readFileSync(join(copy, `gitops/apps/${NAME}/overlays/dev/kustomization.yaml`), "utf8"),
    ).toMatch(/^ {4}newTag: not-built-yet$/m);
    git(copy, "add", "-A");
    git(copy, "commit", "-q", "-m", `Add ${NAME}`);
  }, 300_000);

  it("passes gitops verify with both apps", () => {
    const verify = run(process.execPath, ["packages/gitops/bin/gitops.mjs", "verify"], {
      timeout: 120_000,
      env: { ...env, INIT_CWD: copy },
    });
    expect(verify.status, verify.output).toBe(0);
    for (const target of [
      `${source}/dev`,
      `${NAME}/dev`,
      `${NAME}/staging`,
      `${NAME}/production`,
    ]) {
      expect(verify.output).toContain(target);
    }
  }, 150_000);

  it("ships on the first push: its dev overlay names no source commit yet", () => {
    // CI ships each app whose dev overlay's Source-Commit is unknown or older than its last
    // change (scripts/affected-apps.ts; the cases are in packages/repo-checks/test/ci-scripts.test.ts).
    const result = spawnSync(process.execPath, ["scripts/affected-apps.ts", "HEAD"], {
      cwd: copy,
      encoding: "utf8",
      env,
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim()) as string[]).toContain(NAME);
    expect(result.stderr).toContain(`${NAME}: ship`);
  }, 300_000);

  it("is packaged by the Dockerfile's shared steps and starts from the result", async () => {
    const out = mkdtempSync(join(tmpdir(), "setup-repo-gen-out-"));
    cleanup.push(out);
    const target = join(out, "app");
    const pack = run("sh", ["scripts/package-app.sh", "all", NAME, target], { timeout: 300_000 });
    expect(pack.status, pack.output.slice(-6000)).toBe(0);
    expect(JSON.parse(readFileSync(join(target, "package.json"), "utf8")).name).toBe(PKG);
    expect(existsSync(join(target, "src"))).toBe(false);

    const listen = await freePort();
    let logs = "";
    server = spawn(process.execPath, ["dist/server.js"], {
      cwd: target,
      env: {
        PATH: process.env.PATH,
        HOST: "127.0.0.1",
        PORT: String(listen),
        NODE_ENV: "production",
      },
    });
    server.stdout?.on("data", (chunk) => {
      logs += chunk;
    });
    server.stderr?.on("data", (chunk) => {
      logs += chunk;
    });
    const base = `http://127.0.0.1:${listen}`;
    const deadline = Date.now() + 30_000;
    let health: Response | undefined;
    while (!health && Date.now() < deadline) {
      if (server.exitCode !== null)
        throw new Error(`the app exited with ${server.exitCode}:\n${logs}`);
      health = await fetch(`${base}/health`).catch(() => undefined);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health?.status, logs).toBe(200);
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as {
      info: { title: string };
    };
    expect(openapi.info.title).toContain(agentNames(NAME).display);
    server.kill("SIGTERM");
    await new Promise((resolve) => server?.once("exit", resolve));
    expect(logs).toContain(`"service":"${NAME}"`);
  }, 360_000);

  it("generates a second agent of a long name", () => {
    const result = turboGen([LONG, "Reconciles invoices with payments", String(port + 1)]);
    expect(result.status, result.output).toBe(0);
    git(copy, "add", "-A");
    git(copy, "commit", "-q", "-m", `Add ${LONG}`);
  }, 300_000);
});

describe("add an environment, as gitops/README.md says", () => {
  it("a qa overlay copied from staging passes gitops verify", () => {
    const qa = join(copy, `gitops/apps/${source}/overlays/qa`);
    cpSync(join(copy, `gitops/apps/${source}/overlays/staging`), qa, { recursive: true });
    const file = join(qa, "kustomization.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/^namespace: .*$/m, `namespace: ${source}-qa`),
    );
    git(copy, "add", "-A");
    git(copy, "commit", "-q", "-m", "Add qa");
    const verify = run(
      process.execPath,
      ["packages/gitops/bin/gitops.mjs", "verify", "--env", "qa"],
      {
        timeout: 120_000,
        env: { ...env, INIT_CWD: copy },
      },
    );
    expect(verify.status, verify.output).toBe(0);
    expect(verify.output).toContain(`${source}/qa`);
  }, 150_000);
});

describe("with the long-named agent and the qa environment both in the copy", () => {
  it("the whole repository passes lint, typecheck and test, in one run that covers both", () => {
    expect(existsSync(join(copy, `apps/${LONG}/package.json`))).toBe(true);
    expect(existsSync(join(copy, `gitops/apps/${source}/overlays/qa/kustomization.yaml`))).toBe(
      true,
    );
    // The first new app stays in the tree, where the gitops and repository checks see it, but
    // its own suite is left out: it is the long-named app's with a shorter name (the long one
    // is the harder case for the formatter), and a third run of the agent's suite in this one
    // would cost CI a minute or more. The first app was generated, verified, packaged and
    // started above.
    const tasks = turboLintTypecheckTest([PKG]);
    // The long-named app is checked like any package; the tests of the gitops tree see qa.
    for (const task of ["lint", "typecheck", "test"])
      expect(tasks).toContain(`@repo/${LONG}#${task}`);
    expect(tasks.filter((task) => task.startsWith(`${PKG}#`))).toEqual([]);
    expect(tasks).toContain("@repo/gitops#test");
    expect(tasks).toContain("@repo/repo-checks#test");
  }, 2_400_000);
});

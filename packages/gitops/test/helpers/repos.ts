/**
 * Temporary git repositories for the gitops command tests: a bare "origin", a seeded history
 * with the gitops tree and a few app commits, and clones that act like CI checkouts.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "@repo/kustomize-ts";
import { afterAll, afterEach, beforeEach } from "vitest";
import { main } from "../../src/cli.ts";

export const IMAGE = "ghcr.io/example-org/agent-gitops-template/agent";
export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;
export const DIGEST_C = `sha256:${"c".repeat(64)}`;

export const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/gitops.mjs");

/** Points git's global config at a file no test writes, so the machine's own config is ignored. */
export const NO_GLOBAL_CONFIG = join(tmpdir(), "gitops-tests-empty-gitconfig");

/** A git environment that ignores the machine's own config. */
export function gitEnv(name = "Test Person", email = "test@example.com"): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_GLOBAL: NO_GLOBAL_CONFIG,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  };
}

export function git(cwd: string, args: string[], env = gitEnv()): string {
  return execFileSync("git", args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  }).trim();
}

export const DEV_KUSTOMIZATION = `# dev: every push to main lands here (CI runs gitops bump).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
  - ../../base # shared manifests

images:
  # The agent image; CI sets newTag and digest.
  - name: ${IMAGE}
    newTag: main-0000000 # first build
replicas:
  - name: agent
    count: 1
`;

function overlay(env: string, replicas: number): string {
  return DEV_KUSTOMIZATION.replace(
    "# dev: every push to main lands here (CI runs gitops bump).",
    `# ${env}: promoted, never bumped by CI.`,
  ).replace("count: 1", `count: ${replicas}`);
}

const BASE_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  replicas: 1
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
        - name: agent
          image: ${IMAGE}:latest
          ports:
            - containerPort: 8000
`;

export interface Fixture {
  dir: string;
  origin: string;
  /** App commits, oldest first, all on main before the gitops tree was last touched. */
  sources: string[];
  clone(name?: string): string;
  cleanup(): void;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

let template: { dir: string; sources: string[] } | undefined;

// One template per test file: removed when the file's tests are done.
afterAll(() => {
  if (template) rmSync(template.dir, { recursive: true, force: true });
  template = undefined;
});

/** Seeds one origin per test process; each test gets a copy of it. */
function seedTemplate(): { dir: string; sources: string[] } {
  if (template) return template;
  const dir = mkdtempSync(join(tmpdir(), "gitops-template-"));
  const origin = join(dir, "origin.git");
  const seed = join(dir, "seed");
  git(dir, ["init", "--quiet", "--bare", "-b", "main", origin]);
  git(dir, ["init", "--quiet", "-b", "main", seed]);
  write(
    seed,
    "gitops/repository.yaml",
    "repository: example-org/agent-gitops-template\nregistry: ghcr.io\n",
  );
  write(seed, "gitops/apps/agent/base/kustomization.yaml", BASE_KUSTOMIZATION);
  write(seed, "gitops/apps/agent/base/deployment.yaml", DEPLOYMENT);
  write(seed, "gitops/apps/agent/overlays/dev/kustomization.yaml", DEV_KUSTOMIZATION);
  write(seed, "gitops/apps/agent/overlays/staging/kustomization.yaml", overlay("staging", 2));
  write(seed, "gitops/apps/agent/overlays/production/kustomization.yaml", overlay("production", 3));
  git(seed, ["add", "-A"]);
  git(seed, ["commit", "--quiet", "-m", "gitops tree"]);
  const sources: string[] = [];
  for (let i = 1; i <= 4; i++) {
    write(seed, "apps/agent/src/version.txt", `${i}\n`);
    git(seed, ["add", "-A"]);
    git(seed, ["commit", "--quiet", "-m", `agent change ${i}`]);
    sources.push(git(seed, ["rev-parse", "HEAD"]));
  }
  git(seed, ["remote", "add", "origin", origin]);
  git(seed, ["push", "--quiet", "origin", "main"]);
  rmSync(seed, { recursive: true, force: true });
  template = { dir, sources };
  return template;
}

export function createFixture(): Fixture {
  const seeded = seedTemplate();
  const dir = mkdtempSync(join(tmpdir(), "gitops-test-"));
  const origin = join(dir, "origin.git");
  cpSync(join(seeded.dir, "origin.git"), origin, { recursive: true });
  const sources = seeded.sources;
  let clones = 0;
  return {
    dir,
    origin,
    sources,
    clone(name = `clone-${++clones}`) {
      const path = join(dir, name);
      git(dir, ["clone", "--quiet", origin, path]);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh fixture for each test of the calling file: created before each test, removed after
 * it. What it returns always answers for the fixture of the test that is running.
 */
export function fixturePerTest(): Fixture {
  let current: Fixture | undefined;
  beforeEach(() => {
    current = createFixture();
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  const now = (): Fixture => {
    if (!current) throw new Error("the fixture exists only while a test runs");
    return current;
  };
  return {
    get dir() {
      return now().dir;
    },
    get origin() {
      return now().origin;
    },
    get sources() {
      return now().sources;
    },
    clone: (name) => now().clone(name),
    cleanup: () => now().cleanup(),
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `gitops bump` of the agent in dev to `tag` built from `source`. */
export function bumpArgs(tag: string, source: string, digest = DIGEST_A): string[] {
  return forAgent(
    "bump",
    "--env",
    "dev",
    "--tag",
    tag,
    "--digest",
    digest,
    "--source-commit",
    source,
  );
}

/** The arguments of `gitops <verb> --app agent <flags...>`. */
export function forAgent(verb: string, ...flags: string[]): string[] {
  return [verb, "--app", "agent", ...flags];
}

/** Runs the CLI in-process, as `pnpm gitops` would from `cwd`. */
export async function gitops(cwd: string, args: string[], env = gitEnv()): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    cwd,
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Runs the CLI as a separate process, for tests that need real concurrency. */
export function gitopsProcess(cwd: string, args: string[], env = gitEnv()): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), "utf8");
}

/** The image the rendered Deployment `agent` of an overlay runs (as Argo CD would apply it). */
export function renderedImage(root: string, kustomization: string): string | undefined {
  const objects = build(join(root, dirname(kustomization))) as {
    kind?: string;
    metadata?: { name?: string };
    spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  }[];
  const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "agent");
  return deployment?.spec?.template?.spec?.containers?.[0]?.image;
}

export const DEV = "gitops/apps/agent/overlays/dev/kustomization.yaml";
export const STAGING = "gitops/apps/agent/overlays/staging/kustomization.yaml";
export const PRODUCTION = "gitops/apps/agent/overlays/production/kustomization.yaml";

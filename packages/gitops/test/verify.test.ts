/** `gitops verify` on this repository's own tree, through the CLI, and its building blocks. */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import {
  formatViolation,
  RULES,
  readRepositoryConfig,
  sameRepoURL,
  verifyRepository,
} from "../src/index.ts";

const REPO = resolve(import.meta.dirname, "../../..");
const scratch = mkdtempSync(join(tmpdir(), "gitops-verify-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
  });
  return { code, stdout, stderr };
}

/**
 * The overlays a tree holds, as `<app>/<env>`: read from the directories, so the tests hold for
 * any apps (the generator) and environments (a copied overlay) a user adds.
 */
function overlaysIn(root: string, env?: string): string[] {
  const apps = join(root, "gitops/apps");
  return directories(apps).flatMap((app) =>
    directories(join(apps, app, "overlays"))
      .filter((name) => env === undefined || name === env)
      .map((name) => `${app}/${name}`),
  );
}

function directories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}

/** The template's own Argo CD configuration, checked with every run. */
const CONFIG_TARGETS = ["argocd", "bootstrap"];

/** A git repository holding a copy of this repository's gitops/ tree. */
function copyRepository(name: string): string {
  const root = join(scratch, name);
  cpSync(join(REPO, "gitops"), join(root, "gitops"), { recursive: true });
  execFileSync("git", ["init", "-q", root]);
  return root;
}

describe("gitops verify on this repository", () => {
  it("passes: every app x environment, gitops/argocd and gitops/bootstrap", async () => {
    const result = await verifyRepository(REPO);
    expect(result.violations.map(formatViolation)).toEqual([]);
    expect(overlaysIn(REPO)).toEqual(expect.arrayContaining(["agent/dev", "agent/production"]));
    expect(result.targets).toEqual([...overlaysIn(REPO), ...CONFIG_TARGETS]);
    expect(result.objects).toBeGreaterThan(15);
  });

  it("exits 0 from the CLI and says what it checked", async () => {
    const { code, stdout, stderr } = await run(["verify"], join(REPO, "packages"));
    expect(code).toBe(0);
    expect(stdout).toBe("");
    const targets = [...overlaysIn(REPO), ...CONFIG_TARGETS];
    expect(stderr).toMatch(/^gitops verify: ok, \d+ objects in \d+ targets \(/);
    expect(stderr).toContain(` objects in ${targets.length} targets (${targets.join(", ")}`);
  });

  it("checks one app and environment with --app/--env, plus Argo CD's config", async () => {
    const result = await verifyRepository(REPO, { app: "agent", env: "production" });
    expect(result.targets).toEqual(["agent/production", "argocd", "bootstrap"]);
    expect(result.violations).toEqual([]);
  });
});

describe("gitops verify output", () => {
  it("prints one line per violation and exits 1", async () => {
    const root = copyRepository("typo");
    const file = join(root, "gitops/apps/agent/base/service.yaml");
    writeFileSync(
      file,
      `apiVersion: v1
kind: Service
metadata:
  name: agent
spec:
  typ: ClusterIP
  selector:
    app.kubernetes.io/name: agent
    app.kubernetes.io/component: server
  ports:
    - name: http
      port: 80
      targetPort: http
`,
    );
    const { code, stdout, stderr } = await run(["verify", "--env", "dev"], root);
    expect(code).toBe(1);
    expect(stdout).toBe(
      'agent/dev Service/agent: unknown-field: spec.typ is not a field of Service v1 -> did you mean "type"? rename or remove it\n',
    );
    const targets = overlaysIn(root, "dev").length + CONFIG_TARGETS.length;
    expect(stderr).toMatch(
      new RegExp(`^gitops verify: 1 violation\\(s\\) in \\d+ objects in ${targets} targets`),
    );
  });

  it("discovers apps added later: nothing is specific to the agent", async () => {
    const root = copyRepository("second-app");
    cpSync(join(root, "gitops/apps/agent"), join(root, "gitops/apps/worker"), { recursive: true });
    const result = await verifyRepository(root, { app: "worker" });
    const envs = overlaysIn(root).filter((target) => target.startsWith("agent/"));
    expect(envs).toEqual(expect.arrayContaining(["agent/dev", "agent/production"]));
    expect(result.targets).toEqual([
      ...envs.map((target) => target.replace("agent/", "worker/")),
      ...CONFIG_TARGETS,
    ]);
    // A copy still deploys agent's image into agent's namespaces: verify says so. And with
    // no apps/worker to start, the names its canary analysis queries cannot be checked.
    const rules = new Set(result.violations.map((v) => v.rule));
    expect(rules).toEqual(new Set(["namespace", "project-destination", "analysis-metrics"]));
    expect(result.violations.find((v) => v.rule === "analysis-metrics")).toMatchObject({
      target: "worker/production",
      problem:
        "cannot check the metric names of the queries: apps/worker/src/server.ts does not exist, so the metric names it exports are unknown",
    });
    expect(result.violations.find((v) => v.rule === "namespace")).toMatchObject({
      target: "worker/dev",
      problem: expect.stringContaining('deploys gitops/apps/worker/overlays/dev to "worker-dev"'),
    });
  });

  it("names unknown apps and environments", async () => {
    const app = await run(["verify", "--app", "nope"], REPO);
    expect(app.code).toBe(1);
    const apps = directories(join(REPO, "gitops/apps")).join(", ");
    expect(app.stderr).toContain(`unknown app "nope": expected one of ${apps} `);
    const env = await run(["verify", "--env", "no-such-env"], REPO);
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('unknown environment "no-such-env"');
  });

  it("refuses unknown flags with its usage", async () => {
    const { code, stderr } = await run(["verify", "--fast"], REPO);
    expect(code).toBe(2);
    expect(stderr).toContain("usage: gitops verify");
  });

  it("lists the rules", async () => {
    const { code, stdout } = await run(["verify", "--rules"], REPO);
    expect(code).toBe(0);
    for (const rule of Object.keys(RULES)) expect(stdout).toMatch(new RegExp(`^${rule} +\\S`, "m"));
  });

  it("is documented: gitops/README.md names every rule", () => {
    const readme = readFileSync(join(REPO, "gitops/README.md"), "utf8");
    expect(Object.keys(RULES).filter((rule) => !readme.includes(`\`${rule}\``))).toEqual([]);
  });

  it("explains a missing or broken gitops/repository.yaml", async () => {
    const root = copyRepository("no-repository");
    rmSync(join(root, "gitops/repository.yaml"));
    expect(() => readRepositoryConfig(root)).toThrow(/gitops\/repository.yaml is missing/);
    writeFileSync(join(root, "gitops/repository.yaml"), "repository: [\n");
    expect(() => readRepositoryConfig(root)).toThrow(/not valid YAML/);
    writeFileSync(
      join(root, "gitops/repository.yaml"),
      "repository: just-a-name\nregistry: ghcr.io\n",
    );
    expect(() => readRepositoryConfig(root)).toThrow(/key "repository" must be "<owner>\/<name>"/);
    writeFileSync(
      join(root, "gitops/repository.yaml"),
      "repository: a/b\nregistry: https://ghcr.io\n",
    );
    expect(() => readRepositoryConfig(root)).toThrow(/key "registry" must be a registry host/);
    const { code, stderr } = await run(["verify"], root);
    expect(code).toBe(1);
    expect(stderr).toContain('key "registry"');
  });
});

describe("gitops/repository.yaml", () => {
  it("derives the Argo CD repoURL and the image prefix", () => {
    expect(readRepositoryConfig(REPO)).toEqual({
      repository: "example-org/agent-gitops-template",
      registry: "ghcr.io",
      repoURL: "https://github.com/example-org/agent-gitops-template.git",
      imagePrefix: "ghcr.io/example-org/agent-gitops-template/",
      clusters: [],
    });
  });

  it("uses the GitHub Enterprise host when repository.yaml names one", () => {
    const root = copyRepository("enterprise-host");
    writeFileSync(
      join(root, "gitops/repository.yaml"),
      "repository: Team/agents\nregistry: containers.git.example.com\nhost: git.example.com\n",
    );
    expect(readRepositoryConfig(root)).toMatchObject({
      repoURL: "https://git.example.com/Team/agents.git",
      imagePrefix: "containers.git.example.com/team/agents/",
    });
    writeFileSync(
      join(root, "gitops/repository.yaml"),
      "repository: a/b\nregistry: ghcr.io\nhost: https://git.example.com\n",
    );
    expect(() => readRepositoryConfig(root)).toThrow(/key "host" must be a git host/);
  });

  it("compares repository URLs as Git does", () => {
    expect(sameRepoURL("https://github.com/A/b.git", "https://github.com/a/b/")).toBe(true);
    expect(sameRepoURL("https://github.com/a/b.git", "https://github.com/a/c.git")).toBe(false);
  });
});

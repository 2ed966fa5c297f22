import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isDistinctiveName } from "../src/rewrite.ts";
import { setupRepository } from "../src/setup.ts";
import { runCli } from "./support/cli.ts";
import {
  copyRepo,
  currentRepository,
  fixtureRepo,
  git,
  grepTree,
  linkNodeModules,
  snapshot,
} from "./support/repo.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const run = (cwd: string, ...argv: string[]) => runCli(cwd, argv);

const FIXTURE = {
  "gitops/repository.yaml":
    "# names the repository\nrepository: old-org/old-repo\nregistry: ghcr.io\n",
  "gitops/apps/agent/base/deployment.yaml": "image: ghcr.io/old-org/old-repo/agent\n",
  "gitops/argocd/appproject.yaml": "sourceRepos:\n  - https://github.com/old-org/old-repo.git\n",
  "README.md": "[![ci](https://github.com/old-org/old-repo/actions/workflows/ci.yaml/badge.svg)]\n",
  "package.json": '{ "name": "old-repo", "private": true }\n',
  "pnpm-lock.yaml":
    "lockfileVersion: '9.0'\n# old-org/old-repo stays: lockfiles are never rewritten\n",
};

describe("setup-repo on a copy of this repository", () => {
  it("leaves no trace of the old repository, changes nothing on a second run, and gitops verify passes", async () => {
    const old = currentRepository();
    const copy = copyRepo();
    dirs.push(copy);
    git(copy, "remote", "add", "origin", "git@github.com:Acme-Robotics/Billing-Agent.git");

    const first = await run(join(copy, "gitops"));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `setup-repo: ${old.owner}/${old.name} -> Acme-Robotics/Billing-Agent on github.com (from git remote origin)`,
    );
    expect(first.stdout).toMatch(/^ {2}gitops\/repository\.yaml: 1$/m);
    expect(first.stdout).toMatch(/^ {2}gitops\/argocd\/applicationset\.yaml: \d+$/m);

    // The name alone is the repository's only when it is distinctive (see isDistinctiveName),
    // and only as a name of its own: `my-agent` in a file name such as `my-agent.ts` is not one
    // (a repository called my-agent must not fail on the example agent's docs).
    const escaped = old.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const alone = new RegExp(
      `(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-]|\\.(?!git\\b)[A-Za-z0-9])`,
    );
    const traces = isDistinctiveName(old.name)
      ? [`${old.owner}/${old.name}`, alone]
      : [`${old.owner}/${old.name}`];
    expect(grepTree(copy, traces)).toEqual([]);
    expect(readFileSync(join(copy, "gitops/repository.yaml"), "utf8")).toMatch(
      /^repository: Acme-Robotics\/Billing-Agent$/m,
    );
    expect(
      readFileSync(join(copy, "gitops/apps/agent/overlays/dev/kustomization.yaml"), "utf8"),
    ).toContain("ghcr.io/acme-robotics/billing-agent/agent");
    expect(readFileSync(join(copy, "gitops/argocd/applicationset.yaml"), "utf8")).toContain(
      "repoURL: https://github.com/Acme-Robotics/Billing-Agent.git",
    );
    expect(JSON.parse(readFileSync(join(copy, "package.json"), "utf8")).name).toBe("billing-agent");
    // The lockfile names no repository and stays as it was.
    expect(git(copy, "status", "--porcelain", "--", "pnpm-lock.yaml")).toBe("");

    const before = snapshot(copy);
    const second = await run(copy);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      "Already set up for Acme-Robotics/Billing-Agent: nothing to change.",
    );
    expect(snapshot(copy)).toEqual(before);

    linkNodeModules(copy);
    const verify = spawnSync(process.execPath, ["packages/gitops/bin/gitops.mjs", "verify"], {
      cwd: copy,
      encoding: "utf8",
      env: { ...process.env, INIT_CWD: copy },
    });
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/gitops verify: ok/);
    expect(verify.status).toBe(0);
  });
});

describe("setup-repo", () => {
  it("takes --repo over origin and moves a GitHub Enterprise repository's host and registry", async () => {
    const dir = fixtureRepo(FIXTURE);
    dirs.push(dir);
    git(dir, "remote", "add", "origin", "https://github.com/someone/else.git");
    const result = await run(dir, "--repo", "https://ghe.example.com/Platform/agents.git");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "(from --repo); images containers.ghe.example.com/platform/agents/<app>",
    );
    expect(readFileSync(join(dir, "gitops/repository.yaml"), "utf8")).toBe(
      "# names the repository\nrepository: Platform/agents\nregistry: containers.ghe.example.com\nhost: ghe.example.com\n",
    );
    expect(readFileSync(join(dir, "gitops/argocd/appproject.yaml"), "utf8")).toContain(
      "https://ghe.example.com/Platform/agents.git",
    );
    expect(readFileSync(join(dir, "gitops/apps/agent/base/deployment.yaml"), "utf8")).toBe(
      "image: containers.ghe.example.com/platform/agents/agent\n",
    );
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(
      "https://ghe.example.com/Platform/agents/actions/workflows/ci.yaml/badge.svg",
    );
    expect(readFileSync(join(dir, "pnpm-lock.yaml"), "utf8")).toBe(FIXTURE["pnpm-lock.yaml"]);
  });

  it("keeps a custom registry on the same host, and --registry overrides it", () => {
    const dir = fixtureRepo({
      ...FIXTURE,
      "gitops/repository.yaml": "repository: old-org/old-repo\nregistry: registry.example.com\n",
    });
    dirs.push(dir);
    const kept = setupRepository({
      root: dir,
      target: { host: "github.com", owner: "a", name: "b" },
    });
    expect(kept.to.registry).toBe("registry.example.com");
    const moved = setupRepository({
      root: dir,
      target: { host: "github.com", owner: "a", name: "b" },
      registry: "ghcr.io",
    });
    expect(moved.changes.map((c) => c.file)).toEqual(["gitops/repository.yaml"]);
    expect(readFileSync(join(dir, "gitops/repository.yaml"), "utf8")).toBe(
      "repository: a/b\nregistry: ghcr.io\n",
    );
  });

  it("writes nothing with --dry-run but says what it would change", async () => {
    const dir = fixtureRepo(FIXTURE);
    dirs.push(dir);
    const before = snapshot(dir);
    const result = await run(dir, "--repo", "acme/agents", "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  gitops/apps/agent/base/deployment.yaml: 1\n");
    expect(result.stdout).toContain("  package.json: 1\n");
    expect(result.stdout).toContain("Would change 5 places in 5 files (dry run: nothing written).");
    expect(snapshot(dir)).toEqual(before);
  });

  it("refuses with a clear message when there is no origin remote", async () => {
    const dir = fixtureRepo(FIXTURE);
    dirs.push(dir);
    const result = await run(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /has no git remote "origin"\. Add it .* or pass --repo <owner>\/<name>\./,
    );
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  it("refuses with a clear message when origin names no GitHub owner/repository", async () => {
    const dir = fixtureRepo(FIXTURE);
    dirs.push(dir);
    git(dir, "remote", "add", "origin", "/srv/git/agents.git");
    const result = await run(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'cannot tell the GitHub owner/repository from "/srv/git/agents.git"',
    );
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  it("outside git, walks the tree but skips node_modules, binaries, non-UTF-8 files and symlinks", () => {
    const dir = mkdtempSync(join(tmpdir(), "setup-repo-nogit-"));
    dirs.push(dir);
    const put = (file: string, data: string | Buffer) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), data);
    };
    put("gitops/repository.yaml", FIXTURE["gitops/repository.yaml"]);
    put("docs/a.md", "see https://github.com/old-org/old-repo\n");
    put("node_modules/x/README.md", "old-org/old-repo\n");
    put("image.png", Buffer.from([0x89, 0x50, 0x00, ...Buffer.from("old-org/old-repo")]));
    put("latin1.txt", Buffer.concat([Buffer.from("old-org/old-repo caf"), Buffer.from([0xe9])]));
    symlinkSync("docs/a.md", join(dir, "link.md"));
    const result = setupRepository({
      root: dir,
      target: { host: "github.com", owner: "a", name: "b" },
    });
    expect(result.changes).toEqual([
      { file: "docs/a.md", count: 1 },
      { file: "gitops/repository.yaml", count: 1 },
    ]);
    expect(readFileSync(join(dir, "node_modules/x/README.md"), "utf8")).toBe("old-org/old-repo\n");
  });

  it("refuses outside a repository made from the template", async () => {
    const dir = fixtureRepo({ "README.md": "hello\n" });
    dirs.push(dir);
    const result = await run(dir, "--repo", "acme/agents");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gitops\/repository.yaml is missing under/);
  });
});

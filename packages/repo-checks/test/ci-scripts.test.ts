/** The scripts ci.yaml runs: which apps to ship, and the coverage gate and summary. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { affectedApps, decideApps, deployableApps } from "../../../scripts/affected-apps.ts";
import { coverageMarkdown, readCoverage } from "../../../scripts/coverage-summary.ts";
import { git, ROOT } from "./support/repository.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ci-scripts-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe("scripts/affected-apps.ts", () => {
  const DEV = (app: string) => `gitops/apps/${app}/overlays/dev/kustomization.yaml`;
  const kustomization = (app: string, tag: string) =>
    `images:\n  - name: ghcr.io/acme/widgets/${app}\n    newTag: ${tag}\n`;

  function commit(message: string): string {
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "--quiet", "--allow-empty", "-m", message]);
    return git(dir, ["rev-parse", "HEAD"]);
  }
  /** apps agent, worker (deployable) and tool (no gitops tree); overlays with no deploy yet. */
  function repo(): { start: string } {
    for (const app of ["agent", "worker", "tool"])
      write(`apps/${app}/package.json`, `{"name":"@repo/${app}"}\n`);
    write("gitops/repository.yaml", "repository: acme/widgets\nregistry: ghcr.io\n");
    for (const app of ["agent", "worker"]) write(DEV(app), kustomization(app, "main-0000000"));
    write("Dockerfile", "FROM scratch\n");
    git(dir, ["init", "--quiet", "-b", "main"]);
    return { start: commit("start") };
  }
  function change(path: string): string {
    write(path, `${Math.random()}\n`);
    return commit(`change ${path}`);
  }
  /** A bump commit as gitops bump writes it: the overlay's new tag and its Source-Commit trailer. */
  function deploy(app: string, source: string): string {
    write(DEV(app), kustomization(app, `main-${source.slice(0, 7)}`));
    return commit(`deploy(${app}): main-${source.slice(0, 7)} to dev\n\nSource-Commit: ${source}`);
  }
  /** turbo's answer, from git: the apps with a file changed between the two commits. */
  const byDiff = (calls: string[][]) => (root: string, base: string, head: string) => {
    calls.push([base, head]);
    return git(root, ["diff", "--name-only", base, head, "--", "apps/"])
      .split("\n")
      .filter(Boolean)
      .map((path) => path.split("/").slice(0, 2).join("/"));
  };

  it("lists apps that have sources and a gitops tree", () => {
    repo();
    expect(deployableApps(dir)).toEqual(["agent", "worker"]);
  });

  it("ships every app whose dev overlay names no Source-Commit (a repository just made from the template)", () => {
    repo();
    const head = change("apps/agent/src.ts");
    const none = () => {
      throw new Error("turbo is not asked when there is nothing to compare with");
    };
    const decisions = decideApps({ root: dir, head, turboAffected: none });
    expect(decisions.map((d) => [d.app, d.ship, d.reason])).toEqual([
      ["agent", true, "dev names no Source-Commit"],
      ["worker", true, "dev names no Source-Commit"],
    ]);
  });

  it("compares each app with the Source-Commit of its dev overlay, one turbo run per deployed commit", () => {
    const { start } = repo();
    const agentBuilt = change("apps/agent/a.ts");
    deploy("agent", agentBuilt);
    deploy("worker", start);
    const head = change("apps/worker/w.ts");
    const calls: string[][] = [];
    const decisions = decideApps({ root: dir, head, turboAffected: byDiff(calls) });
    expect(decisions.map((d) => [d.app, d.ship, d.base])).toEqual([
      ["agent", false, agentBuilt],
      ["worker", true, start],
    ]);
    expect(calls).toEqual([
      [agentBuilt, head],
      [start, head],
    ]);
  });

  it("after a failed run, a workflow-only push still ships what dev lacks", () => {
    const { start } = repo();
    deploy("agent", start);
    deploy("worker", start);
    change("apps/agent/a.ts"); // this push's run failed before deploying
    const fix = change(".github/workflows/ship.yaml"); // the next push touches no app
    expect(affectedApps({ root: dir, head: fix, turboAffected: byDiff([]) })).toEqual(["agent"]);
  });

  it("ships every app when dev runs a commit this clone does not have (a force-push rewrote it)", () => {
    repo();
    const gone = "f".repeat(40);
    deploy("agent", gone);
    const head = deploy("worker", gone);
    const decisions = decideApps({ root: dir, head, turboAffected: byDiff([]) });
    expect(decisions.every((d) => d.ship)).toBe(true);
    expect(decisions[0]!.reason).toBe(
      "dev runs fffffff, which is not in this clone (rewritten history or a shallow fetch)",
    );
  });

  it("ships nothing that dev runs already, or runs a newer build of", () => {
    const { start } = repo();
    const later = change("apps/agent/a.ts");
    deploy("agent", later);
    const head = deploy("worker", later);
    expect(affectedApps({ root: dir, head: later, turboAffected: byDiff([]) })).toEqual([]);
    expect(affectedApps({ root: dir, head: start, turboAffected: byDiff([]) })).toEqual([]);
    // The deploy commits themselves change no app.
    expect(affectedApps({ root: dir, head, turboAffected: byDiff([]) })).toEqual([]);
  });

  it("ships every deployed app when the build itself changed since what it runs", () => {
    const { start } = repo();
    deploy("agent", start);
    deploy("worker", start);
    const head = change("Dockerfile");
    const none = () => [];
    expect(affectedApps({ root: dir, head, turboAffected: none })).toEqual(["agent", "worker"]);
  });

  it("reads what dev runs from another checkout when the gitops tree is another repository", () => {
    const { start } = repo();
    const head = change("apps/agent/a.ts");
    const other = mkdtempSync(join(tmpdir(), "ci-scripts-gitops-"));
    try {
      for (const app of ["agent", "worker"]) {
        mkdirSync(join(other, dirname(DEV(app))), { recursive: true });
        writeFileSync(join(other, DEV(app)), kustomization(app, "main-0000000"));
      }
      git(other, ["init", "--quiet", "-b", "main"]);
      git(other, ["add", "-A"]);
      git(other, ["commit", "--quiet", "-m", `deploy(agent): x to dev\n\nSource-Commit: ${start}`]);
      const decisions = decideApps({
        root: dir,
        head,
        gitopsRoot: other,
        turboAffected: byDiff([]),
      });
      expect(decisions.map((d) => [d.app, d.ship, d.base])).toEqual([
        ["agent", true, start],
        ["worker", false, start],
      ]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("runs as a script: JSON on stdout, why each app ships on stderr", () => {
    repo();
    const result = spawnSync(
      process.execPath,
      [join(ROOT, "scripts/affected-apps.ts"), "--env", "dev", "--root", dir, "HEAD"],
      { encoding: "utf8" },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(["agent", "worker"]);
    expect(result.stderr).toBe(
      "agent: ship (dev names no Source-Commit)\nworker: ship (dev names no Source-Commit)\n",
    );
  });
});

describe("scripts/coverage-summary.ts", () => {
  function report(path: string, name: string, pct: number): void {
    write(`${path}/package.json`, JSON.stringify({ name }));
    const total = Object.fromEntries(
      ["lines", "statements", "functions", "branches"].map((m) => [m, { pct }]),
    );
    write(`${path}/coverage/coverage-summary.json`, JSON.stringify({ total }));
  }

  it("tabulates every package's coverage and passes at or above the minimum", () => {
    report("apps/agent", "@repo/agent", 91.25);
    report("packages/gitops", "@repo/gitops", 80);
    write("packages/no-tests/package.json", "{}");
    const packages = readCoverage(dir);
    expect(packages.map((p) => p.name)).toEqual(["@repo/agent", "@repo/gitops"]);
    const { markdown, ok } = coverageMarkdown(packages, 80);
    expect(ok).toBe(true);
    expect(markdown).toContain("| Package | Lines | Statements | Functions | Branches |");
    expect(markdown).toContain("| `@repo/agent` | 91.3% | 91.3% | 91.3% | 91.3% |");
    expect(markdown).toContain("Every package is at or above 80%.");
  });

  it("fails below the minimum, and without any report, when run as a script", () => {
    report("packages/gitops", "@repo/gitops", 79.9);
    const run = (args: string[]) => {
      try {
        return {
          code: 0,
          out: execFileSync(
            process.execPath,
            [join(ROOT, "scripts/coverage-summary.ts"), ...args],
            { encoding: "utf8" },
          ),
        };
      } catch (error) {
        const failure = error as { status: number; stdout: string };
        return { code: failure.status, out: failure.stdout };
      }
    };
    const below = run(["--min", "80", dir]);
    expect(below.code).toBe(1);
    expect(below.out).toContain("79.9% ❌");
    expect(run(["--min", "75", dir]).code).toBe(0);
    const empty = mkdtempSync(join(tmpdir(), "no-coverage-"));
    const none = run([empty]);
    rmSync(empty, { recursive: true });
    expect(none.code).toBe(1);
    expect(none.out).toContain("No coverage report found");
  });
});

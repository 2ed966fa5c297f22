/** The scripts ci.yaml runs: which apps to ship, and the coverage gate and summary. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { affectedApps, deployableApps } from "../../../scripts/affected-apps.ts";
import { coverageMarkdown, readCoverage } from "../../../scripts/coverage-summary.ts";
import { git } from "./helpers/repos.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

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
  function repo(): { base: string } {
    for (const app of ["agent", "worker", "tool"])
      write(`apps/${app}/package.json`, `{"name":"@repo/${app}"}\n`);
    for (const app of ["agent", "worker"])
      write(`gitops/apps/${app}/overlays/dev/kustomization.yaml`, "resources: []\n");
    write("Dockerfile", "FROM scratch\n");
    git(dir, ["init", "--quiet", "-b", "main"]);
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "--quiet", "-m", "start"]);
    return { base: git(dir, ["rev-parse", "HEAD"]) };
  }
  function change(path: string): string {
    write(path, `${Math.random()}\n`);
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "--quiet", "-m", `change ${path}`]);
    return git(dir, ["rev-parse", "HEAD"]);
  }

  it("lists apps that have sources and a gitops tree", () => {
    repo();
    expect(deployableApps(dir)).toEqual(["agent", "worker"]);
  });

  it("asks turbo which packages changed and keeps the deployable apps among them", () => {
    const { base } = repo();
    const head = change("packages/lib/src/index.ts");
    const calls: string[][] = [];
    const apps = affectedApps({
      root: dir,
      base,
      head,
      turboAffected: (root, from, to) => {
        calls.push([root, from, to]);
        return ["apps/worker", "apps/tool", "packages/lib"];
      },
    });
    expect(apps).toEqual(["worker"]);
    expect(calls).toEqual([[dir, base, head]]);
  });

  it("ships every app when the build itself changed, or there is nothing to compare with", () => {
    const { base } = repo();
    const head = change("Dockerfile");
    const none = () => [];
    expect(affectedApps({ root: dir, base, head, turboAffected: none })).toEqual([
      "agent",
      "worker",
    ]);
    expect(affectedApps({ root: dir, base: "0".repeat(40), head, turboAffected: none })).toEqual([
      "agent",
      "worker",
    ]);
    expect(affectedApps({ root: dir, base: undefined, head, turboAffected: none })).toEqual([
      "agent",
      "worker",
    ]);
    const docs = change("docs/readme.txt");
    expect(affectedApps({ root: dir, base: head, head: docs, turboAffected: none })).toEqual([]);
  });

  it("runs as a script and prints JSON", () => {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, "scripts/affected-apps.ts"), "", "HEAD"],
      {
        encoding: "utf8",
      },
    );
    expect(JSON.parse(out)).toEqual(deployableApps(ROOT));
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

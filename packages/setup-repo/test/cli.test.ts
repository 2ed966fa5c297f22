import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findRoot, report, USAGE } from "../src/cli.ts";
import { runCli } from "./support/cli.ts";
import { fixtureRepo } from "./support/repo.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const run = (argv: string[], cwd = tmpdir()) => runCli(cwd, argv);

describe("setup-repo CLI", () => {
  it("prints its usage with --help", async () => {
    const result = await run(["--help"]);
    expect(result).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: "" });
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["acme/agents"], /Unexpected argument 'acme\/agents'/],
    [["--repo"], /Option '--repo <value>' argument missing/],
    [
      ["--registry", "GHCR.io/x"],
      /--registry must be a registry host such as ghcr.io \(got "GHCR.io\/x"\)/,
    ],
  ])("refuses %j with the usage and exit code 2", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(USAGE);
    expect(result.stdout).toBe("");
  });
});

describe("findRoot", () => {
  it("is the top of the git working tree", () => {
    const dir = fixtureRepo({ "a/b/c.txt": "x" });
    dirs.push(dir);
    expect(realpathSync(findRoot(join(dir, "a/b")))).toBe(realpathSync(dir));
  });

  it("outside git, is the nearest directory holding gitops/repository.yaml, else the start", () => {
    const dir = mkdtempSync(join(tmpdir(), "setup-repo-nogit-"));
    dirs.push(dir);
    mkdirSync(join(dir, "gitops"), { recursive: true });
    mkdirSync(join(dir, "deep/er"), { recursive: true });
    writeFileSync(join(dir, "gitops/repository.yaml"), "repository: a/b\nregistry: ghcr.io\n");
    expect(findRoot(join(dir, "deep/er"))).toBe(dir);
    const bare = mkdtempSync(join(tmpdir(), "setup-repo-bare-"));
    dirs.push(bare);
    expect(findRoot(bare)).toBe(bare);
  });
});

describe("report", () => {
  it("sums the places and files changed", () => {
    const settings = { host: "github.com", owner: "a", name: "b", registry: "ghcr.io" };
    const text = report(
      {
        from: { ...settings, owner: "old" },
        to: settings,
        changes: [
          { file: "x.yaml", count: 2 },
          { file: "y.md", count: 1 },
        ],
      },
      "from --repo",
      false,
    );
    expect(text).toBe(
      "setup-repo: old/b -> a/b on github.com (from --repo); images ghcr.io/a/b/<app>\n" +
        "  x.yaml: 2\n  y.md: 1\n" +
        "Changed 3 places in 2 files. Review with `git diff`, then commit and push.\n",
    );
  });
});

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import { BIN, createFixture, gitEnv } from "./helpers/repos.ts";

async function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd: process.cwd(),
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

const VERBS = ["verify", "bump", "promote", "rollback", "release", "history", "diff", "repository"];

describe("gitops CLI", () => {
  it("lists every command with what it does", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const verb of VERBS) expect(help.stdout).toMatch(new RegExp(`^ {2}${verb} +\\w`, "m"));
    // No command: the same list, as a usage error.
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("commands:");
  });

  it.each(VERBS)("%s --help prints its usage and exits 0", async (verb) => {
    const result = await run([verb, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: gitops ${verb} `));
    expect(result.stderr).toBe("");
  });

  it("names an unknown command and shows the list", async () => {
    const result = await run(["deploy"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gitops: unknown command "deploy"');
    expect(result.stderr).toContain("  rollback  ");
  });
});

describe("gitops from a subdirectory", () => {
  it("acts on the repository of INIT_CWD, the directory pnpm -w gitops was typed in", async () => {
    const fx = createFixture();
    try {
      const clone = fx.clone();
      const elsewhere = mkdtempSync(join(tmpdir(), "gitops-elsewhere-"));
      mkdirSync(join(clone, "apps/agent/src"), { recursive: true });
      const env = { ...gitEnv(), INIT_CWD: join(clone, "apps/agent/src") };
      const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          [BIN, "history", "--app", "agent", "--env", "dev"],
          { cwd: elsewhere, env },
          (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
        );
      });
      rmSync(elsewhere, { recursive: true, force: true });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^agent\/dev\n/);
    } finally {
      fx.cleanup();
    }
  });
});

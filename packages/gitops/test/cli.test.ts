import { describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";

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

const VERBS = ["verify", "bump", "promote", "rollback", "release", "history", "diff"];

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

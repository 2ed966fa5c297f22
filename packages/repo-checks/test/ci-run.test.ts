/** .ci/run, the project's CI entry point: every script it calls is one the workspace has. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/repository.ts";

const run = readFileSync(join(ROOT, ".ci/run"), "utf8");
/** The command lines of the script, comments and `step` titles left out. */
const commands = run
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line.startsWith("pnpm "));

function scriptsOf(manifest: string): string[] {
  return Object.keys(JSON.parse(readFileSync(manifest, "utf8")).scripts ?? {});
}

/** package name -> its scripts, for every workspace package under apps/ and packages/. */
const workspace = new Map(
  ["apps", "packages"].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .map((name) => join(ROOT, group, name, "package.json"))
      .filter((manifest) => existsSync(manifest))
      .map((manifest) => {
        const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name: string };
        return [name, scriptsOf(manifest)] as const;
      }),
  ),
);

describe(".ci/run", () => {
  it("runs package scripts that exist, the image gate's broken images among them", () => {
    const filtered = commands.flatMap((line) => {
      const call = /^pnpm --filter (\S+) ([\w:-]+)/.exec(line);
      return call ? [{ pkg: call[1]!, script: call[2]! }] : [];
    });
    expect(filtered).toContainEqual({ pkg: "@repo/repo-checks", script: "test:broken-images" });
    for (const { pkg, script } of filtered) {
      expect(workspace.get(pkg), `${pkg} is not a workspace package`).toBeDefined();
      expect(workspace.get(pkg), `${pkg} has no script ${script}`).toContain(script);
    }
  });

  it("runs root scripts that exist", () => {
    const root = scriptsOf(join(ROOT, "package.json"));
    const builtIn = new Set(["install", "turbo", "--filter", "--version"]);
    const named = commands
      .map((line) => line.split(/\s+/)[1]!)
      .filter((word) => !builtIn.has(word));
    expect(named).toEqual(expect.arrayContaining(["check", "test:image"]));
    for (const script of named) expect(root, `pnpm ${script}`).toContain(script);
  });
});

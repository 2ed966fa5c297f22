/**
 * `setup-repo repository --get <key>`, what the workflows run before `pnpm install`, against the
 * repository.yaml cases @repo/gitops's `gitops repository --get` is tested against.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPOSITORY_USAGE } from "../src/repository-get.ts";
import { runCli } from "./support/cli.ts";

const FIXTURES = join(import.meta.dirname, "../../gitops/test/fixtures/repository-yaml");
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as Record<
  string,
  { repository: string; registry: string; host: string } | { error: string }
>;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A directory (not a git repository: setup-repo finds gitops/ upwards) holding the fixture. */
function rootWith(fixture: string): string {
  const root = mkdtempSync(join(tmpdir(), "setup-repo-get-"));
  dirs.push(root);
  mkdirSync(join(root, "gitops"));
  cpSync(join(FIXTURES, fixture), join(root, "gitops/repository.yaml"));
  return root;
}

const get = (cwd: string, ...argv: string[]) => runCli(cwd, ["repository", ...argv]);

describe("setup-repo repository --get", () => {
  it("covers every shared fixture", () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith(".yaml"));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s answers as gitops repository --get", async (file, want) => {
    const root = rootWith(file);
    if ("error" in want) {
      const failed = await get(root, "--get", "repository");
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe("");
      expect(failed.stderr).toMatch(
        new RegExp(
          `^setup-repo repository: gitops/repository.yaml has no "${want.error}:[^\\n]*\\n$`,
        ),
      );
      return;
    }
    expect(await get(root, "--get", "repository")).toEqual({
      code: 0,
      stdout: `${want.repository}\n`,
      stderr: "",
    });
    expect((await get(root, "--get", "registry")).stdout).toBe(`${want.registry}\n`);
    expect((await get(root, "--get", "image-prefix")).stdout).toBe(
      `${want.registry}/${want.repository.toLowerCase()}/\n`,
    );
  });

  it("refuses an unknown or a missing key with exit 2 and its usage; --help prints the keys", async () => {
    const root = rootWith("template.yaml");
    const unknown = await get(root, "--get", "owner");
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toBe(
      `setup-repo repository: unknown key "owner": pass --get with one of repository, registry, image-prefix\n\n${REPOSITORY_USAGE}\n`,
    );
    expect((await get(root)).stderr).toContain("setup-repo repository: --get <key> is required\n");
    expect((await get(root, "--get")).code).toBe(2);
    expect(await get(root, "--help")).toEqual({
      code: 0,
      stdout: `${REPOSITORY_USAGE}\n`,
      stderr: "",
    });
  });

  it("names the missing file and what to do, exit 1", async () => {
    const empty = mkdtempSync(join(tmpdir(), "setup-repo-get-none-"));
    dirs.push(empty);
    const missing = await get(empty, "--get", "registry");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^setup-repo repository: gitops\/repository.yaml is missing under /,
    );
  });
});

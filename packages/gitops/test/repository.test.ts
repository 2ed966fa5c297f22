import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import { appImageName, readRepositoryConfig } from "../src/repository.ts";

/** The repository.yaml cases both readers are tested against (setup-repo's too). */
const FIXTURES = join(import.meta.dirname, "fixtures/repository-yaml");
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as Record<
  string,
  { repository: string; registry: string; host: string } | { error: string }
>;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A git repository whose gitops/repository.yaml is the fixture `name`. */
function repoWith(name: string): string {
  const root = mkdtempSync(join(tmpdir(), "gitops-repository-"));
  roots.push(root);
  mkdirSync(join(root, "gitops"));
  cpSync(join(FIXTURES, name), join(root, "gitops/repository.yaml"));
  execFileSync("git", ["init", "--quiet", root]);
  return root;
}

async function get(root: string, key: string) {
  let stdout = "";
  let stderr = "";
  const code = await main(["repository", "--get", key], {
    cwd: root,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe("gitops/repository.yaml", () => {
  it("has an expectation for every fixture", () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith(".yaml"));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s reads as expected", (file, expected) => {
    const root = repoWith(file);
    if ("error" in expected) {
      expect(() => readRepositoryConfig(root)).toThrow(`key "${expected.error}"`);
      expect(appImageName(root, "agent")).toBeUndefined();
      return;
    }
    const config = readRepositoryConfig(root);
    expect(config.repository).toBe(expected.repository);
    expect(config.registry).toBe(expected.registry);
    expect(new URL(config.repoURL).host).toBe(expected.host);
    expect(config.imagePrefix).toBe(`${expected.registry}/${expected.repository.toLowerCase()}/`);
    expect(appImageName(root, "agent")).toBe(`${config.imagePrefix}agent`);
  });
});

describe("gitops repository --get", () => {
  it("prints one value per key, a registry port kept and the image prefix in lower case", async () => {
    const quoted = repoWith("quoted-and-commented.yaml");
    expect(await get(quoted, "repository")).toEqual({
      code: 0,
      stdout: "Platform/agents\n",
      stderr: "",
    });
    expect((await get(quoted, "image-prefix")).stdout).toBe("ghcr.io/platform/agents/\n");
    expect((await get(quoted, "repo-url")).stdout).toBe("https://github.com/Platform/agents.git\n");
    expect((await get(repoWith("registry-port.yaml"), "registry")).stdout).toBe("localhost:5000\n");
  });

  it("refuses an unknown key in one line with exit 2, and a broken file with exit 1", async () => {
    const root = repoWith("template.yaml");
    const unknown = await get(root, "owner");
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toBe(
      'gitops repository: unknown key "owner": pass --get with one of repository, registry, image-prefix, repo-url.\n',
    );
    const broken = await get(repoWith("no-registry.yaml"), "registry");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^gitops repository: gitops\/repository.yaml: key "registry"[^\n]*\n$/,
    );
  });
});

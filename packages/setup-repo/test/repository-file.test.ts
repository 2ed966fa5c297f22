import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  parseRepositoryFile,
  readRepositoryFile,
  renderRepositoryFile,
} from "../src/repository-file.ts";

const TEXT = `# The one place that names this repository.
repository: old-org/old-repo # owner/name
registry: ghcr.io
`;

describe("parseRepositoryFile", () => {
  it("reads repository, registry and the default host", () => {
    expect(parseRepositoryFile(TEXT)).toEqual({
      host: "github.com",
      owner: "old-org",
      name: "old-repo",
      registry: "ghcr.io",
    });
  });

  it("reads quoted values and an Enterprise host", () => {
    const text = `repository: "platform/agents"\nregistry: 'containers.ghe.example.com'\nhost: GHE.example.com\n`;
    expect(parseRepositoryFile(text)).toEqual({
      host: "ghe.example.com",
      owner: "platform",
      name: "agents",
      registry: "containers.ghe.example.com",
    });
  });

  it("names the missing or bad key", () => {
    expect(() => parseRepositoryFile("registry: ghcr.io\n")).toThrow(
      /no "repository: <owner>\/<name>" line/,
    );
    expect(() => parseRepositoryFile("repository: a/b\n")).toThrow(/no "registry:" line/);
    expect(() => parseRepositoryFile("repository: not-a-slug\nregistry: ghcr.io\n")).toThrow(
      /gitops\/repository.yaml: cannot tell the GitHub owner\/repository from "not-a-slug"/,
    );
  });
});

describe("renderRepositoryFile", () => {
  it("replaces the values and keeps comments", () => {
    const out = renderRepositoryFile(TEXT, {
      host: "github.com",
      owner: "Acme",
      name: "agent",
      registry: "ghcr.io",
    });
    expect(out).toBe(`# The one place that names this repository.
repository: Acme/agent # owner/name
registry: ghcr.io
`);
  });

  it("adds a host line on GitHub Enterprise and drops it back on github.com", () => {
    const enterprise = renderRepositoryFile(TEXT, {
      host: "ghe.example.com",
      owner: "platform",
      name: "agents",
      registry: "containers.ghe.example.com",
    });
    expect(enterprise).toContain("registry: containers.ghe.example.com\nhost: ghe.example.com\n");
    const moved = renderRepositoryFile(enterprise, {
      host: "ghe2.example.com",
      owner: "platform",
      name: "agents",
      registry: "containers.ghe2.example.com",
    });
    expect(moved).toContain("host: ghe2.example.com\n");
    expect(moved).not.toContain("ghe.example.com\n");
    const back = renderRepositoryFile(moved, {
      host: "github.com",
      owner: "old-org",
      name: "old-repo",
      registry: "ghcr.io",
    });
    expect(back).toBe(TEXT.replace("old-org/old-repo", "old-org/old-repo"));
  });
});

describe("readRepositoryFile", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("says what to do when the file is missing", () => {
    dir = mkdtempSync(join(tmpdir(), "setup-repo-"));
    expect(() => readRepositoryFile(dir as string)).toThrow(
      /gitops\/repository.yaml is missing under .*: run setup-repo from a repository created from the template/,
    );
  });
});

/** The cases @repo/gitops's reader is tested against too (packages/gitops/test/repository.test.ts). */
const FIXTURES = join(import.meta.dirname, "../../gitops/test/fixtures/repository-yaml");
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as Record<
  string,
  { repository: string; registry: string; host: string } | { error: string }
>;

describe("the shared repository.yaml fixtures", () => {
  it.each(Object.entries(EXPECTED))("%s reads as the gitops reader reads it", (file, expected) => {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    if ("error" in expected) {
      expect(() => parseRepositoryFile(text)).toThrow(`"${expected.error}:`);
      return;
    }
    const settings = parseRepositoryFile(text);
    expect({
      repository: `${settings.owner}/${settings.name}`,
      registry: settings.registry,
      host: settings.host,
    }).toEqual(expected);
  });
});

import { describe, expect, it } from "vitest";
import type { RepositorySettings } from "../src/repository-file.ts";
import { isDistinctiveName, makeRewriter, npmName } from "../src/rewrite.ts";

const from: RepositorySettings = {
  host: "github.com",
  owner: "old-org",
  name: "old-repo",
  registry: "ghcr.io",
};
const to: RepositorySettings = {
  host: "github.com",
  owner: "Acme-Corp",
  name: "My.Agent",
  registry: "ghcr.io",
};
const rewrite = makeRewriter(from, to);

describe("makeRewriter", () => {
  it("lower-cases image names and keeps the repository's spelling elsewhere", () => {
    const text = [
      "image: ghcr.io/old-org/old-repo/agent",
      "  - name: ghcr.io/old-org/old-repo/agent",
      "repoURL: https://github.com/old-org/old-repo.git",
      "[![ci](https://github.com/old-org/old-repo/actions/workflows/ci.yaml/badge.svg)](https://github.com/old-org/old-repo/actions)",
      "git clone git@github.com:old-org/old-repo.git",
      "gh repo create mine --template old-org/old-repo.",
      "cache: $HOME/.cache/old-repo",
    ].join("\n");
    const result = rewrite(text, "docs/x.md");
    expect(result.text).toBe(
      [
        "image: ghcr.io/acme-corp/my.agent/agent",
        "  - name: ghcr.io/acme-corp/my.agent/agent",
        "repoURL: https://github.com/Acme-Corp/My.Agent.git",
        "[![ci](https://github.com/Acme-Corp/My.Agent/actions/workflows/ci.yaml/badge.svg)](https://github.com/Acme-Corp/My.Agent/actions)",
        "git clone git@github.com:Acme-Corp/My.Agent.git",
        "gh repo create mine --template Acme-Corp/My.Agent.",
        "cache: $HOME/.cache/My.Agent",
      ].join("\n"),
    );
    expect(result.count).toBe(8);
  });

  it("matches the old names in any case, as GitHub does", () => {
    expect(
      rewrite("GHCR.IO/Old-Org/OLD-REPO/agent https://GitHub.com/OLD-ORG/Old-Repo", "a").text,
    ).toBe("ghcr.io/acme-corp/my.agent/agent https://github.com/Acme-Corp/My.Agent");
  });

  it("leaves longer names that only contain the old ones", () => {
    const text = "old-org/old-repo-fork new-old-org/old-repo-x old-repo_2 old-repo.v2 my-old-repo";
    expect(rewrite(text, "a")).toEqual({ text, count: 0 });
  });

  it("rewrites the repository name alone wherever it stands, even under another owner", () => {
    expect(rewrite("someone-else/old-repo.git old-repo", "a").text).toBe(
      "someone-else/My.Agent.git My.Agent",
    );
  });

  it("leaves another repository of the same owner and the owner alone", () => {
    const text = "old-org/other old-org";
    expect(rewrite(text, "a")).toEqual({ text, count: 0 });
  });

  it("writes an npm-valid package name into package.json files", () => {
    const text = '{ "name": "old-repo" }';
    expect(rewrite(text, "package.json").text).toBe('{ "name": "my.agent" }');
    expect(rewrite(text, "apps/x/package.json").text).toBe('{ "name": "my.agent" }');
    expect(rewrite(text, "package.json.md").text).toBe('{ "name": "My.Agent" }');
  });

  it("is a fixed point: a second pass with the new names as the old ones changes nothing", () => {
    const once = rewrite("ghcr.io/old-org/old-repo/a https://github.com/old-org/old-repo.git", "a");
    const again = makeRewriter(to, to)(once.text, "a");
    expect(again).toEqual({ text: once.text, count: 0 });
  });

  it("handles a new name that contains the old one in a single pass", () => {
    const grow = makeRewriter(from, { ...from, name: "old-repo-old-repo" });
    expect(grow("old-org/old-repo and old-repo", "a").text).toBe(
      "old-org/old-repo-old-repo and old-repo-old-repo",
    );
  });

  it("moves hosts and registries for GitHub Enterprise", () => {
    const enterprise = makeRewriter(from, {
      host: "ghe.example.com",
      owner: "platform",
      name: "agents",
      registry: "containers.ghe.example.com",
    });
    expect(
      enterprise(
        "https://github.com/old-org/old-repo.git git@github.com:old-org/old-repo.git ghcr.io/old-org/old-repo/agent",
        "a",
      ).text,
    ).toBe(
      "https://ghe.example.com/platform/agents.git git@ghe.example.com:platform/agents.git containers.ghe.example.com/platform/agents/agent",
    );
  });

  it("keeps names that already name the target in another case, except image names", () => {
    const same = makeRewriter(to, to);
    expect(same("acme-corp/my.agent my.agent ghcr.io/Acme-Corp/My.Agent/x", "a")).toEqual({
      text: "acme-corp/my.agent my.agent ghcr.io/acme-corp/my.agent/x",
      count: 1,
    });
  });

  it("counts only places that change", () => {
    const same = makeRewriter(from, from);
    expect(same("ghcr.io/old-org/old-repo/a", "a")).toEqual({
      text: "ghcr.io/old-org/old-repo/a",
      count: 0,
    });
  });
});

describe("a repository name that is also a common word", () => {
  const generic = makeRewriter({ ...from, name: "agents" }, to);

  it("is replaced with its owner, in URLs and images, and as the package.json name only", () => {
    const text = [
      "repoURL: https://github.com/old-org/agents.git",
      "image: ghcr.io/old-org/agents/agent",
      "metadata:\n  name: agents # the AppProject",
      '{ "name": "agents" }',
    ].join("\n");
    expect(generic(text, "x.yaml").text).toBe(
      [
        "repoURL: https://github.com/Acme-Corp/My.Agent.git",
        "image: ghcr.io/acme-corp/my.agent/agent",
        "metadata:\n  name: agents # the AppProject",
        '{ "name": "agents" }',
      ].join("\n"),
    );
    expect(generic('{\n  "name": "Agents",\n  "private": true\n}', "package.json").text).toBe(
      '{\n  "name": "my.agent",\n  "private": true\n}',
    );
  });

  it("is told apart from distinctive names", () => {
    expect(isDistinctiveName("agents")).toBe(false);
    expect(isDistinctiveName("a-b")).toBe(false);
    expect(isDistinctiveName("my-agent")).toBe(true);
    expect(isDistinctiveName("agent_platform")).toBe(true);
  });
});

describe("npmName", () => {
  it("lower-cases and drops leading dots and underscores", () => {
    expect(npmName("My-Agent")).toBe("my-agent");
    expect(npmName("_private.repo")).toBe("private.repo");
    expect(npmName("..")).toBe("app");
  });
});

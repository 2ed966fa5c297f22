import { describe, expect, it } from "vitest";
import { SetupError } from "../src/errors.ts";
import { defaultRegistry, parseRepository, slug } from "../src/remote.ts";

describe("parseRepository", () => {
  it.each([
    ["acme/my-agent", "github.com", "acme", "my-agent"],
    ["https://github.com/acme/my-agent.git", "github.com", "acme", "my-agent"],
    ["https://github.com/acme/my-agent", "github.com", "acme", "my-agent"],
    ["https://github.com/acme/my-agent/", "github.com", "acme", "my-agent"],
    ["http://github.com/acme/my-agent.git", "github.com", "acme", "my-agent"],
    [
      "https://x-access-token:secret@github.com/acme/my-agent.git",
      "github.com",
      "acme",
      "my-agent",
    ],
    ["git@github.com:acme/my-agent.git", "github.com", "acme", "my-agent"],
    ["git@github.com:acme/my-agent", "github.com", "acme", "my-agent"],
    ["ssh://git@github.com/acme/my-agent.git", "github.com", "acme", "my-agent"],
    ["ssh://git@ssh.github.com:443/acme/my-agent.git", "github.com", "acme", "my-agent"],
    ["git://github.com/acme/my-agent.git", "github.com", "acme", "my-agent"],
    ["https://WWW.GitHub.com/Acme/My.Agent.git", "github.com", "Acme", "My.Agent"],
    ["https://ghe.example.com/platform/agents.git", "ghe.example.com", "platform", "agents"],
    ["git@ghe.example.com:platform/agents.git", "ghe.example.com", "platform", "agents"],
    ["ssh://git@ghe.example.com:2222/platform/agents", "ghe.example.com", "platform", "agents"],
    ["https://acme.ghe.com/octo_acme/agents", "acme.ghe.com", "octo_acme", "agents"],
    ["  acme/my_agent \n", "github.com", "acme", "my_agent"],
  ])("reads %s", (input, host, owner, name) => {
    expect(parseRepository(input)).toEqual({ host, owner, name });
  });

  it.each([
    ["", /it is empty/],
    ["my-agent", /neither <owner>\/<name> nor a clone URL/],
    ["/srv/git/my-agent.git", /neither <owner>\/<name> nor a clone URL/],
    ["file:///srv/git/acme/my-agent.git", /file:\/\/ is not a GitHub remote/],
    [
      "https://gitlab.com/group/sub/my-agent.git",
      /path "\/group\/sub\/my-agent.git" is not <owner>\/<name>/,
    ],
    ["https://github.com/acme", /is not <owner>\/<name>/],
    ["-acme/my-agent", /"-acme" is not a valid GitHub owner/],
    ["acme/my agent", /neither/],
    ["acme/..", /"\.\." is not a valid GitHub repository name/],
    ["https://exa mple.com/a/b", /not a valid URL/],
  ])("refuses %j with a message saying what to do", (input, reason) => {
    const error = (() => {
      try {
        parseRepository(input);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SetupError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain("--repo <owner>/<name>");
  });
});

describe("defaultRegistry", () => {
  it("is ghcr.io on github.com and containers.<host> on GitHub Enterprise", () => {
    expect(defaultRegistry("github.com")).toBe("ghcr.io");
    expect(defaultRegistry("ghe.example.com")).toBe("containers.ghe.example.com");
    expect(defaultRegistry("acme.ghe.com")).toBe("containers.acme.ghe.com");
  });
});

describe("slug", () => {
  it("joins owner and name", () => {
    expect(slug({ owner: "acme", name: "x" })).toBe("acme/x");
  });
});

import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bumpArgs,
  DEV,
  DIGEST_A,
  DIGEST_B,
  DIGEST_C,
  fixturePerTest,
  forAgent,
  git,
  gitEnv,
  gitops,
  IMAGE,
  PRODUCTION,
  read,
  renderedImage,
  STAGING,
} from "./helpers/repos.ts";

const fx = fixturePerTest();

const HOLD = "gitops/apps/agent/overlays/dev/HOLD";

async function deploy(clone: string, tag: string, source: string, digest: string): Promise<void> {
  const result = await gitops(clone, bumpArgs(tag, source, digest));
  expect(result.code, result.stderr).toBe(0);
}

/** dev ran main-1111111, then main-2222222, and now runs main-3333333. */
async function threeDeploys(): Promise<string> {
  const clone = fx.clone();
  await deploy(clone, "main-1111111", fx.sources[1]!, DIGEST_A);
  await deploy(clone, "main-2222222", fx.sources[2]!, DIGEST_B);
  await deploy(clone, "main-3333333", fx.sources[3]!, DIGEST_C);
  return clone;
}

describe("gitops rollback", () => {
  it("restores the previous image exactly in a new commit and holds the environment", async () => {
    const clone = await threeDeploys();
    const result = await gitops(clone, ["rollback", "--app", "agent", "--env", "dev"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("gitops release --app agent --env dev");
    expect(read(clone, DEV)).toContain(
      `newTag: main-2222222 # first build\n    digest: ${DIGEST_B}\n`,
    );
    expect(renderedImage(clone, DEV)).toBe(`${IMAGE}:main-2222222@${DIGEST_B}`);
    expect(read(clone, HOLD)).toContain("reason: rollback");
    expect(git(clone, ["log", "-1", "--format=%s"])).toBe("rollback(agent): dev to main-2222222");
    const trailers = git(clone, ["log", "-1", "--format=%(trailers:unfold,only)"]);
    expect(trailers).toContain(`Source-Commit: ${fx.sources[2]}`);
    expect(trailers).toContain("Rolled-Back-From: main-3333333");
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(git(clone, ["rev-parse", "HEAD"]));
  });

  it("goes back to a named tag", async () => {
    const clone = await threeDeploys();
    expect(
      (await gitops(clone, ["rollback", "--app", "agent", "--env", "dev", "--to", "main-1111111"]))
        .code,
    ).toBe(0);
    expect(read(clone, DEV)).toContain(
      `newTag: main-1111111 # first build\n    digest: ${DIGEST_A}\n`,
    );
  });

  it("goes back a number of distinct images, dropping a digest the earlier entry did not have", async () => {
    const other = await threeDeploys();
    expect(
      (await gitops(other, ["rollback", "--app", "agent", "--env", "dev", "--steps", "3"])).code,
    ).toBe(0);
    expect(read(other, DEV)).toContain("newTag: main-0000000 # first build\n");
    expect(read(other, DEV)).not.toContain("digest:");
  });

  it("explains a tag the environment never ran, too many steps, and bad flags", async () => {
    const clone = await threeDeploys();
    const unknown = await gitops(clone, forAgent("rollback", "--env", "dev", "--to", "v9"));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('never ran tag "v9"');
    expect(unknown.stderr).toContain("main-2222222, main-1111111, main-0000000");
    const current = await gitops(
      clone,
      forAgent("rollback", "--env", "dev", "--to", "main-3333333"),
    );
    expect(current.stderr).toContain("already runs main-3333333");
    const far = await gitops(clone, ["rollback", "--app", "agent", "--env", "dev", "--steps", "9"]);
    expect(far.stderr).toContain("only 3 earlier image(s)");
    const both = await gitops(
      clone,
      forAgent("rollback", "--env", "dev", "--to", "x", "--steps", "1"),
    );
    expect(both.code).toBe(2);
    const zero = await gitops(clone, forAgent("rollback", "--env", "dev", "--steps", "0"));
    expect(zero.stderr).toContain("--steps must be a whole number");
  });

  it("holds: bump is refused with a way out, and release or promote lifts the hold", async () => {
    const clone = await threeDeploys();
    await gitops(clone, ["rollback", "--app", "agent", "--env", "dev"]);
    const refused = await gitops(
      clone,
      forAgent("bump", "--env", "dev", "--tag", "main-4444444", "--source-commit", fx.sources[3]!),
    );
    expect(refused.code).toBe(4); // EXIT_ON_HOLD: the ship workflow reports it as a notice
    expect(refused.stderr).toContain("on hold");
    expect(refused.stderr).toContain("gitops release --app agent --env dev");
    expect(refused.stderr).toContain("gitops promote --app agent --from <env> --to dev");

    const released = await gitops(clone, ["release", "--app", "agent", "--env", "dev"]);
    expect(released.code, released.stderr).toBe(0);
    expect(existsSync(join(clone, HOLD))).toBe(false);
    expect(git(clone, ["log", "-1", "--format=%s"])).toBe("release(agent): lift the hold on dev");
    const again = await gitops(clone, ["release", "--app", "agent", "--env", "dev"]);
    expect(again.stdout).toContain("not on hold");

    const bumped = await gitops(
      clone,
      forAgent("bump", "--env", "dev", "--tag", "main-4444444", "--source-commit", fx.sources[3]!),
    );
    expect(bumped.code, bumped.stderr).toBe(0);
  });

  it("a git revert of the rollback commit restores the image and lifts the hold", async () => {
    const clone = await threeDeploys();
    await gitops(clone, ["rollback", "--app", "agent", "--env", "dev"]);
    git(clone, ["revert", "--no-edit", "HEAD"]);
    expect(existsSync(join(clone, HOLD))).toBe(false);
    expect(read(clone, DEV)).toContain("newTag: main-3333333");
  });

  it("works locally with --no-push", async () => {
    const clone = await threeDeploys();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const result = await gitops(clone, ["rollback", "--app", "agent", "--env", "dev", "--no-push"]);
    expect(result.stdout).toContain("not pushed");
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(before);
    const released = await gitops(clone, forAgent("release", "--env", "dev", "--no-push"));
    expect(released.stdout).toContain("not pushed");
  });
});

describe("gitops promote", () => {
  it("copies the exact tag and digest onto a new branch and stays on the current one", async () => {
    const clone = await threeDeploys();
    const result = await gitops(
      clone,
      forAgent("promote", "--from", "dev", "--to", "staging", "--push"),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "gh pr create --fill --head promote/agent-staging-main-3333333",
    );
    expect(git(clone, ["branch", "--show-current"])).toBe("main");
    const branch = "promote/agent-staging-main-3333333";
    const promoted = git(fx.origin, ["show", `${branch}:${STAGING}`]);
    expect(promoted).toContain(`newTag: main-3333333 # first build\n    digest: ${DIGEST_C}\n`);
    expect(promoted).toContain("count: 2");
    expect(git(fx.origin, ["log", "-1", "--format=%s", branch])).toBe(
      "promote(agent): main-3333333 to staging",
    );
    const trailers = git(fx.origin, ["log", "-1", "--format=%(trailers:unfold,only)", branch]);
    expect(trailers).toContain(`Source-Commit: ${fx.sources[3]}`);
    expect(trailers).toContain("Promoted-From: dev");
    // Only the staging overlay changed.
    expect(git(fx.origin, ["diff", "--name-only", "main", branch])).toBe(STAGING);
  });

  it("lifts a hold on the target, and is a no-op when the target already runs the image", async () => {
    const clone = await threeDeploys();
    await gitops(clone, ["rollback", "--app", "agent", "--env", "dev", "--no-push"]);
    // production takes dev's (rolled back) image, then dev is promoted from production: same image, hold lifted.
    expect(
      (
        await gitops(
          clone,
          forAgent("promote", "--from", "dev", "--to", "production", "--branch", "p1"),
        )
      ).code,
    ).toBe(0);
    git(clone, ["merge", "--quiet", "--ff-only", "p1"]);
    expect(read(clone, PRODUCTION)).toContain("newTag: main-2222222");
    const lift = await gitops(
      clone,
      forAgent("promote", "--from", "production", "--to", "dev", "--branch", "p2"),
    );
    expect(lift.code, lift.stderr).toBe(0);
    // Not pushed: the hint says to push the branch before opening the pull request.
    expect(lift.stdout).toContain(
      "git push --set-upstream origin p2 && gh pr create --fill --head p2",
    );
    expect(git(clone, ["show", "--name-status", "--format=", "p2"])).toBe(`D\t${HOLD}`);
    const noop = await gitops(clone, forAgent("promote", "--from", "dev", "--to", "production"));
    expect(noop.stdout).toContain("nothing to promote");
  });

  it("promotes a release image (tag, digest, source commit) without a source environment", async () => {
    const clone = fx.clone();
    const result = await gitops(
      clone,
      forAgent(
        "promote",
        "--to",
        "staging",
        "--tag",
        "1.2.0",
        "--digest",
        DIGEST_A,
        "--source-commit",
        fx.sources[2]!,
        "--branch",
        "release/agent-1.2.0",
      ),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(git(clone, ["show", `release/agent-1.2.0:${STAGING}`])).toContain(
      `newTag: 1.2.0 # first build\n    digest: ${DIGEST_A}\n`,
    );
    expect(git(clone, ["log", "-1", "--format=%B", "release/agent-1.2.0"])).toContain(
      `Source-Commit: ${fx.sources[2]}`,
    );
    const mixed = await gitops(
      clone,
      forAgent("promote", "--from", "dev", "--to", "staging", "--tag", "1.2.0"),
    );
    expect(mixed.code).toBe(2);
    const neither = await gitops(clone, ["promote", "--app", "agent", "--to", "staging"]);
    expect(neither.stderr).toContain("give --from <env> or --tag <tag>");
  });

  it("names what is wrong", async () => {
    const clone = await threeDeploys();
    const same = await gitops(clone, ["promote", "--app", "agent", "--from", "dev", "--to", "dev"]);
    expect(same.stderr).toContain("promote between two environments");
    const unknown = await gitops(clone, forAgent("promote", "--from", "dev", "--to", "qa"));
    expect(unknown.stderr).toContain('unknown environment "qa"');
    await gitops(
      clone,
      forAgent("promote", "--from", "dev", "--to", "staging", "--branch", "taken"),
    );
    const taken = await gitops(
      clone,
      forAgent("promote", "--from", "dev", "--to", "production", "--branch", "taken"),
    );
    expect(taken.stderr).toContain("branch taken already exists");
  });
});

describe("gitops history", () => {
  it("lists deployments, rollbacks, reverts and releases with tag, source, time and author", async () => {
    const clone = await threeDeploys();
    await gitops(
      clone,
      ["rollback", "--app", "agent", "--env", "dev"],
      gitEnv("Rita Rollback", "rita@example.com"),
    );
    await gitops(clone, ["release", "--app", "agent", "--env", "dev"]);
    git(clone, ["revert", "--no-edit", "HEAD~1"]);
    const result = await gitops(clone, forAgent("history", "--env", "dev", "--limit", "10"));
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("agent/dev");
    expect(lines[1]).toMatch(/^WHEN\s+TAG\s+SOURCE\s+AUTHOR\s+WHAT\s+COMMIT$/);
    const kinds = lines.slice(2).map((line) => line.split(/\s{2,}/));
    expect(kinds.map((cells) => cells[4])).toEqual([
      "revert",
      "release",
      "rollback (hold)",
      "deploy",
      "deploy",
      "deploy",
      "edit",
    ]);
    expect(kinds[2]).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      "main-2222222",
      fx.sources[2]!.slice(0, 7),
      "Rita Rollback",
      "rollback (hold)",
      expect.any(String),
    ]);
    // The revert brought back main-3333333, whose source commit is known from its deploy.
    expect(kinds[0]!.slice(1, 3)).toEqual(["main-3333333", fx.sources[3]!.slice(0, 7)]);

    const json = JSON.parse(
      (await gitops(clone, ["history", "--app", "agent", "--env", "dev", "--json"])).stdout,
    );
    expect(json[3]).toMatchObject({
      kind: "deploy",
      sourceCommit: fx.sources[3],
      image: { newTag: "main-3333333", digest: DIGEST_C },
    });
  });

  it("checks its flags", async () => {
    const clone = fx.clone();
    expect(
      (await gitops(clone, ["history", "--app", "agent", "--env", "dev", "--limit", "x"])).code,
    ).toBe(2);
    expect((await gitops(clone, ["history", "--app", "agent", "--env", "prod"])).stderr).toContain(
      "unknown environment",
    );
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bumpArgs,
  DEV,
  DEV_KUSTOMIZATION,
  DIGEST_A,
  DIGEST_B,
  fixturePerTest,
  forAgent,
  git,
  gitops,
  gitopsProcess,
  IMAGE,
  NO_GLOBAL_CONFIG,
  read,
  renderedImage,
} from "./helpers/repos.ts";

const fx = fixturePerTest();

function trailers(repo: string, rev = "HEAD"): Record<string, string> {
  const out = git(repo, ["log", "-1", "--format=%(trailers:unfold,only)", rev]);
  return Object.fromEntries(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
  );
}

/**
 * Makes `other`'s local commits reach origin right before `clone`'s next push (once), as when
 * two CI jobs push at the same moment: the push from `clone` is then rejected.
 */
function racePushFrom(clone: string, other: string): void {
  const hook = join(clone, ".git/hooks/pre-push");
  writeFileSync(
    hook,
    // The hook runs in the command's worktree, with git's variables for it set: unset them so the
    // push below acts on the other clone.
    `#!/bin/sh\nmarker="$(git rev-parse --git-common-dir)/raced"\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\nif [ ! -f "$marker" ]; then touch "$marker"; git -C "${other}" push --quiet origin HEAD:main; fi\n`,
    { mode: 0o755 },
  );
}

describe("gitops bump", () => {
  it("sets the tag and digest, keeps every other byte, commits with trailers and pushes", async () => {
    const clone = fx.clone();
    const result = await gitops(clone, [
      ...bumpArgs("main-1111111", fx.sources[1]!),
      "--workflow-run",
      "https://github.com/example-org/agent-gitops-template/actions/runs/42",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("pushed to origin/main");

    const after = read(clone, DEV);
    const expected = DEV_KUSTOMIZATION.replace(
      "    newTag: main-0000000 # first build\n",
      `    newTag: main-1111111 # first build\n    digest: ${DIGEST_A}\n`,
    );
    expect(after).toBe(expected);

    expect(git(clone, ["log", "-1", "--format=%s"])).toBe("deploy(agent): main-1111111 to dev");
    expect(trailers(clone)).toEqual({
      "Source-Commit": fx.sources[1],
      "Image-Tag": "main-1111111",
      "Image-Digest": DIGEST_A,
      "Workflow-Run": "https://github.com/example-org/agent-gitops-template/actions/runs/42",
    });
    // Only the overlay changed in the commit, and origin has it.
    expect(git(clone, ["show", "--name-only", "--format=", "HEAD"])).toBe(DEV);
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(git(clone, ["rev-parse", "HEAD"]));
  });

  it("drops a stale digest when the new image comes without one", async () => {
    const clone = fx.clone();
    expect((await gitops(clone, bumpArgs("main-1111111", fx.sources[0]!))).code).toBe(0);
    const result = await gitops(clone, forAgent("bump", "--env", "dev", "--tag", "main-2222222"));
    expect(result.code).toBe(0);
    expect(read(clone, DEV)).toBe(DEV_KUSTOMIZATION.replace("main-0000000", "main-2222222"));
  });

  it("exits 0 without a commit when the environment already runs the image", async () => {
    const clone = fx.clone();
    await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    const head = git(clone, ["rev-parse", "HEAD"]);
    const again = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to do");
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(head);
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(head);
  });

  it("refuses an out-of-order run: a source commit older than the deployed one", async () => {
    const clone = fx.clone();
    await gitops(clone, bumpArgs("main-3333333", fx.sources[2]!));
    const head = git(clone, ["rev-parse", "HEAD"]);
    const late = await gitops(clone, bumpArgs("main-1111111", fx.sources[0]!, DIGEST_B));
    expect(late.code).toBe(3);
    expect(late.stderr).toContain("out-of-order");
    expect(late.stderr).toContain("gitops rollback --app agent --env dev --to <tag>");
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(head);
    expect(read(clone, DEV)).toContain("main-3333333");
  });

  it("allows a rebuild of the deployed commit and a newer commit", async () => {
    const clone = fx.clone();
    expect((await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!))).code).toBe(0);
    expect((await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!, DIGEST_B))).code).toBe(0);
    expect((await gitops(clone, bumpArgs("main-3333333", fx.sources[3]!))).code).toBe(0);
    expect(read(clone, DEV)).toContain("newTag: main-3333333");
  });

  it("lands both of two bumps made from stale clones, and the newer commit wins", async () => {
    const first = fx.clone();
    const second = fx.clone();
    // first deploys the older build while second is between its fetch and its push.
    expect(
      (await gitops(first, [...bumpArgs("main-1111111", fx.sources[1]!), "--no-push"])).code,
    ).toBe(0);
    racePushFrom(second, first);
    const late = await gitops(second, bumpArgs("main-3333333", fx.sources[3]!, DIGEST_B));
    expect(late.code).toBe(0);
    expect(late.stdout).toContain("after 2 attempts");
    const subjects = git(fx.origin, ["log", "--format=%s", "-2", "main"]).split("\n");
    expect(subjects).toEqual([
      "deploy(agent): main-3333333 to dev",
      "deploy(agent): main-1111111 to dev",
    ]);
    expect(git(fx.origin, ["show", `main:${DEV}`])).toContain("newTag: main-3333333");
  });

  it("refuses the older of two racing bumps when the newer one landed first", async () => {
    const first = fx.clone();
    const second = fx.clone();
    expect(
      (await gitops(first, [...bumpArgs("main-3333333", fx.sources[3]!), "--no-push"])).code,
    ).toBe(0);
    racePushFrom(second, first);
    const stale = await gitops(second, bumpArgs("main-1111111", fx.sources[1]!, DIGEST_B));
    expect(stale.code, stale.stdout + stale.stderr).toBe(3);
    expect(stale.stderr).toContain("out-of-order");
    expect(git(fx.origin, ["show", `main:${DEV}`])).toContain("newTag: main-3333333");
  });

  it("settles two bumps running at the same time in separate processes on the newer commit", async () => {
    const first = fx.clone();
    const second = fx.clone();
    const [older, newer] = await Promise.all([
      gitopsProcess(first, bumpArgs("main-1111111", fx.sources[1]!)),
      gitopsProcess(second, bumpArgs("main-3333333", fx.sources[3]!, DIGEST_B)),
    ]);
    expect(newer.code, newer.stderr).toBe(0);
    // The older one either landed first or was refused as out of order; never last.
    if (older.code !== 0) expect(older.stderr).toContain("out-of-order");
    expect(git(fx.origin, ["show", `main:${DEV}`])).toContain("newTag: main-3333333");
    expect(git(fx.origin, ["log", "-1", "--format=%s", "main"])).toBe(
      "deploy(agent): main-3333333 to dev",
    );
  });

  it("a git revert of a bump brings back the previous image", async () => {
    const clone = fx.clone();
    await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    await gitops(clone, bumpArgs("main-2222222", fx.sources[2]!, DIGEST_B));
    git(clone, ["revert", "--no-edit", "HEAD"]);
    git(clone, ["push", "--quiet", "origin", "main"]);
    expect(read(clone, DEV)).toContain(
      `newTag: main-1111111 # first build\n    digest: ${DIGEST_A}`,
    );
    expect(renderedImage(clone, DEV)).toBe(`${IMAGE}:main-1111111@${DIGEST_A}`);
    // The revert left sources[1] deployed, so a newer build may deploy again, an older one not.
    expect((await gitops(clone, bumpArgs("main-0000001", fx.sources[0]!))).code).toBe(3);
    expect((await gitops(clone, bumpArgs("main-2222222", fx.sources[2]!, DIGEST_B))).code).toBe(0);
  });

  it("commits locally only with --no-push", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const result = await gitops(clone, [...bumpArgs("main-1111111", fx.sources[1]!), "--no-push"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("not pushed");
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(before);
    expect(git(clone, ["log", "-1", "--format=%s"])).toBe("deploy(agent): main-1111111 to dev");
  });

  it("looks the source commit up in --source-repo when the gitops tree lives elsewhere", async () => {
    const clone = fx.clone();
    const appRepo = fx.clone("app");
    const short = fx.sources[1]!.slice(0, 7);
    const result = await gitops(
      clone,
      forAgent(
        "bump",
        "--env",
        "dev",
        "--tag",
        "main-1111111",
        "--source-commit",
        short,
        "--source-repo",
        appRepo,
      ),
    );
    expect(result.code).toBe(0);
    expect(trailers(clone)["Source-Commit"]).toBe(fx.sources[1]);
  });

  it("asks for history (or --force) when the deployed commit is unknown", async () => {
    const clone = fx.clone();
    await gitops(clone, bumpArgs("main-1111111", "1234567890abcdef1234567890abcdef12345678"));
    const blocked = await gitops(clone, bumpArgs("main-2222222", fx.sources[2]!, DIGEST_B));
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("fetch-depth: 0");
    const forced = await gitops(clone, [
      ...bumpArgs("main-2222222", fx.sources[2]!, DIGEST_B),
      "--force",
    ]);
    expect(forced.code).toBe(0);
  });
});

describe("gitops bump errors name what to do", () => {
  it.each([
    [["--app", "nope", "--env", "dev", "--tag", "t1"], 'unknown app "nope"', 1],
    [["--app", "agent", "--env", "qa", "--tag", "t1"], 'unknown environment "qa"', 1],
    [["--app", "agent", "--env", "dev", "--tag=-bad"], "malformed image tag", 1],
    [["--app", "agent", "--env", "dev", "--tag", "main:1"], "malformed image tag", 1],
    [["--app", "agent", "--env", "dev", "--tag", "latest"], 'image tag "latest" moves', 1],
    [
      ["--app", "agent", "--env", "dev", "--tag", "t1", "--digest", "sha256:xyz"],
      "malformed image digest",
      1,
    ],
    [
      ["--app", "agent", "--env", "dev", "--tag", "t1", "--source-commit", "HEAD"],
      "malformed commit",
      1,
    ],
    [["--app", "agent", "--env", "dev"], "missing --tag", 2],
    [["--app", "agent", "--env", "dev", "--tag", "t1", "--bogus"], "Unknown option '--bogus'", 2],
    [["--app", "agent", "--env", "dev", "--tag", ""], "--tag needs a value", 2],
  ])("%j", async (args, message, code) => {
    const clone = fx.clone();
    const result = await gitops(clone, ["bump", ...args]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(code);
  });

  it("refuses an overlay with two kustomization files, as kustomize does", async () => {
    const clone = fx.clone();
    writeFileSync(join(clone, DEV.replace(/\.yaml$/, ".yml")), read(clone, DEV));
    git(clone, ["add", "-A"]);
    git(clone, ["commit", "--quiet", "-m", "second kustomization file"]);
    git(clone, ["push", "--quiet", "origin", "main"]);
    const head = git(clone, ["rev-parse", "HEAD"]);
    const result = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "found multiple kustomization files (kustomization.yaml, kustomization.yml)",
    );
    expect(result.stderr).toContain("keep only one");
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(head);
  });

  it("refuses a dirty tree", async () => {
    const clone = fx.clone();
    writeFileSync(join(clone, DEV), "# edited by hand\n", { flag: "a" });
    const result = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("uncommitted changes");
    expect(result.stderr).toContain("git stash");
  });

  it("needs a remote to push to, unless --no-push", async () => {
    const clone = fx.clone();
    git(clone, ["remote", "remove", "origin"]);
    const result = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no git remote "origin"');
    expect(result.stderr).toContain("--no-push");
    expect(
      (await gitops(clone, [...bumpArgs("main-1111111", fx.sources[1]!), "--no-push"])).code,
    ).toBe(0);
  });

  it("refuses a detached HEAD", async () => {
    const clone = fx.clone();
    git(clone, ["checkout", "--quiet", "--detach"]);
    const result = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("git switch main");
  });

  it("says so outside a git repository", async () => {
    const result = await gitops(fx.dir, bumpArgs("main-1111111", fx.sources[1]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not inside a git repository");
  });

  it("says who to be when git has no identity", async () => {
    const clone = fx.clone();
    const env = {
      PATH: process.env.PATH,
      HOME: fx.dir,
      GIT_CONFIG_GLOBAL: NO_GLOBAL_CONFIG,
      GIT_CONFIG_NOSYSTEM: "1",
    };
    const result = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!), env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("git config user.name");
  });

  it("reports a push the remote refuses for another reason", async () => {
    const clone = fx.clone();
    git(clone, ["remote", "set-url", "--push", "origin", join(fx.dir, "missing.git")]);
    const result = await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("git push origin main failed");
  });

  it("uses the image name from gitops/repository.yaml", async () => {
    const clone = fx.clone();
    await gitops(clone, bumpArgs("main-1111111", fx.sources[1]!));
    expect(read(clone, DEV)).toContain(`- name: ${IMAGE}\n`);
  });
});

/**
 * What a bump must never do, whatever happens around it: ship a commit that is not its own,
 * leave a half-done change in the clone, report a failure for a deploy that landed, hang on a
 * silent remote, or give up while other bumps race it.
 */
import { rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gateHook, startGitops, waitFor } from "./helpers/cli-process.ts";
import {
  bumpArgs,
  DEV,
  fixturePerTest,
  forAgent,
  git,
  gitEnv,
  gitops,
  gitopsProcess,
  read,
  STAGING,
} from "./helpers/repos.ts";

const fx = fixturePerTest();

function originLog(since: string): string[] {
  const out = git(fx.origin, ["log", "--reverse", "--format=%s", `${since}..main`]);
  return out === "" ? [] : out.split("\n");
}

/** The clone as a user finds it: no changes, no commits the remote lacks, only its own worktree. */
function expectUsable(clone: string): void {
  expect(git(clone, ["status", "--porcelain"])).toBe("");
  expect(git(clone, ["worktree", "list", "--porcelain"]).match(/^worktree /gm)).toHaveLength(1);
}

function bumpTo(env: string, tag: string): string[] {
  return forAgent("bump", "--env", env, "--tag", tag);
}

describe("a bump pushes exactly its own commit", () => {
  it("drops its commit when the remote refuses the push, so the next bump ships only its own", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const hook = join(fx.origin, "hooks/pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'deploys are frozen' >&2\nexit 1\n", { mode: 0o755 });
    const refused = await gitops(clone, bumpTo("dev", "main-1111111"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("pre-receive hook declined");
    expect(refused.stderr).toContain("Nothing was deployed");
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(before);
    expectUsable(clone);

    writeFileSync(hook, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const next = await gitops(clone, bumpTo("staging", "main-2222222"));
    expect(next.code, next.stderr).toBe(0);
    expect(originLog(before)).toEqual(["deploy(agent): main-2222222 to staging"]);
    expect(git(fx.origin, ["show", `main:${DEV}`])).toContain("newTag: main-0000000");
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(git(fx.origin, ["rev-parse", "main"]));
  });

  it("refuses, naming them, when the clone holds commits the remote does not have", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    writeFileSync(join(clone, "notes.txt"), "work in progress\n");
    git(clone, ["add", "notes.txt"]);
    git(clone, ["commit", "--quiet", "-m", "wip: half a feature"]);
    const mine = git(clone, ["rev-parse", "--short=7", "HEAD"]);
    const result = await gitops(clone, bumpTo("dev", "main-1111111"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${mine} wip: half a feature`);
    expect(result.stderr).toContain("git push origin main");
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(before);
    expect(git(clone, ["log", "-1", "--format=%s"])).toBe("wip: half a feature");
  });

  it("starts from the remote tip when the clone is behind it, and brings the clone along", async () => {
    const behind = fx.clone();
    const other = fx.clone();
    expect((await gitops(other, bumpTo("staging", "main-2222222"))).code).toBe(0);
    const result = await gitops(behind, bumpTo("dev", "main-1111111"));
    expect(result.code, result.stderr).toBe(0);
    expect(git(fx.origin, ["log", "-2", "--format=%s", "main"]).split("\n")).toEqual([
      "deploy(agent): main-1111111 to dev",
      "deploy(agent): main-2222222 to staging",
    ]);
    expect(git(behind, ["rev-parse", "HEAD"])).toBe(git(fx.origin, ["rev-parse", "main"]));
    expect(read(behind, STAGING)).toContain("newTag: main-2222222");
  });
});

describe("credentials in CI", () => {
  it("reaches the remote through config included only for the clone and its worktrees, as actions/checkout writes it", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    // actions/checkout (v6.0.1 and later) keeps the token in a file of its own, included for
    // <repo>/.git and <repo>/.git/worktrees/*. Here the included file is what makes the remote
    // reachable at all (the URL's scheme has no transport without it).
    const included = join(fx.dir, "credentials.gitconfig");
    writeFileSync(included, `[url "${fx.origin}"]\n\tinsteadOf = ci-remote://repo\n`);
    const gitDir = join(clone, ".git");
    git(clone, ["config", `includeIf.gitdir:${gitDir}.path`, included]);
    git(clone, ["config", `includeIf.gitdir:${gitDir}/worktrees/*.path`, included]);
    git(clone, ["remote", "set-url", "origin", "ci-remote://repo"]);
    const result = await gitops(clone, bumpTo("dev", "main-1111111"));
    expect(result.code, result.stderr).toBe(0);
    expect(originLog(before)).toEqual(["deploy(agent): main-1111111 to dev"]);
  });
});

describe("an interrupted bump", () => {
  it("killed between add and commit leaves the clone usable for the next bump", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const gate = gateHook(clone, "pre-commit");
    const run = startGitops(clone, bumpTo("dev", "main-1111111"));
    await waitFor(gate.reached, "the commit to start");
    process.kill(-run.child.pid!, "SIGKILL");
    expect((await run.done).signal).toBe("SIGKILL");
    expect(git(clone, ["status", "--porcelain"])).toBe("");

    gate.open();
    const next = await gitops(clone, bumpTo("dev", "main-2222222"));
    expect(next.code, next.stderr).toBe(0);
    expect(originLog(before)).toEqual(["deploy(agent): main-2222222 to dev"]);
    expectUsable(clone);
  });

  it("killed between commit and push ships nothing of its own with the next bump", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const gate = gateHook(clone, "pre-push");
    const run = startGitops(clone, bumpTo("dev", "main-1111111"));
    await waitFor(gate.reached, "the push to start");
    process.kill(-run.child.pid!, "SIGKILL");
    expect((await run.done).signal).toBe("SIGKILL");
    gate.open("fail"); // the push it had started does not land either
    rmSync(join(clone, ".git/hooks/pre-push"));

    const next = await gitops(clone, bumpTo("staging", "main-2222222"));
    expect(next.code, next.stderr).toBe(0);
    expect(originLog(before)).toEqual(["deploy(agent): main-2222222 to staging"]);
    expectUsable(clone);
  });

  it("on SIGTERM before pushing, stops with 143 and says nothing was deployed", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const gate = gateHook(clone, "pre-commit");
    const run = startGitops(clone, bumpTo("dev", "main-1111111"));
    await waitFor(gate.reached, "the commit to start");
    process.kill(run.child.pid!, "SIGTERM");
    gate.open();
    const result = await run.done;
    expect(result.code, result.stderr).toBe(143);
    expect(result.stderr).toContain("interrupted by SIGTERM before pushing: nothing was deployed");
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(before);
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(before);
    expectUsable(clone);
  });

  it("on SIGTERM while pushing, waits for the push and reports that it landed", async () => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const gate = gateHook(clone, "pre-push");
    const run = startGitops(clone, bumpTo("dev", "main-1111111"));
    await waitFor(gate.reached, "the push to start");
    process.kill(run.child.pid!, "SIGTERM");
    gate.open();
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("pushed to origin/main");
    expect(result.stderr).toContain("SIGTERM arrived while pushing");
    expect(originLog(before)).toEqual(["deploy(agent): main-1111111 to dev"]);
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(git(fx.origin, ["rev-parse", "main"]));
    expectUsable(clone);
  });
});

describe("values that go into the commit message", () => {
  it.each([
    ["--workflow-run", "https://example.com/runs/1\nSource-Commit: 1234567"],
    ["--workflow-run", "https://example.com/runs/1\rSource-Commit: 1234567"],
    ["--workflow-run", "https://example.com/runs/1\u2028x"],
    ["--workflow-run", "https://example.com/runs/\u001b[31m1"],
  ])("refuses %s with a control character", async (flag, value) => {
    const clone = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    const result = await gitops(clone, [...bumpTo("dev", "main-1111111"), flag, value]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(
      new RegExp(`^gitops bump: ${flag} contains a control character \\(U\\+[0-9A-F]{4}\\)`),
    );
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(before);
  });

  it("a forged Source-Commit line cannot switch off the order check", async () => {
    const clone = fx.clone();
    expect((await gitops(clone, bumpArgs("main-3333333", fx.sources[3]!))).code).toBe(0);
    // An older build whose run URL carries a trailer naming a newer commit.
    const forged = await gitops(clone, [
      ...bumpArgs("main-1111111", fx.sources[0]!),
      "--workflow-run",
      `https://example.com/runs/1\nSource-Commit: ${fx.sources[3]}`,
    ]);
    expect(forged.code).toBe(2);
    expect(git(fx.origin, ["show", `main:${DEV}`])).toContain("newTag: main-3333333");
  });
});

/** A TCP server on loopback that accepts connections and never says a word. */
async function silentServer(): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `git://127.0.0.1:${port}/repo.git`, server, sockets };
}

async function closeServer(silent: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of silent.sockets) socket.destroy();
  await new Promise((resolve) => silent.server.close(resolve));
}

describe("a remote that accepts and never answers", () => {
  const env = { ...gitEnv(), GITOPS_GIT_TIMEOUT: "1" };

  it("stops the fetch after the timeout with one line that says what to do", async () => {
    const silent = await silentServer();
    try {
      const clone = fx.clone();
      git(clone, ["remote", "set-url", "origin", silent.url]);
      const started = Date.now();
      const result = await gitops(clone, bumpTo("dev", "main-1111111"), env);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "gitops bump: git fetch origin main got no answer within 1 s: check the remote (git remote -v) and the network, or allow more time with GITOPS_GIT_TIMEOUT=<seconds> (now 1), then run the command again.\n",
      );
      expect(silent.sockets.length).toBeGreaterThan(0);
      expectUsable(clone);
    } finally {
      await closeServer(silent);
    }
  });

  it("stops the push after the timeout and tells whether it landed", async () => {
    const silent = await silentServer();
    try {
      const clone = fx.clone();
      const before = git(clone, ["rev-parse", "HEAD"]);
      git(clone, ["remote", "set-url", "--push", "origin", silent.url]);
      const result = await gitops(clone, bumpTo("dev", "main-1111111"), env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "git push origin main got no answer within 1 s and did not land: nothing was deployed.",
      );
      expect(git(clone, ["rev-parse", "HEAD"])).toBe(before);
      expectUsable(clone);
    } finally {
      await closeServer(silent);
    }
  });

  it("refuses a timeout that is not a number of seconds", async () => {
    const clone = fx.clone();
    const result = await gitops(clone, bumpTo("dev", "main-1111111"), {
      ...gitEnv(),
      GITOPS_GIT_TIMEOUT: "soon",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GITOPS_GIT_TIMEOUT="soon" is not a number of seconds');
  });
});

describe("bumps racing each other", () => {
  it("keeps trying while other writers win the race many times in a row", async () => {
    const clone = fx.clone();
    const other = fx.clone();
    const before = git(fx.origin, ["rev-parse", "main"]);
    // Before each of the first 8 pushes, another writer lands a commit first.
    writeFileSync(
      join(clone, ".git/hooks/pre-push"),
      `#!/bin/sh
count="$(git rev-parse --git-common-dir)/races"
n=$(cat "$count" 2>/dev/null || echo 0)
[ "$n" -ge 8 ] && exit 0
echo $((n + 1)) > "$count"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
cd "${other}" && echo "$n" > race.txt && git add race.txt && git commit --quiet -m "race $n" && git push --quiet origin HEAD:main
`,
      { mode: 0o755 },
    );
    const result = await gitops(clone, bumpTo("dev", "main-1111111"));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("after 9 attempts");
    const log = originLog(before);
    expect(log).toHaveLength(9);
    expect(log.at(-1)).toBe("deploy(agent): main-1111111 to dev");
  }, 120_000);

  it("lands every bump of 5 clones x 3 bumps exactly once, each clone's in its order", async () => {
    const before = git(fx.origin, ["rev-parse", "main"]);
    const clones = Array.from({ length: 5 }, () => fx.clone());
    const results = await Promise.all(
      clones.map(async (clone, c) => {
        const codes: string[] = [];
        for (let b = 1; b <= 3; b++) {
          const result = await gitopsProcess(clone, bumpTo("dev", `main-${c}${b}00000`));
          codes.push(`${result.code} ${result.stderr.trim()}`);
        }
        return codes;
      }),
    );
    expect(results.flat()).toEqual(Array(15).fill("0 "));
    const log = originLog(before);
    expect(log).toHaveLength(15);
    for (let c = 0; c < 5; c++) {
      const mine = log.filter((subject) => subject.includes(`main-${c}`));
      expect(mine).toEqual([1, 2, 3].map((b) => `deploy(agent): main-${c}${b}00000 to dev`));
    }
  }, 300_000);
});

/**
 * Repository checks and the push loop shared by every command that commits: a clean tree,
 * a branch, a remote, and a push that survives a concurrent writer by re-applying its change.
 */
import { GitopsError } from "../command.ts";
import type { Git } from "./git.ts";

export const DEFAULT_REMOTE = "origin";
/**
 * Pushes are retried this many times when another writer got there first: every app a push
 * ships bumps at the same moment, and each lost race means another bump landed.
 */
export const MAX_PUSH_ATTEMPTS = 10;

export function requireCleanTree(git: Git): void {
  const status = git.run(["status", "--porcelain", "--untracked-files=no"]);
  if (status.trim() !== "") {
    const files = status
      .split("\n")
      .slice(0, 10)
      .map((line) => `  ${line.trim()}`)
      .join("\n");
    throw new GitopsError(
      `the working tree has uncommitted changes:\n${files}\ncommit or stash them first (git stash), then run the command again.`,
    );
  }
}

export function currentBranch(git: Git): string {
  const result = git.try(["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (result.code !== 0) {
    throw new GitopsError(
      "HEAD is detached: check out the branch the environments live on (git switch main), then run the command again.",
    );
  }
  return result.stdout.trim();
}

export function requireRemote(git: Git, remote: string): void {
  const remotes = git.run(["remote"]).split("\n").filter(Boolean);
  if (!remotes.includes(remote)) {
    const known = remotes.length
      ? `known remotes: ${remotes.join(", ")}`
      : "this clone has no remote";
    throw new GitopsError(
      `no git remote "${remote}" (${known}): add it (git remote add ${remote} <url>), name another with --remote, or pass --no-push to commit locally only.`,
    );
  }
}

export function requireIdentity(git: Git): void {
  if (!git.ok(["var", "GIT_COMMITTER_IDENT"])) {
    throw new GitopsError(
      'git does not know who you are: set git config user.name "Your Name" and git config user.email you@example.com, then run the command again.',
    );
  }
}

/** Brings the local branch up to date with the remote one (fast-forward, or replay local commits). */
export function syncWithRemote(git: Git, remote: string, branch: string): void {
  const fetched = git.try(["fetch", "--quiet", remote, branch]);
  if (fetched.code !== 0) {
    if (/couldn't find remote ref/i.test(fetched.stderr)) return; // a branch the remote does not have yet
    throw new GitopsError(
      `git fetch ${remote} ${branch} failed: ${fetched.stderr.trim()}\ncheck the remote URL and your credentials (git remote -v), then run the command again.`,
    );
  }
  const upstream = `refs/remotes/${remote}/${branch}`;
  git.run(["update-ref", upstream, "FETCH_HEAD"]);
  if (git.ok(["merge-base", "--is-ancestor", upstream, "HEAD"])) return; // nothing new upstream
  const rebase = git.try(["rebase", "--quiet", upstream]);
  if (rebase.code !== 0) {
    git.try(["rebase", "--abort"]);
    throw new GitopsError(
      `your branch ${branch} and ${remote}/${branch} have diverged and do not rebase cleanly: reconcile them (git pull --rebase), then run the command again.`,
    );
  }
}

export type PushOutcome = "pushed" | "rejected";

export function pushOnce(git: Git, remote: string, branch: string): PushOutcome {
  const result = git.try(["push", "--quiet", remote, `HEAD:refs/heads/${branch}`]);
  if (result.code === 0) return "pushed";
  if (
    /\[rejected\]|\(fetch first\)|non-fast-forward|failed to update ref|cannot lock ref/i.test(
      result.stderr,
    )
  ) {
    return "rejected";
  }
  throw new GitopsError(
    `git push ${remote} ${branch} failed: ${result.stderr.trim()}\ncheck that you may push to ${remote} (credentials, branch protection); or pass --no-push and open a pull request instead.`,
  );
}

export type Attempt<T> = { kind: "commit"; value: T } | { kind: "done"; value: T };

/**
 * Applies a change and pushes it; when the push is rejected because someone else pushed first,
 * drops the local commit, catches up with the remote and applies the change again on the new
 * state (which may now be a no-op or a refusal). This is a rebase that re-checks its rules.
 */
export async function commitAndPush<T>(
  git: Git,
  remote: string,
  branch: string,
  apply: () => Attempt<T>,
  attempts = MAX_PUSH_ATTEMPTS,
): Promise<{ value: T; pushed: boolean; attempts: number }> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = apply();
    if (result.kind === "done") return { value: result.value, pushed: false, attempts: attempt };
    if (pushOnce(git, remote, branch) === "pushed") {
      return { value: result.value, pushed: true, attempts: attempt };
    }
    git.run(["reset", "--quiet", "--hard", "HEAD~1"]);
    await sleep(50 * attempt + Math.floor(Math.random() * 100 * attempt));
    syncWithRemote(git, remote, branch);
  }
  throw new GitopsError(
    `gave up after ${attempts} attempts: ${remote}/${branch} kept moving while pushing. Run the command again.`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Repository checks and the network steps shared by every command that commits: a clean tree,
 * a branch, a remote, a bounded fetch, and a push of exactly one commit.
 */
import { GitopsError } from "../command.ts";
import type { Interrupt } from "../interrupt.ts";
import { type Git, NETWORK_TIMEOUT_VARIABLE, networkTimeoutSeconds } from "./git.ts";

export const DEFAULT_REMOTE = "origin";

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

/** A commit id as people read it. */
export function short(sha: string): string {
  return sha.slice(0, 7);
}

function timeoutHint(git: Git): string {
  return `check the remote (git remote -v) and the network, or allow more time with ${NETWORK_TIMEOUT_VARIABLE}=<seconds> (now ${networkTimeoutSeconds(git.env)})`;
}

/**
 * The commit the remote branch points at, fetched into this worktree's FETCH_HEAD only: no
 * remote-tracking ref is written, so commands running side by side in one clone do not
 * compete for its lock. Undefined when the remote has no such branch.
 */
export async function fetchBranch(
  git: Git,
  remote: string,
  branch: string,
  interrupt?: Interrupt,
): Promise<string | undefined> {
  const fetched = await git.network(
    ["fetch", "--quiet", "--no-tags", "--refmap=", remote, `refs/heads/${branch}`],
    interrupt?.abortSignal,
  );
  if (fetched.aborted) interrupt?.check();
  if (fetched.timedOut) {
    throw new GitopsError(
      `git fetch ${remote} ${branch} got no answer within ${networkTimeoutSeconds(git.env)} s: ${timeoutHint(git)}, then run the command again.`,
    );
  }
  if (fetched.code !== 0) {
    if (/couldn't find remote ref/i.test(fetched.stderr)) return undefined;
    throw new GitopsError(
      `git fetch ${remote} ${branch} failed: ${fetched.stderr.trim()}\ncheck the remote URL and your credentials (git remote -v), then run the command again.`,
    );
  }
  return git.run(["rev-parse", "--verify", "FETCH_HEAD^{commit}"]);
}

/**
 * Refuses to publish from a clone whose branch holds commits the remote does not have: a
 * command pushes exactly its own commit, never someone's unfinished work along with it.
 */
export function requireNothingUnpushed(
  clone: Git,
  remoteTip: string,
  remote: string,
  branch: string,
): void {
  const out = clone.run(["log", "--format=%h %s", `${remoteTip}..HEAD`]);
  if (out === "") return;
  const commits = out.split("\n");
  const listed = commits
    .slice(0, 10)
    .map((line) => `  ${line}`)
    .join("\n");
  const more = commits.length > 10 ? `\n  ... and ${commits.length - 10} more` : "";
  throw new GitopsError(
    `${branch} has ${commits.length} commit(s) that ${remote}/${branch} does not have, and this command pushes only its own:\n${listed}${more}\n` +
      `push them first (git push ${remote} ${branch}) or drop them (git reset --hard ${remote}/${branch}), then run the command again; or pass --no-push to commit locally only.`,
  );
}

export type PushOutcome = "pushed" | "rejected";

const RACE =
  /\[rejected\]|\(fetch first\)|non-fast-forward|failed to update ref|cannot lock ref|incorrect old value/i;

/** Pushes `sha` as the new tip of the remote branch: accepted, or rejected because the branch moved. */
export async function pushCommit(
  git: Git,
  remote: string,
  branch: string,
  sha: string,
): Promise<PushOutcome> {
  // Not aborted by an interrupt: a push that has started is left to finish, so its outcome is known.
  const result = await git.network(["push", "--quiet", remote, `${sha}:refs/heads/${branch}`]);
  if (result.code === 0) return "pushed";
  if (result.timedOut) {
    const seconds = networkTimeoutSeconds(git.env);
    let tip: string | undefined;
    try {
      tip = await fetchBranch(git, remote, branch);
    } catch {
      throw new GitopsError(
        `git push ${remote} ${branch} got no answer within ${seconds} s, and whether commit ${short(sha)} landed is unknown (${remote} does not answer): see git ls-remote ${remote} ${branch} once it does; running the command again is safe.`,
      );
    }
    if (tip !== undefined && git.ok(["merge-base", "--is-ancestor", sha, tip])) return "pushed";
    throw new GitopsError(
      `git push ${remote} ${branch} got no answer within ${seconds} s and did not land: nothing was deployed. ${timeoutHint(git)}, then run the command again.`,
    );
  }
  if (RACE.test(result.stderr)) return "rejected";
  throw new GitopsError(
    `git push ${remote} ${branch} failed: ${result.stderr.trim()}\ncheck that you may push to ${remote} (credentials, branch protection, hooks); or pass --no-push and open a pull request instead. Nothing was deployed, and the clone is as it was.`,
  );
}

/** Pushes are retried this many times when another writer got there first. */
export const MAX_PUSH_ATTEMPTS = 30;

/** Full jitter, growing to at most 2 s: many racing writers spread out instead of colliding again. */
export function retryDelay(attempt: number): number {
  return Math.floor(Math.random() * Math.min(2000, 100 * 2 ** (attempt - 1)));
}

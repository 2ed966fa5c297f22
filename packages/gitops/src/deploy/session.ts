/**
 * What every committing verb does first (find the repository, check it, fetch) and last
 * (commit, push, bring the clone along). The change is made in a temporary worktree on top of
 * the remote branch, so the user's work tree and index are never touched until the commit has
 * landed, and what is pushed is exactly that one commit.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type CommandContext, GitopsError } from "../command.ts";
import { Git } from "../git/git.ts";
import {
  currentBranch,
  DEFAULT_REMOTE,
  fetchBranch,
  MAX_PUSH_ATTEMPTS,
  pushCommit,
  requireCleanTree,
  requireIdentity,
  requireNothingUnpushed,
  requireRemote,
  retryDelay,
  short,
} from "../git/repo.ts";
import { createWorktree, removeLeftoverWorktrees, type Worktree } from "../git/worktree.ts";
import { Interrupt } from "../interrupt.ts";
import { findRepoRoot } from "../layout.ts";

export interface Session {
  /** Where the change is made: the temporary worktree (read and write files here). */
  root: string;
  /** git in that worktree. */
  git: Git;
  /** git in the user's clone. */
  clone: Git;
  remote: string;
  branch: string;
  push: boolean;
  interrupt: Interrupt;
  stderr: (text: string) => void;
  /** Removes the worktree and stops listening for signals; safe to call twice. */
  close(): void;
}

export interface SessionOptions {
  remote?: string | undefined;
  push: boolean;
  /** Validates the arguments against the tree before anything is fetched. */
  check?: (root: string) => void;
}

function remoteBranchMissing(remote: string, branch: string): GitopsError {
  return new GitopsError(
    `${remote} has no branch ${branch} yet: push it first (git push --set-upstream ${remote} ${branch}), then run the command again.`,
  );
}

export async function openSession(ctx: CommandContext, options: SessionOptions): Promise<Session> {
  const root = findRepoRoot(ctx.cwd);
  const clone = new Git(root, ctx.env);
  options.check?.(root);
  const remote = options.remote ?? DEFAULT_REMOTE;
  requireCleanTree(clone);
  requireIdentity(clone);
  const branch = currentBranch(clone);
  if (options.push) requireRemote(clone, remote);
  removeLeftoverWorktrees(clone);
  const interrupt = new Interrupt().listen();
  let worktree: Worktree | undefined;
  const close = () => {
    worktree?.remove();
    interrupt.stop();
  };
  try {
    worktree = createWorktree(clone, "HEAD");
    if (options.push) {
      const tip = await fetchBranch(worktree.git, remote, branch, interrupt);
      if (tip === undefined) throw remoteBranchMissing(remote, branch);
      requireNothingUnpushed(clone, tip, remote, branch);
      worktree.git.run(["reset", "--quiet", "--hard", tip]);
    }
    return {
      root: worktree.dir,
      git: worktree.git,
      clone,
      remote,
      branch,
      push: options.push,
      interrupt,
      stderr: ctx.stderr,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** Commits exactly these paths (added, changed or deleted) and returns the new commit id. */
export function commitPaths(git: Git, paths: readonly string[], message: string): string {
  git.run(["add", "-A", "--", ...paths]);
  git.run(["commit", "--quiet", "--file=-", "--", ...paths], message);
  return git.run(["rev-parse", "HEAD"]);
}

/** A change applied once: committed in the worktree, or nothing to commit (a no-op). */
export type Attempt<T> = { kind: "commit"; value: T } | { kind: "done"; value: T };

export interface Published<T> {
  value: T;
  pushed: boolean;
  attempts: number;
}

/**
 * Moves the user's branch to `sha` when that is a fast-forward, as a pull would; the commit has
 * landed already, so a clone that cannot follow gets a note, not a failure.
 */
function followInClone(session: Session, sha: string): void {
  const { clone } = session;
  if (clone.run(["rev-parse", "HEAD"]) === sha) return;
  const merged = clone.ok(["merge-base", "--is-ancestor", "HEAD", sha])
    ? clone.try(["merge", "--quiet", "--ff-only", sha])
    : undefined;
  if (merged?.code !== 0) {
    session.stderr(
      `note: ${session.branch} in this clone was not moved to ${short(sha)} (it changed meanwhile): git pull --ff-only brings it along.\n`,
    );
  }
}

/**
 * Applies the change and pushes it; when the push is rejected because someone else pushed
 * first, drops the commit, starts again from the new remote tip and applies the change again
 * (which may now be a no-op or a refusal): a rebase that re-checks its rules. Without push, the
 * commit goes onto the user's branch. Either way the session is closed at the end.
 */
export async function publish<T>(session: Session, apply: () => Attempt<T>): Promise<Published<T>> {
  const { git, interrupt } = session;
  try {
    if (!session.push) {
      const result = apply();
      if (result.kind === "commit") {
        const sha = git.run(["rev-parse", "HEAD"]);
        const moved = session.clone.try(["merge", "--quiet", "--ff-only", sha]);
        if (moved.code !== 0) {
          throw new GitopsError(
            `committed ${short(sha)} but could not move ${session.branch} to it (${moved.stderr.trim()}): git merge --ff-only ${sha} takes it.`,
          );
        }
      }
      return { value: result.value, pushed: false, attempts: 1 };
    }
    for (let attempt = 1; attempt <= MAX_PUSH_ATTEMPTS; attempt++) {
      const base = git.run(["rev-parse", "HEAD"]);
      const result = apply();
      await interrupt.settle();
      if (result.kind === "done") {
        followInClone(session, base);
        return { value: result.value, pushed: false, attempts: attempt };
      }
      const sha = git.run(["rev-parse", "HEAD"]);
      if ((await pushCommit(git, session.remote, session.branch, sha)) === "pushed") {
        followInClone(session, sha);
        if (interrupt.received) {
          session.stderr(
            `note: ${interrupt.received} arrived while pushing; the push had started and landed, so the change is deployed.\n`,
          );
        }
        return { value: result.value, pushed: true, attempts: attempt };
      }
      interrupt.check();
      await sleep(retryDelay(attempt), undefined, { signal: interrupt.abortSignal }).catch(() => {
        interrupt.check();
      });
      const tip = await fetchBranch(git, session.remote, session.branch, interrupt);
      if (tip === undefined) throw remoteBranchMissing(session.remote, session.branch);
      git.run(["reset", "--quiet", "--hard", tip]);
    }
    throw new GitopsError(
      `gave up after ${MAX_PUSH_ATTEMPTS} attempts: ${session.remote}/${session.branch} kept moving while pushing. Run the command again.`,
    );
  } finally {
    session.close();
  }
}

export { short } from "../git/repo.ts";

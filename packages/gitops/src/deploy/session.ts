/** What every committing verb does first (find the repository, check it) and last (commit, push). */
import type { CommandContext } from "../command.ts";
import { Git } from "../git/git.ts";
import {
  type Attempt,
  commitAndPush,
  currentBranch,
  DEFAULT_REMOTE,
  requireCleanTree,
  requireIdentity,
  requireRemote,
  syncWithRemote,
} from "../git/repo.ts";
import { findRepoRoot } from "../layout.ts";

export interface Session {
  root: string;
  git: Git;
  remote: string;
  branch: string;
  push: boolean;
}

export interface SessionOptions {
  remote?: string | undefined;
  push: boolean;
  /** Validates the arguments against the tree before anything is fetched. */
  check?: (root: string) => void;
}

export function openSession(ctx: CommandContext, options: SessionOptions): Session {
  const root = findRepoRoot(ctx.cwd);
  const git = new Git(root, ctx.env);
  options.check?.(root);
  const remote = options.remote ?? DEFAULT_REMOTE;
  requireCleanTree(git);
  requireIdentity(git);
  const branch = currentBranch(git);
  if (options.push) {
    requireRemote(git, remote);
    syncWithRemote(git, remote, branch);
  }
  return { root, git, remote, branch, push: options.push };
}

/** Commits exactly these paths (added, changed or deleted) and returns the new commit id. */
export function commitPaths(git: Git, paths: readonly string[], message: string): string {
  git.run(["add", "-A", "--", ...paths]);
  git.run(["commit", "--quiet", "--file=-", "--", ...paths], message);
  return git.run(["rev-parse", "HEAD"]);
}

export interface Published<T> {
  value: T;
  pushed: boolean;
  attempts: number;
}

/** Applies the change once (no push), or in the push-and-retry loop. */
export async function publish<T>(session: Session, apply: () => Attempt<T>): Promise<Published<T>> {
  if (!session.push) {
    const result = apply();
    return { value: result.value, pushed: false, attempts: 1 };
  }
  return commitAndPush(session.git, session.remote, session.branch, apply);
}

export function short(sha: string): string {
  return sha.slice(0, 7);
}

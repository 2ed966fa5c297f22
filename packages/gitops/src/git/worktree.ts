/**
 * Temporary worktrees: every committing verb makes its change in one, never in the user's own
 * work tree and index, so a command stopped at any point (even by SIGKILL) leaves the clone as it
 * was. They live under the clone's git directory, named after the process that made them; the
 * next command removes those whose process is gone.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Git } from "./git.ts";

export interface Worktree {
  dir: string;
  git: Git;
  remove(): void;
}

function worktreesDir(clone: Git): string {
  const common = clone.run(["rev-parse", "--git-common-dir"]);
  return join(resolve(clone.cwd, common), "gitops", "worktrees");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeWorktree(clone: Git, dir: string): void {
  if (clone.try(["worktree", "remove", "--force", "--force", dir]).code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    clone.try(["worktree", "prune"]);
  }
}

/** A detached worktree of the clone at `rev`. */
export function createWorktree(clone: Git, rev: string): Worktree {
  const dir = join(worktreesDir(clone), `${process.pid}-${randomBytes(4).toString("hex")}`);
  clone.run(["worktree", "add", "--quiet", "--detach", dir, rev]);
  let removed = false;
  return {
    dir,
    git: new Git(dir, clone.env),
    remove() {
      if (removed) return;
      removed = true;
      removeWorktree(clone, dir);
    },
  };
}

/** Removes the worktrees that commands stopped before cleaning up left behind. */
export function removeLeftoverWorktrees(clone: Git): string[] {
  const dir = worktreesDir(clone);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name.split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    removeWorktree(clone, join(dir, name));
    removed.push(name);
  }
  return removed;
}

/** The files of a working tree that a repository-wide rewrite may touch. */
import { execFileSync } from "node:child_process";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

// Never rewritten: lockfiles carry integrity hashes of what they name.
const LOCKFILES = new Set(["pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lock"]);
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist", "coverage", ".turbo", "out"]);
const MAX_BYTES = 10 * 1024 * 1024;

/** Tracked and untracked-but-not-ignored files (git's view), or a walk when root is not a git tree. */
export function listFiles(root: string): string[] {
  let files: string[];
  try {
    const out = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    files = out.split("\0").filter(Boolean);
  } catch {
    files = walk(root, root);
  }
  return [...new Set(files)].sort();
}

function walk(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...walk(root, join(dir, entry.name)));
    } else if (entry.isFile()) {
      out.push(relative(root, join(dir, entry.name)).split(sep).join("/"));
    }
  }
  return out;
}

/** The text of a file worth rewriting, or undefined: symlinks, lockfiles, binaries, huge files. */
export function readText(root: string, file: string): string | undefined {
  const base = file.split("/").at(-1) ?? file;
  if (LOCKFILES.has(base)) return undefined;
  const path = join(root, file);
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined; // listed by git but deleted in the working tree
  }
  if (!stat.isFile() || stat.size > MAX_BYTES) return undefined;
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  const text = bytes.toString("utf8");
  // Not UTF-8 (it would not survive the round trip): left alone.
  return Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
}

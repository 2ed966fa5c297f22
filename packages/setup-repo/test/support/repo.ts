/** Temporary copies of this repository and small git fixtures; nothing here writes into the real tree. */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseRepositoryFile, type RepositorySettings } from "../../src/repository-file.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "../../../..");

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: GIT_ENV, stdio: "pipe" });
}

/** The repository the real tree names today (the template's, in the template itself). */
export function currentRepository(): RepositorySettings {
  return parseRepositoryFile(readFileSync(join(REPO_ROOT, "gitops/repository.yaml"), "utf8"));
}

/** What this package owns: taken from the working tree, so its own changes are tested before they are committed. */
const OWN_PATHS = [
  "packages/setup-repo/",
  "turbo/generators/",
  ".github/workflows/setup-repo.yaml",
  "docs/new-agent.md",
];

/**
 * A git repository in a temp dir holding the real tree's last commit (what a clone gets),
 * with this package's own files as they are in the working tree; committed once.
 */
export function copyRepo(prefix = "setup-repo-copy-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync("sh", ["-c", `git archive --format=tar HEAD | tar -x -C "${dir}"`], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const own = git(
    REPO_ROOT,
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
    "--",
    ...OWN_PATHS,
  )
    .split("\0")
    .filter(Boolean);
  for (const file of own) {
    const from = join(REPO_ROOT, file);
    const to = join(dir, file);
    if (!existsSync(from)) {
      rmSync(to, { force: true });
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    if (isLink(from)) {
      rmSync(to, { force: true });
      symlinkSync(readlinkSync(from), to);
    } else {
      copyFileSync(from, to);
      // Keeps scripts executable (scripts/*.sh, bin/*.mjs).
      chmodSync(to, statSync(from).mode & 0o777);
    }
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "copy");
  return dir;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Points the copy's node_modules at the real tree's, so its tools run without an install. */
export function linkNodeModules(copy: string) {
  symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"));
  for (const group of ["apps", "packages"]) {
    const base = join(REPO_ROOT, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const modules = join(base, name, "node_modules");
      if (existsSync(modules) && existsSync(join(copy, group, name))) {
        symlinkSync(modules, join(copy, group, name, "node_modules"));
      }
    }
  }
}

/** A small git repository with the given files, committed once. */
export function fixtureRepo(files: Record<string, string>, prefix = "setup-repo-fixture-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "fixture");
  return dir;
}

/**
 * Every line of every file (outside .git and node_modules) containing one of the needles, any
 * case (a string is looked for as it is, a RegExp as it says).
 */
export function grepTree(dir: string, needles: (string | RegExp)[]): string[] {
  const matchers = needles.map((needle) =>
    typeof needle === "string"
      ? (text: string) => text.includes(needle.toLowerCase())
      : (text: string) => new RegExp(needle.source, "i").test(text),
  );
  const hits: string[] = [];
  const walk = (at: string, rel: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === ".git" || entry.name === "node_modules") continue;
      const path = join(at, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path, relPath);
      else if (entry.isFile()) {
        readFileSync(path, "utf8")
          .split("\n")
          .forEach((line, i) => {
            const text = line.toLowerCase();
            if (matchers.some((matches) => matches(text)))
              hits.push(`${relPath}:${i + 1}: ${line}`);
          });
      }
    }
  };
  walk(dir, "");
  return hits;
}

/** Contents of every file git sees, to compare two states of a tree. */
export function snapshot(dir: string): Map<string, string> {
  const files = git(dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    .split("\0")
    .filter(Boolean);
  // A tracked symlink (kustomize-ts's test cases have some, to directories too) is its target.
  const content = (path: string) =>
    lstatSync(path).isSymbolicLink()
      ? `symlink -> ${readlinkSync(path)}`
      : readFileSync(path, "utf8");
  return new Map(
    files.filter((f) => existsSync(join(dir, f))).map((f) => [f, content(join(dir, f))]),
  );
}

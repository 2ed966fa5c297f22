/** The gitops tree as it was at a commit, written to a temporary directory for rendering. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Git } from "../git/git.ts";
import { readBlobs } from "../git/log.ts";

/** Writes every file under `prefix` at `rev` into a new temporary directory and returns it. */
export function snapshot(git: Git, rev: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gitops-snapshot-"));
  const listing = git.run(["ls-tree", "-r", "-z", "--full-tree", rev, "--", prefix]);
  const paths = listing
    .split("\0")
    .filter(Boolean)
    .map((line) => line.slice(line.indexOf("\t") + 1));
  const blobs = readBlobs(
    git,
    paths.map((path) => `${rev}:${path}`),
  );
  paths.forEach((path, index) => {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, blobs[index] ?? "");
  });
  return dir;
}

/**
 * Commit messages with git trailers (`Key: value` lines in the last paragraph), written by the
 * gitops commands and read back by `history`, `rollback` and the out-of-order check.
 */
import { GitopsError } from "../command.ts";
import type { Git } from "./git.ts";

export const TRAILERS = {
  sourceCommit: "Source-Commit",
  imageTag: "Image-Tag",
  imageDigest: "Image-Digest",
  workflowRun: "Workflow-Run",
  rolledBackFrom: "Rolled-Back-From",
  promotedFrom: "Promoted-From",
} as const;

export type Trailers = Partial<Record<string, string>>;

/** C0 and C1 controls (newline, carriage return, escape...) and the Unicode line separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/**
 * Refuses a value with a control character. In a commit message a line break would start a
 * new line, which could forge a trailer (a `Source-Commit:` the order check then trusts).
 */
export function requireOneLine(
  what: string,
  value: string,
  error: (message: string) => Error = (message) => new GitopsError(message),
): string {
  const match = CONTROL.exec(value);
  if (match) {
    const code = `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    throw error(
      `${what} contains a control character (${code}) in ${JSON.stringify(value)}: pass it on one line, without control characters.`,
    );
  }
  return value;
}

/** A commit message; every part must be one line, so no value can add lines of its own. */
export function formatMessage(
  subject: string,
  body: readonly string[],
  trailers: Trailers,
): string {
  requireOneLine("the commit subject", subject);
  for (const line of body) requireOneLine("a commit message line", line);
  const lines = Object.entries(trailers)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "")
    .map(([key, value]) => `${key}: ${requireOneLine(`the ${key} trailer`, value)}`);
  return [subject, "", ...(body.length ? [...body, ""] : []), ...lines, ""].join("\n");
}

export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  /** ISO 8601 author date. */
  date: string;
  subject: string;
  trailers: Record<string, string>;
}

const FIELD = "\x1f";
const RECORD = "\x1e";

export function parseTrailers(block: string): Record<string, string> {
  const trailers: Record<string, string> = {};
  for (const line of block.split("\n")) {
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line.trim());
    if (match) trailers[match[1]!] = match[2]!.trim();
  }
  return trailers;
}

/** Commits that touched `path`, newest first. */
export function logPath(git: Git, path: string, limit: number, ref = "HEAD"): CommitInfo[] {
  const format = ["%H", "%an", "%ae", "%aI", "%s", "%(trailers:unfold,only)"].join("%x1f");
  const out = git.try(["log", `-n${limit}`, `--format=${format}%x1e`, ref, "--", path]);
  if (out.code !== 0) return []; // no commits yet
  return out.stdout
    .split(RECORD)
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record.trim() !== "")
    .map((record) => {
      const [sha = "", author = "", email = "", date = "", subject = "", trailers = ""] =
        record.split(FIELD);
      return { sha, author, email, date, subject, trailers: parseTrailers(trailers) };
    });
}

/**
 * Reads many `<rev>:<path>` blobs with one git process; a missing one comes back undefined.
 * Sizes are bytes, so the output is handled as a Buffer.
 */
export function readBlobs(git: Git, specs: readonly string[]): (string | undefined)[] {
  if (specs.length === 0) return [];
  const out = git.tryBuffer(["cat-file", "--batch"], `${specs.join("\n")}\n`);
  const results: (string | undefined)[] = [];
  let offset = 0;
  for (let i = 0; i < specs.length; i++) {
    const newline = out.indexOf(0x0a, offset);
    const header = out.subarray(offset, newline).toString("utf8");
    offset = newline + 1;
    const match = /^\S+ (\S+) (\d+)$/.exec(header);
    if (!match) {
      results.push(undefined); // "<spec> missing" or "ambiguous"
      continue;
    }
    const size = Number(match[2]);
    results.push(
      match[1] === "blob" ? out.subarray(offset, offset + size).toString("utf8") : undefined,
    );
    offset += size + 1;
  }
  return results;
}

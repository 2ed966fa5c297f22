/**
 * Bad input to the committing commands: each gets one clear line, exit 1 or 2, and changes
 * nothing (no commit, no file, no half-done worktree), whatever the value tries to do.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixture, DIGEST_A, type Fixture, git, gitops } from "./helpers/repos.ts";

let fx: Fixture;
let clone: string;
let origin: string;
beforeAll(() => {
  fx = createFixture();
  clone = fx.clone();
  origin = git(fx.origin, ["rev-parse", "main"]);
});
afterAll(() => fx.cleanup());

const TAG = "main-1111111";
const bump = (flags: Record<string, string>): string[] => [
  "bump",
  ...Object.entries({ app: "agent", env: "dev", tag: TAG, ...flags }).flatMap(([k, v]) => [
    `--${k}=${v}`,
  ]),
];

const NAMES = [
  "../agent",
  "..",
  "agent/overlays/dev",
  "dev/../staging",
  "/etc",
  "dev;touch pwned",
  "$(touch pwned)",
  "`touch pwned`",
  "dev|touch pwned",
  "dev && touch pwned",
  "-dev",
  "DEV",
  "dev ",
  "dév",
  "a".repeat(64),
  "dev\nSource-Commit: 1234567",
  "dev\r",
  "dev\u0000",
];

const CASES: [string, string[], RegExp][] = [
  ...NAMES.flatMap((name): [string, string[], RegExp][] => [
    [`app ${JSON.stringify(name)}`, bump({ app: name }), /invalid app name|control character/],
    [
      `env ${JSON.stringify(name)}`,
      bump({ env: name }),
      /invalid environment name|control character/,
    ],
  ]),
  ...[
    `${TAG}\n`,
    "main 1",
    "main$(touch pwned)",
    "a".repeat(129),
    ".hidden",
    "-x",
    "mäin",
    "main:1",
    `sha256:${"a".repeat(64)}`,
    "main/1",
  ].map((tag): [string, string[], RegExp] => [
    `tag ${JSON.stringify(tag)}`,
    bump({ tag }),
    /malformed image tag|control character/,
  ]),
  ...[
    `sha256:${"a".repeat(63)}`,
    `sha256:${"a".repeat(65)}`,
    `sha256:${"A".repeat(64)}`,
    `sha512:${"a".repeat(128)}`,
    `sha256:${"g".repeat(64)}`,
    `${DIGEST_A}\n`,
    `sha256-${"a".repeat(64)}`,
    "a".repeat(64),
  ].map((digest): [string, string[], RegExp] => [
    `digest ${JSON.stringify(digest)}`,
    bump({ digest }),
    /malformed image digest|control character/,
  ]),
  ...["HEAD~1", "--all", "abc123", "A".repeat(40), "1".repeat(65), "main"].map(
    (commit): [string, string[], RegExp] => [
      `source commit ${JSON.stringify(commit)}`,
      bump({ "source-commit": commit }),
      /malformed commit/,
    ],
  ),
  ["rollback env ..", ["rollback", "--app=agent", "--env=.."], /invalid environment name/],
  ["release app ../x", ["release", "--app=../x", "--env=dev"], /invalid app name/],
  ["history app ../x", ["history", "--app=../x", "--env=dev"], /invalid app name/],
  [
    "promote from ../dev",
    ["promote", "--app=agent", "--from=../dev", "--to=staging"],
    /invalid environment name/,
  ],
  [
    "promote workflow run with a line break",
    ["promote", "--app=agent", "--from=dev", "--to=staging", "--workflow-run=x\nImage-Tag: y"],
    /control character/,
  ],
];

describe("hostile input to the gitops commands", () => {
  it.each(CASES)("%s is refused with one clear line", async (_name, args, message) => {
    const result = await gitops(clone, args);
    expect([1, 2]).toContain(result.code);
    const [first, ...rest] = result.stderr.split("\n");
    expect(first).toMatch(/^gitops \w+: /);
    expect(first).toMatch(message);
    // Exit 1 is the one line alone; exit 2 adds the command's usage after a blank line.
    if (result.code === 1) expect(rest).toEqual([""]);
    else expect(rest[0]).toBe("");
    expect(result.stdout).toBe("");
    expect(git(fx.origin, ["rev-parse", "main"])).toBe(origin);
    expect(git(clone, ["rev-parse", "HEAD"])).toBe(origin);
    expect(git(clone, ["status", "--porcelain"])).toBe("");
    expect(existsSync(join(clone, "pwned")) || existsSync("pwned")).toBe(false);
    const worktrees = join(clone, ".git/gitops/worktrees");
    expect(existsSync(worktrees) ? readdirSync(worktrees) : []).toEqual([]);
  });
});

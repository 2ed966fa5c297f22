/**
 * `pnpm dev` (scripts/dev.mjs): runs turbo's dev tasks in loose env mode with the arguments
 * given (`pnpm dev --filter <package>`), loads the root .env without overriding the shell, and
 * exits with turbo's code. turbo is replaced here by a script that reports what it was given.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/repository.ts";

const root = mkdtempSync(join(tmpdir(), "setup-repo-dev-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "scripts"));
mkdirSync(join(root, "node_modules/.bin"), { recursive: true });
for (const file of ["package.json", "scripts/dev.mjs", "scripts/check-node.mjs"]) {
  copyFileSync(join(ROOT, file), join(root, file));
}
const turbo = join(root, "node_modules/.bin/turbo");
writeFileSync(
  turbo,
  `#!${process.execPath}
const { FROM_ENV_FILE, SHELL_WINS } = process.env;
console.log(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), FROM_ENV_FILE, SHELL_WINS }));
process.exit(3);
`,
);
chmodSync(turbo, 0o755);

function dev(args: string[]) {
  const { FROM_ENV_FILE: _a, SHELL_WINS: _b, ...inherited } = process.env;
  return spawnSync(process.execPath, [join(root, "scripts/dev.mjs"), ...args], {
    cwd: tmpdir(),
    encoding: "utf8",
    timeout: 30_000,
    env: { ...inherited, SHELL_WINS: "shell" },
  });
}

describe("pnpm dev", () => {
  it("runs every app's dev task through turbo in loose env mode, passing the arguments on", () => {
    const result = dev(["--filter", "@repo/billing-bot"]);
    expect(result.status).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      argv: ["run", "dev", "--env-mode=loose", "--filter", "@repo/billing-bot"],
      cwd: root,
      SHELL_WINS: "shell",
    });
  });

  it("loads the root .env, the shell's variables winning", () => {
    writeFileSync(join(root, ".env"), "FROM_ENV_FILE=yes\nSHELL_WINS=file\n");
    const result = dev([]);
    expect(JSON.parse(result.stdout)).toMatchObject({ FROM_ENV_FILE: "yes", SHELL_WINS: "shell" });
    rmSync(join(root, ".env"));
  });

  it("says to install when turbo is not there", () => {
    rmSync(turbo);
    const result = dev([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("pnpm dev: turbo is not installed: run pnpm install first.\n");
  });
});

#!/usr/bin/env node
/**
 * `pnpm dev`: every app's `dev` task side by side (turbo run dev), or the ones picked with
 * `pnpm dev --filter <package>`. Checks Node first, and loads the repository's `.env` (see
 * .env.example) into the environment the apps start with; variables already set in the shell
 * win over the file. turbo runs in loose env mode here, so what the shell or `.env` sets
 * (DATABASE_URL, LOG_LEVEL, ...) reaches the apps: dev tasks are never cached, so turbo's
 * env allow-list has nothing to protect.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { exitUnlessNodeFits } from "./check-node.mjs";

exitUnlessNodeFits();

const envFile = new URL("../.env", import.meta.url);
if (existsSync(envFile)) process.loadEnvFile(envFile);

const bin = new URL("../node_modules/.bin/turbo", import.meta.url);
if (!existsSync(bin)) {
  process.stderr.write("pnpm dev: turbo is not installed: run pnpm install first.\n");
  process.exit(1);
}
const turbo = spawn(bin.pathname, ["run", "dev", "--env-mode=loose", ...process.argv.slice(2)], {
  cwd: new URL("..", import.meta.url),
  stdio: "inherit",
});
// Ctrl-C reaches turbo as well (same process group) and turbo stops the apps; a SIGTERM or
// SIGHUP sent to this process alone is passed on. Either way this exits when turbo does.
process.on("SIGINT", () => undefined);
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => turbo.kill(signal));
turbo.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});

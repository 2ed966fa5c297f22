/**
 * The Dockerfile's steps without Docker: scripts/package-app.sh (the same script the
 * Dockerfile's stages run) prunes, installs, builds and deploys apps/agent into a directory,
 * and the app must start from it with production dependencies only and report its version.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../scripts/test-image.ts";
import { ROOT } from "./support/repository.ts";

const VERSION = "main-abc1234";

let work: string;
let out: string;
let server: ChildProcess | undefined;

function packageApp(app: string, target: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      [join(ROOT, "scripts/package-app.sh"), "all", app, target],
      { cwd: ROOT, timeout: 240_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  logs: () => string,
): Promise<Response> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the app exited with ${child.exitCode}:\n${logs()}`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer from ${url} within 20 s:\n${logs()}`);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "package-app-"));
  out = join(work, "app");
  const result = await packageApp("agent", out);
  if (result.code !== 0)
    throw new Error(`scripts/package-app.sh all agent failed:\n${result.output}`);
}, 300_000);

afterAll(() => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe("scripts/package-app.sh (the Dockerfile's steps)", () => {
  it("outputs the built app with production dependencies only, and no sources or tests", () => {
    const manifest = JSON.parse(readFileSync(join(out, "package.json"), "utf8"));
    expect(manifest.name).toBe("@repo/agent");
    expect(existsSync(join(out, "dist/server.js"))).toBe(true);
    // the response serializers the build precompiles (apps/agent/src/platform/serialization.ts)
    expect(existsSync(join(out, "dist/platform/precompiled-serializers.cjs"))).toBe(true);
    for (const dependency of Object.keys(manifest.dependencies)) {
      expect(existsSync(join(out, "node_modules", dependency)), dependency).toBe(true);
    }
    for (const dev of Object.keys(manifest.devDependencies ?? {})) {
      expect(existsSync(join(out, "node_modules", dev)), dev).toBe(false);
    }
    expect(existsSync(join(out, "src"))).toBe(false);
    expect(existsSync(join(out, "test"))).toBe(false);
  });

  it("starts with node dist/server.js and reports the APP_VERSION it was given on /health", async () => {
    const port = await freePort();
    let logs = "";
    server = spawn(process.execPath, ["dist/server.js"], {
      cwd: out,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        APP_VERSION: VERSION,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (chunk) => {
      logs += chunk;
    });
    server.stderr?.on("data", (chunk) => {
      logs += chunk;
    });
    const response = await waitForHealth(`http://127.0.0.1:${port}/health`, server, () => logs);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; version: string };
    expect(body.version).toBe(VERSION);
    expect(body.status).toBeTypeOf("string");

    // SIGTERM reaches node directly (no npm wrapper) and it shuts down cleanly.
    const exited = new Promise<number | null>((resolve) =>
      server!.once("exit", (code) => resolve(code)),
    );
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 30_000);

  it("names an app that does not exist", async () => {
    const result = await packageApp("nope", join(work, "nope"));
    expect(result.code).toBe(1);
    expect(result.output).toContain('no app "nope"');
  });
});

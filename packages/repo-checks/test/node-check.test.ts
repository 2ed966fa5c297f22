/**
 * The Node.js check (scripts/check-node.mjs) and every entry that makes it: `pnpm install`'s
 * pnpm:devPreinstall script, `pnpm dev`, the CLIs and each app's server entry. On an old Node
 * each prints the same single line and exits 1 before it loads anything that needs Node 24.
 * An old Node is simulated on this one (process.versions.node set before the entry runs).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeVersionProblem, requiredNode } from "../../../scripts/check-node.mjs";
import { ROOT } from "./support/repository.ts";

const OLD = "20.20.2";
const scratch = mkdtempSync(join(tmpdir(), "setup-repo-node-check-"));
const preload = join(scratch, "old-node.mjs");
writeFileSync(
  preload,
  `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(OLD)} });\n` +
    `Object.defineProperty(process, "version", { value: "v${OLD}" });\n`,
);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rootManifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const ENGINES = requiredNode();

/** Runs a command with every node it starts seeing Node 20 (NODE_OPTIONS reaches child nodes too). */
function onOldNode(command: string, args: string[], cwd = ROOT) {
  const { INIT_CWD: _initCwd, NODE_OPTIONS: _options, ...inherited } = process.env;
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...inherited, NODE_OPTIONS: `--import=${preload}`, PORT: "0", HOST: "127.0.0.1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const expectedLine = () => `${nodeVersionProblem(ENGINES, OLD, process.execPath)}\n`;

describe("nodeVersionProblem", () => {
  it("says which Node was found, which one is needed and how to get it", () => {
    expect(nodeVersionProblem(">=24 <25", "20.20.2", "/usr/bin/node")).toBe(
      'This project needs Node.js 24 (engines ">=24 <25") but found v20.20.2 at /usr/bin/node: install it with "nvm install 24" (or from https://nodejs.org), put it first on PATH and run the command again.',
    );
    expect(nodeVersionProblem(">=24 <25", "23.11.0", "/opt/node")).toContain("found v23.11.0");
  });

  it("lets the required major and newer ones through", () => {
    expect(nodeVersionProblem(">=24 <25", "24.0.0", "/n")).toBeUndefined();
    expect(nodeVersionProblem(">=24 <25", "24.22.3", "/n")).toBeUndefined();
    expect(nodeVersionProblem(">=24 <25", "25.1.0", "/n")).toBeUndefined();
  });

  it("reads the requirement from the root package.json's engines", () => {
    expect(ENGINES).toBe(rootManifest.engines.node);
    expect(readFileSync(join(ROOT, ".nvmrc"), "utf8").trim()).toBe(
      String(/\d+/.exec(ENGINES)?.[0]),
    );
  });
});

describe("on an old Node", () => {
  it("pnpm install stops in pnpm:devPreinstall, before anything is fetched, with the one line", () => {
    const script = rootManifest.scripts["pnpm:devPreinstall"] as string;
    const result = onOldNode("sh", ["-c", script]);
    expect(result.stderr).toBe(expectedLine());
    expect(result.status).toBe(1);
  });

  it("pnpm dev stops with the one line", () => {
    expect(rootManifest.scripts.dev).toBe("node scripts/dev.mjs");
    const result = onOldNode(process.execPath, ["scripts/dev.mjs"]);
    expect(result.stderr).toBe(expectedLine());
    expect(result.status).toBe(1);
  });

  it.each([
    "packages/gitops/bin/gitops.mjs",
    "packages/kustomize-ts/bin/kustomize-ts.mjs",
    "packages/setup-repo/bin/setup-repo.mjs",
  ])("%s stops with the one line", (bin) => {
    const result = onOldNode(process.execPath, [bin, "--help"]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(expectedLine());
    expect(result.status).toBe(1);
  });

  const apps = readdirSync(join(ROOT, "apps")).filter((app) =>
    existsSync(join(ROOT, "apps", app, "src/server.ts")),
  );
  it.each(apps)(
    "apps/%s/src/server.ts stops with the same line, against its own engines",
    (app) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, "apps", app, "package.json"), "utf8"));
      expect(manifest.engines.node).toBe(ENGINES);
      const result = onOldNode(process.execPath, ["src/server.ts"], join(ROOT, "apps", app));
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(expectedLine());
      expect(result.status).toBe(1);
    },
  );
});

describe("on the required Node", () => {
  it("pnpm:devPreinstall passes silently, also where scripts/ is absent (the image's pruned install)", () => {
    const script = rootManifest.scripts["pnpm:devPreinstall"] as string;
    const here = spawnSync("sh", ["-c", script], { cwd: ROOT, encoding: "utf8" });
    expect([here.status, here.stdout, here.stderr]).toEqual([0, "", ""]);
    const pruned = spawnSync("sh", ["-c", script], { cwd: scratch, encoding: "utf8" });
    expect([pruned.status, pruned.stdout, pruned.stderr]).toEqual([0, "", ""]);
  });
});

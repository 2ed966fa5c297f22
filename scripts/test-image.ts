/**
 * Builds the repository's Dockerfile as it is, runs the image the way the cluster does
 * (read-only root, no capabilities, no-new-privileges, a numeric non-root user, host network
 * only, listening on 127.0.0.1) and checks what users rely on; prints one summary line per
 * image and one line per failure. See docs/delivery.md ("The image gate").
 *
 * usage: pnpm test:image [--app <name>[,<name>...]] [--platform linux/amd64[,linux/arm64]]
 *                        [--image <ref>] [--app-version <v>]
 *   --app          apps under apps/ to build and check (default: every app)
 *   --platform     platforms to build and run (default linux/amd64; others run emulated)
 *   --image        check this image, already built, instead of building (one app, one platform)
 *   --app-version  the version /health must report (default: the APP_VERSION the build was
 *                  given, or the image's org.opencontainers.image.version label)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { arch as hostArch } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkContents,
  checkEndpoints,
  checkSize,
  checkStop,
  checkTask,
  checkUser,
  checkVersion,
  megabytes,
  READY_TIMEOUT_MS,
  STOP_GRACE_MS,
  TASK_TIMEOUT_MS,
  type Target,
  waitReady,
} from "./image-test/checks.ts";
import { detectEngine, type Engine } from "./image-test/engine.ts";
import { lastLine, run, toolsCache } from "./image-test/exec.ts";
import { type Arch, buildStandIn, qualifiedName, STAND_IN_LABEL } from "./image-test/stand-in.ts";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface Options {
  apps: string[] | undefined;
  platforms: string[];
  image: string | undefined;
  appVersion: string | undefined;
}

const PLATFORMS = ["linux/amd64", "linux/arm64"];

export function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    apps: undefined,
    platforms: ["linux/amd64"],
    image: undefined,
    appVersion: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === "--app") options.apps = value().split(",").filter(Boolean);
    else if (flag === "--platform") options.platforms = value().split(",").filter(Boolean);
    else if (flag === "--image") options.image = value();
    else if (flag === "--app-version") options.appVersion = value();
    else
      throw new UsageError(
        `unknown option ${flag}: expected --app, --platform, --image or --app-version`,
      );
  }
  for (const platform of options.platforms) {
    if (!PLATFORMS.includes(platform)) {
      throw new UsageError(
        `--platform ${platform} is not supported: expected ${PLATFORMS.join(" or ")}`,
      );
    }
  }
  if (options.image && (options.platforms.length !== 1 || (options.apps?.length ?? 1) !== 1)) {
    throw new UsageError("--image checks one image: give at most one --app and one --platform");
  }
  return options;
}

/** The apps under apps/ (directories with a package.json). */
export function listApps(root: string): string[] {
  const dir = join(root, "apps");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "package.json")))
    .sort();
}

/** The Dockerfile's default NODE_IMAGE: the base every image starts from. */
export function nodeImage(dockerfile: string): string {
  const match = /^ARG\s+NODE_IMAGE=(\S+)/m.exec(dockerfile);
  if (!match)
    throw new Error("the Dockerfile has no ARG NODE_IMAGE=<image>: the base image cannot be known");
  return match[1]!;
}

function nativeArch(): Arch {
  return hostArch() === "arm64" ? "arm64" : "amd64";
}

const QEMU: Record<Arch, string> = { amd64: "qemu-x86_64", arm64: "qemu-aarch64" };

/** Why `arch` binaries cannot run here (undefined when binfmt_misc runs them through QEMU). */
export function emulationMissing(
  arch: Arch,
  binfmt = "/proc/sys/fs/binfmt_misc",
): string | undefined {
  const entry = join(binfmt, QEMU[arch]);
  if (existsSync(entry) && readFileSync(entry, "utf8").startsWith("enabled")) return undefined;
  return `needs emulation, which is off: as root, mount -t binfmt_misc binfmt_misc ${binfmt} && update-binfmts --enable ${QEMU[arch]} (Debian qemu-user-static); with Docker, docker run --privileged --rm tonistiigi/binfmt --install ${arch}`;
}

function archOf(platform: string): Arch {
  return platform.split("/")[1] as Arch;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The name buildah and docker give a per-platform test image of an app. */
export function testTag(app: string, platform: string): string {
  return `localhost/${app}:image-test-${archOf(platform)}`;
}

/**
 * Makes NODE_IMAGE available to the engine for `arch`: the name builds must use for it, and
 * whether that is the stand-in (buildah only: buildx pulls it, for its size).
 */
export async function prepareBase(
  engine: Engine,
  image: string,
  arch: Arch,
  log: (line: string) => void,
): Promise<{ name: string; standIn: boolean }> {
  if (engine.name === "buildah") return ensureBase(engine, image, arch, log);
  if (!(await engine.hasImage(image))) {
    const why = await engine.pull(image);
    if (why !== undefined)
      throw new Error(`cannot pull ${image} (the Dockerfile's NODE_IMAGE): ${why}`);
  }
  return { name: image, standIn: false };
}

/**
 * Makes NODE_IMAGE available to buildah for `arch`: present, pulled, or the stand-in. The
 * name the build should use as NODE_IMAGE, and whether it is the stand-in.
 */
async function ensureBase(engine: Engine, image: string, arch: Arch, log: (line: string) => void) {
  const native = arch === nativeArch();
  const name = native ? qualifiedName(image) : `${qualifiedName(image)}-${arch}`;
  if (await engine.hasImage(name)) {
    return { name, standIn: (await engine.label(name, STAND_IN_LABEL)) !== undefined };
  }
  if (native) {
    const why = await engine.pull(image);
    if (why === undefined) return { name, standIn: false };
    log(
      `${image} is not present and cannot be pulled (${why}): building a stand-in (Debian minbase + Node from npm, see docs/delivery.md)`,
    );
  } else {
    log(
      `${image} for ${arch}: building a stand-in (Debian minbase + Node from npm, see docs/delivery.md)`,
    );
  }
  const cacheDir = join(toolsCache(), "image-base");
  const tree = await buildStandIn({ image, arch, name, cacheDir, log });
  log(`stand-in ${name}: Node ${tree.node}, npm ${tree.npm}`);
  return { name, standIn: true };
}

/** A container run the way the Deployment runs the app, as a check Target. */
async function startContainer(
  engine: Engine,
  image: string,
  user: string,
  platform: string,
  drainMs: number,
) {
  const port = await freePort();
  const name = `image-test-${process.pid}-${port}`;
  const startedAt = performance.now();
  await engine.docker([
    "run",
    "--detach",
    "--name",
    name,
    "--pull",
    "never",
    "--platform",
    platform,
    "--network",
    "host",
    "--read-only",
    "--tmpfs",
    "/tmp:rw,nosuid,nodev,size=64m",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--user",
    user,
    "--env",
    "HOST=127.0.0.1",
    "--env",
    `PORT=${port}`,
    "--env",
    `SHUTDOWN_DRAIN_MS=${drainMs}`,
    image,
  ]);
  const state = async () =>
    (await engine.docker(["inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", name]))
      .trim()
      .split(" ");
  const target: Target = {
    baseUrl: `http://127.0.0.1:${port}`,
    exitCode: async () => {
      const [running, code] = await state();
      return running === "true" ? undefined : Number(code);
    },
    logs: async () => {
      const result = await run("docker", ["logs", "--tail", "40", name], { env: engine.dockerEnv });
      return `${result.stdout}\n${result.stderr}`;
    },
    stop: async (ms) => {
      const started = performance.now();
      await engine.docker(["stop", "--time", String(Math.ceil(ms / 1000)), name], ms + 30_000);
      if (performance.now() - started >= ms) return undefined;
      return Number((await state())[1]);
    },
  };
  const remove = () => run("docker", ["rm", "--force", name], { env: engine.dockerEnv });
  return { target, startedAt, remove };
}

/** The paths under the working directory of the image (as `tar -t` lists them, from the root). */
async function workdirFiles(engine: Engine, image: string, workdir: string): Promise<string[]> {
  const name = (await engine.docker(["create", "--pull", "never", image])).trim();
  try {
    // docker cp names entries after the directory's last component: put its parents back.
    const parent = dirname(workdir).replace(/^\/+/, "");
    const listed = await run("sh", ["-c", 'docker cp "$1:$2" - | tar -tf -', "sh", name, workdir], {
      env: engine.dockerEnv,
    });
    if (listed.code !== 0)
      throw new Error(`cannot list ${workdir} in the image: ${lastLine(listed.stderr)}`);
    return listed.stdout
      .split("\n")
      .filter(Boolean)
      .map((path) => (parent ? `${parent}/${path}` : path));
  } finally {
    await run("docker", ["rm", "--force", name], { env: engine.dockerEnv });
  }
}

export interface ImageTest {
  root: string;
  app: string;
  platform: string;
  engine: Engine;
  /** An image already built: skip the build. */
  image?: string;
  /** The Dockerfile to build (default: the repository's). */
  dockerfile?: string;
  /** The build context (default: root). */
  context?: string;
  /** What to name the image built (default: testTag). */
  tag?: string;
  appVersion?: string;
  log?: (line: string) => void;
}

export interface ImageTestResult {
  summary: string;
  failures: string[];
}

/** Builds (unless given an image), runs and checks one app's image for one platform. */
export async function testImage(test: ImageTest): Promise<ImageTestResult> {
  const log = test.log ?? ((line: string) => console.error(`test:image: ${line}`));
  const { engine, app, platform } = test;
  const arch = archOf(platform);
  const dockerfile = test.dockerfile ?? join(test.root, "Dockerfile");
  // The base is the repository's, whichever Dockerfile is built.
  const base = nodeImage(readFileSync(join(test.root, "Dockerfile"), "utf8"));
  const failures: string[] = [];
  const emulated = arch !== nativeArch();
  // Emulated CPUs are many times slower; the native limits are the gate.
  const slowdown = emulated ? 6 : 1;

  const { name: baseName, standIn } = await prepareBase(engine, base, arch, log);

  let image = test.image;
  let buildMs: number | undefined;
  let expectedVersion = test.appVersion;
  if (!image) {
    image = test.tag ?? testTag(app, platform);
    expectedVersion ??= LOCAL_APP_VERSION;
    log(`building ${app} for ${platform} with ${engine.name}`);
    const started = performance.now();
    await engine.build({
      root: test.context ?? test.root,
      app,
      platform,
      tag: image,
      appVersion: expectedVersion,
      dockerfile,
      nodeImage: engine.name === "buildah" ? baseName : undefined,
    });
    buildMs = performance.now() - started;
    const built = await engine.label(image, "org.opencontainers.image.version");
    if (engine.name === "buildah" && built !== undefined && built !== expectedVersion) {
      failures.push(
        `buildah's layer cache served a runtime stage built with APP_VERSION=${built}, not ${expectedVersion} (buildah keys LABEL and ENV on their text): run buildah rmi --prune, then build again`,
      );
    }
  }
  log(
    `loading ${image} into ${engine.name === "buildah" ? "a dockerd of its own" : "docker"}, then checking it`,
  );
  await engine.load(image);
  const [config] = JSON.parse(await engine.docker(["image", "inspect", image])) as {
    Config: { User?: string; WorkingDir?: string; Labels?: Record<string, string> | null };
  }[];
  const user = config!.Config.User ?? "";
  expectedVersion ??= config!.Config.Labels?.["org.opencontainers.image.version"] ?? "";

  const userFailure = checkUser(user);
  if (userFailure) failures.push(userFailure);
  const workdir = config!.Config.WorkingDir || "/";
  failures.push(...checkContents(await workdirFiles(engine, image, workdir), workdir));
  const [imageBytes, baseBytes] = [await engine.size(image), await engine.size(baseName)];
  const sizeFailure = checkSize(imageBytes, baseBytes, base);
  if (sizeFailure) failures.push(sizeFailure);

  const drainMs = 1000;
  // Runs as the image's own user; an image without a numeric one is run as 1000 to go on checking.
  const container = await startContainer(
    engine,
    image,
    userFailure ? "1000:1000" : user,
    platform,
    drainMs,
  );
  let readyMs: number | undefined;
  let stopMs: number | undefined;
  try {
    const ready = await waitReady(
      container.target,
      READY_TIMEOUT_MS * slowdown,
      container.startedAt,
    );
    if ("failure" in ready) failures.push(ready.failure);
    else {
      readyMs = ready.ms;
      for (const failure of [
        await checkVersion(container.target, expectedVersion),
        await checkTask(container.target, TASK_TIMEOUT_MS * slowdown),
        ...(await checkEndpoints(container.target)),
      ]) {
        if (failure) failures.push(failure);
      }
      const stop = await checkStop(container.target, drainMs, STOP_GRACE_MS * slowdown);
      stopMs = stop.ms;
      failures.push(...stop.failures);
    }
  } finally {
    await container.remove();
  }

  const summary = [
    `${app} ${platform} (${engine.name}${emulated ? ", emulated" : ""})`,
    `build ${buildMs === undefined ? "skipped (--image)" : seconds(buildMs)}`,
    `image ${megabytes(imageBytes)}`,
    `+${megabytes(imageBytes - baseBytes)} over ${base}${standIn ? " (stand-in)" : ""}`,
    `start-to-ready ${readyMs === undefined ? "n/a" : seconds(readyMs)}`,
    `stop ${stopMs === undefined ? "n/a" : `${seconds(stopMs)} (drain ${seconds(drainMs)})`}`,
  ].join(", ");
  return { summary, failures };
}

/**
 * The APP_VERSION a local build gets. One value for every build: buildah's layer cache (1.28)
 * keys LABEL and ENV on their text, not on the argument's value, so a value that changed
 * between builds would come back stale from the cache.
 */
export const LOCAL_APP_VERSION = "image-test";

export async function main(argv: readonly string[], root: string): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`test:image: ${err.message}`);
    return 2;
  }
  const apps = options.apps ?? listApps(root);
  for (const app of apps) {
    if (!existsSync(join(root, "apps", app, "package.json"))) {
      console.error(
        `test:image: no app "${app}": apps/${app}/package.json does not exist (apps are the directories under apps/)`,
      );
      return 2;
    }
  }
  const foreign = options.platforms.filter((platform) => archOf(platform) !== nativeArch());
  for (const platform of foreign) {
    const why = emulationMissing(archOf(platform));
    if (why) {
      console.error(`test:image: ${platform} ${why}`);
      return 2;
    }
  }
  const engine = await detectEngine();
  let failed = false;
  try {
    for (const app of apps) {
      for (const platform of options.platforms) {
        const result = await testImage({
          root,
          app,
          platform,
          engine,
          image: options.image,
          appVersion: options.appVersion,
        });
        for (const failure of result.failures)
          console.error(`test:image: ${app} ${platform}: FAIL ${failure}`);
        console.log(
          `test:image: ${result.summary}: ${result.failures.length === 0 ? "ok" : `${result.failures.length} failed`}`,
        );
        failed ||= result.failures.length > 0;
      }
    }
  } finally {
    await engine.close();
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  main(process.argv.slice(2), root).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`test:image: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}

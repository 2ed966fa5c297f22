/**
 * The container engines the image test drives. GitHub's runners (and Docker Desktop) have
 * `docker buildx` and a daemon: build with buildx --load, run with docker. Debian machines
 * without a registry have buildah: build with buildah, then run in a dockerd of our own
 * (its own socket and data, no bridge, no iptables), fed through a docker-archive.
 */

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { hasCommand, lastLine, must, run, toolsCache } from "./exec.ts";

export interface BuildOptions {
  root: string;
  app: string;
  platform: string;
  tag: string;
  appVersion: string;
  /** The Dockerfile (default: the one at the root). */
  dockerfile?: string;
  /** NODE_IMAGE, when the build must use another name than the Dockerfile's (a stand-in). */
  nodeImage?: string;
}

export interface Engine {
  /** How the summary names it: "docker buildx" or "buildah". */
  name: string;
  /** Whether `ref` is where builds look for their bases. */
  hasImage(ref: string): Promise<boolean>;
  /** Pulls `ref`; the reason when it cannot. */
  pull(ref: string): Promise<string | undefined>;
  build(options: BuildOptions): Promise<void>;
  /** A label of an image in the builder's store (undefined when unset or no such image). */
  label(ref: string, name: string): Promise<string | undefined>;
  /** Uncompressed size in bytes. */
  size(ref: string): Promise<number>;
  /** Makes `ref` runnable by the docker CLI that `docker()` drives. */
  load(ref: string): Promise<void>;
  /** Runs the docker CLI against the daemon the checks use. */
  docker(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Environment for docker commands run as child processes (DOCKER_HOST). */
  dockerEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

function buildArgs(options: BuildOptions): string[] {
  return [
    "--platform",
    options.platform,
    "--build-arg",
    `APP=${options.app}`,
    "--build-arg",
    `APP_VERSION=${options.appVersion}`,
    ...(options.nodeImage ? ["--build-arg", `NODE_IMAGE=${options.nodeImage}`] : []),
    "-f",
    options.dockerfile ?? join(options.root, "Dockerfile"),
    "-t",
    options.tag,
    options.root,
  ];
}

function labelValue(result: { code: number; stdout: string }): string | undefined {
  const value = result.stdout.trim();
  return result.code !== 0 || value === "" || value === "<no value>" ? undefined : value;
}

const BUILD_TIMEOUT_MS = 20 * 60_000;

export function dockerBuildx(): Engine {
  const docker = (args: readonly string[], timeoutMs?: number) =>
    must("docker", args, { timeoutMs });
  return {
    name: "docker buildx",
    dockerEnv: process.env,
    docker,
    hasImage: async (ref) => (await run("docker", ["image", "inspect", ref])).code === 0,
    pull: async (ref) => {
      const result = await run("docker", ["pull", "--quiet", ref], { timeoutMs: 5 * 60_000 });
      return result.code === 0 ? undefined : lastLine(result.stderr);
    },
    build: async (options) => {
      await must("docker", ["buildx", "build", "--load", ...buildArgs(options)], {
        echo: true,
        timeoutMs: BUILD_TIMEOUT_MS,
      });
    },
    size: async (ref) => Number(await docker(["image", "inspect", "--format", "{{.Size}}", ref])),
    label: async (ref, name) =>
      labelValue(
        await run("docker", [
          "image",
          "inspect",
          "--format",
          `{{index .Config.Labels "${name}"}}`,
          ref,
        ]),
      ),
    load: async () => {},
    close: async () => {},
  };
}

/** A dockerd of our own: never a bridge or iptables, only the host network (loopback). */
/**
 * The daemon's image store, kept between runs (the base's layers are then loaded once, and
 * no run spends its end deleting them); a run that finds it in use by another live run
 * takes a store of its own for the time it runs.
 */
function dataRoot(dir: string): { path: string; release: () => void } {
  const shared = join(toolsCache(), "image-test-dockerd");
  const lock = join(toolsCache(), "image-test-dockerd.lock");
  mkdirSync(toolsCache(), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      return { path: shared, release: () => rmSync(lock, { recursive: true, force: true }) };
    } catch {
      const owner = Number(readFileSync(join(lock, "pid"), { encoding: "utf8", flag: "a+" }));
      if (owner > 0 && alive(owner)) break;
      rmSync(lock, { recursive: true, force: true }); // left by a run that was killed
    }
  }
  return { path: join(dir, "data"), release: () => {} };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startDockerd(): Promise<{ host: string; stop: () => Promise<void> }> {
  // Short: unix socket paths are limited to 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), "itd-"));
  const data = dataRoot(dir);
  const host = `unix://${dir}/docker.sock`;
  const log = join(dir, "dockerd.log");
  const fd = openSync(log, "a");
  const daemon = spawn(
    "dockerd",
    [
      "--host",
      host,
      "--data-root",
      data.path,
      "--exec-root",
      join(dir, "exec"),
      "--pidfile",
      join(dir, "dockerd.pid"),
      "--bridge=none",
      "--iptables=false",
      "--ip-forward=false",
      "--ip-masq=false",
    ],
    { stdio: ["ignore", fd, fd] },
  );
  let exited = false;
  daemon.on("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      daemon.kill("SIGTERM");
      for (let i = 0; i < 200 && !exited; i++) await sleep(100);
      if (!exited) daemon.kill("SIGKILL");
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    }
    // dockerd leaves its network namespace mounted under the exec root.
    const mounts = readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1] ?? "")
      .filter((point) => point.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const point of mounts) await run("umount", [point]);
    rmSync(dir, { recursive: true, force: true });
    data.release();
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) break;
    if ((await run("docker", ["--host", host, "version"], { timeoutMs: 5000 })).code === 0) {
      return { host, stop };
    }
    await sleep(200);
  }
  const why = lastLine(readFileSync(log, "utf8"));
  await stop();
  throw new Error(`dockerd did not start${exited ? "" : " within 60 s"}: ${why}`);
}

export async function buildah(): Promise<Engine> {
  const daemon = await startDockerd();
  const dockerEnv = { ...process.env, DOCKER_HOST: daemon.host };
  const docker = (args: readonly string[], timeoutMs?: number) =>
    must("docker", args, { env: dockerEnv, timeoutMs });
  return {
    name: "buildah",
    dockerEnv,
    docker,
    hasImage: async (ref) => (await run("buildah", ["inspect", "--type", "image", ref])).code === 0,
    pull: async (ref) => {
      const result = await run("buildah", ["pull", "--quiet", ref], { timeoutMs: 5 * 60_000 });
      return result.code === 0 ? undefined : lastLine(result.stderr);
    },
    build: async (options) => {
      await must(
        "buildah",
        [
          "build",
          "--isolation",
          "chroot",
          "--network",
          "host",
          "--pull-never",
          "--layers",
          ...buildArgs(options),
        ],
        { echo: true, timeoutMs: BUILD_TIMEOUT_MS },
      );
    },
    label: async (ref, name) =>
      labelValue(
        await run("buildah", [
          "inspect",
          "--type",
          "image",
          "--format",
          `{{index .OCIv1.Config.Labels "${name}"}}`,
          ref,
        ]),
      ),
    size: async (ref) => {
      // The layers' uncompressed sizes, from the manifest buildah stores.
      const manifest = JSON.parse(
        await must("buildah", ["inspect", "--type", "image", "--format", "{{.Manifest}}", ref]),
      ) as { layers: { size: number }[] };
      return manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    },
    load: async (ref) => {
      const dir = mkdtempSync(join(tmpdir(), "image-archive-"));
      try {
        const archive = join(dir, "image.tar");
        await must("buildah", ["push", "--quiet", ref, `docker-archive:${archive}:${ref}`]);
        await docker(["load", "--quiet", "--input", archive], 5 * 60_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    close: async () => {
      // The store is kept: only images no tag names any more go.
      await run("docker", ["image", "prune", "--force"], { env: dockerEnv, timeoutMs: 60_000 });
      await daemon.stop();
    },
  };
}

/** buildx when docker has it (and a daemon), else buildah with a dockerd to run in. */
export async function detectEngine(): Promise<Engine> {
  if (
    (await run("docker", ["buildx", "version"])).code === 0 &&
    (await run("docker", ["info"], { timeoutMs: 20_000 })).code === 0
  ) {
    return dockerBuildx();
  }
  if ((await hasCommand("buildah")) && (await hasCommand("dockerd"))) return buildah();
  throw new Error(
    "no container engine: install Docker with buildx (and start it), or buildah and docker.io (Debian: apt-get install buildah docker.io debootstrap, as root)",
  );
}

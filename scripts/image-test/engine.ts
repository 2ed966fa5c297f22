/**
 * The container engines the image test drives. GitHub's runners (and Docker Desktop) have
 * `docker buildx` and a daemon: build with buildx --load, run with docker. Debian machines
 * without a registry have buildah: build with buildah, then run in a dockerd of our own
 * (its own socket and data, no bridge, no iptables), fed through a docker-archive.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { hasCommand, lastLine, must, run } from "./exec.ts";

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
    load: async () => {},
    close: async () => {},
  };
}

/** A dockerd of our own: never a bridge or iptables, only the host network (loopback). */
async function startDockerd(): Promise<{ host: string; stop: () => Promise<void> }> {
  // Short: unix socket paths are limited to 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), "itd-"));
  const host = `unix://${dir}/docker.sock`;
  const log = join(dir, "dockerd.log");
  const fd = openSync(log, "a");
  const daemon = spawn(
    "dockerd",
    [
      "--host",
      host,
      "--data-root",
      join(dir, "data"),
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
    rmSync(dir, { recursive: true, force: true });
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
    size: async (ref) => {
      const [image] = JSON.parse(await must("buildah", ["images", "--json", ref])) as {
        size: number;
      }[];
      if (!image) throw new Error(`buildah has no image ${ref}`);
      return image.size;
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
    close: daemon.stop,
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

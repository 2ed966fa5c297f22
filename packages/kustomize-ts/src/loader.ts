/**
 * File access for one kustomization root, with kustomize's load restrictor: in `rootOnly`
 * mode a file read on behalf of a kustomization must lie in or below its root.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { KustomizeError } from "./api.ts";

export type Restrictor = "rootOnly" | "none";

/** The kustomization file and field a read is done for, named in errors. */
export interface Where {
  file: string;
  key?: string;
}

function isUnder(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** Paths kustomize would fetch over the network; we refuse them. */
export function looksRemote(path: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ||
    /^git@/.test(path) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)[/:]/.test(path) ||
    /\?(ref|version|timeout|submodules)=/.test(path)
  );
}

/**
 * The largest file read. Far above any real manifest (the API server takes objects of at
 * most 3 MiB), low enough that a mistaken path to a disk image fails at once.
 */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Reads `real` if it is a regular file within the size bound; `path` is named in errors. */
function readRegularFile(real: string, path: string, from: Where): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before it is refused below.
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw new KustomizeError(`"${path}" is a directory, not a file`, from);
    if (code === "EACCES" || code === "EPERM") {
      throw new KustomizeError(`file "${path}" cannot be read (permission denied)`, from);
    }
    throw new KustomizeError(`file "${path}" not found (no such file or directory)`, from);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new KustomizeError(`"${path}" is a directory, not a file`, from);
    if (!stat.isFile()) {
      throw new KustomizeError(
        `file "${path}" is not a regular file (a device, FIFO or socket): only regular files are read`,
        from,
      );
    }
    if (stat.size > MAX_FILE_BYTES) {
      throw new KustomizeError(
        `file "${path}" is ${mib(stat.size)} MiB, more than the ${mib(MAX_FILE_BYTES)} MiB a file may hold: split it`,
        from,
      );
    }
    const buffer = Buffer.allocUnsafe(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return length === buffer.length ? buffer : buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1);
}

/** Strict: invalid UTF-8 is an error, not U+FFFD; a byte order mark stays for the parser. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * kustomize fetches a file path that is an http(s) URL (a patch, an OpenAPI schema, a
 * generator's file). Builds here are offline: say so instead of "not found".
 */
export function refuseRemoteFile(path: string, from: Where): void {
  if (/^https?:\/\//i.test(path)) {
    throw new KustomizeError(
      `remote file "${path}" is not supported: kustomize-ts builds offline (download it into the repository and use a relative path)`,
      from,
    );
  }
}

export class Loader {
  readonly root: string;
  readonly restrictor: Restrictor;
  private readonly parent: Loader | undefined;
  /** The directory the build started from, for relative names in messages. */
  readonly base: string;
  /** This root as written from the top kustomization (kustomize's origin path). */
  readonly originPath: string;

  constructor(
    root: string,
    restrictor: Restrictor,
    parent?: Loader,
    base?: string,
    originPath = "",
  ) {
    this.root = root;
    this.restrictor = restrictor;
    this.parent = parent;
    this.base = base ?? root;
    this.originPath = originPath;
  }

  static at(dir: string, restrictor: Restrictor): Loader {
    let root: string;
    try {
      root = realpathSync(resolve(dir));
    } catch {
      throw new KustomizeError(`directory "${dir}" does not exist`, { file: dir });
    }
    if (!statSync(root).isDirectory()) {
      throw new KustomizeError(`"${dir}" is not a directory: kustomize builds a directory`, {
        file: dir,
      });
    }
    return new Loader(root, restrictor, undefined, dirname(root));
  }

  /** A path for messages: relative to the parent of the build root. */
  display(path: string): string {
    const rel = relative(this.base, path);
    return rel && !rel.startsWith("..") ? rel : path;
  }

  abs(path: string): string {
    return isAbsolute(path) ? path : join(this.root, path);
  }

  /** Reads a text file referenced from this root; `key` names the kustomization field asking. */
  readFile(path: string, from: Where): string {
    const bytes = this.readBytes(path, from);
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw new KustomizeError(`file "${path}" is UTF-16 text: save it as UTF-8`, from);
    }
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new KustomizeError(
        `file "${path}" is not UTF-8 text: is it a binary file? (YAML and env files must be UTF-8)`,
        from,
      );
    }
  }

  /**
   * Reads a file referenced from this root. The whole path is resolved first (a symlinked
   * file that leads out of the root is refused, as kustomize's loader does), and only a
   * regular file of at most MAX_FILE_BYTES is read: a device or FIFO would never end.
   */
  readBytes(path: string, from: Where): Buffer {
    refuseRemoteFile(path, from);
    const abs = this.abs(path);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ELOOP") {
        throw new KustomizeError(`file "${path}" is a loop of symbolic links`, from);
      }
      throw new KustomizeError(`file "${path}" not found (no such file or directory)`, from);
    }
    if (this.restrictor === "rootOnly" && !isUnder(this.root, real)) {
      const link = real === abs ? "" : ` (it is a link to ${real})`;
      throw new KustomizeError(
        `security; file "${path}"${link} is not in or below the kustomization root "${this.display(this.root)}": move it into the root, or build with --load-restrictor LoadRestrictionsNone`,
        from,
      );
    }
    return readRegularFile(real, path, from);
  }

  /** Whether `path` names an existing directory. */
  isDir(path: string): boolean {
    try {
      return statSync(this.abs(path)).isDirectory();
    } catch {
      return false;
    }
  }

  exists(path: string): boolean {
    try {
      statSync(this.abs(path));
      return true;
    } catch {
      return false;
    }
  }

  /** A loader rooted at the directory `path` (a base or component). */
  child(path: string, from: Where): Loader {
    let root: string;
    try {
      root = realpathSync(this.abs(path));
    } catch {
      throw new KustomizeError(`"${path}" not found: no such file or directory`, from);
    }
    if (!statSync(root).isDirectory()) {
      throw new KustomizeError(`"${path}" is not a directory`, from);
    }
    for (let l: Loader | undefined = this; l; l = l.parent) {
      if (isUnder(root, l.root)) {
        throw new KustomizeError(
          `cycle detected: "${path}" contains the already visited root ${this.display(l.root)}`,
          from,
        );
      }
    }
    return new Loader(root, this.restrictor, this, this.base, posix.join(this.originPath, path));
  }
}

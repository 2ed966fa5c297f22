/**
 * File access for one kustomization root, with kustomize's load restrictor: in `rootOnly`
 * mode a file read on behalf of a kustomization must lie in or below its root.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { KustomizeError } from "./api.ts";

export type Restrictor = "rootOnly" | "none";

export function isUnder(dir: string, path: string): boolean {
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
  readFile(path: string, from: { file: string; key: string }): string {
    return this.readBytes(path, from).toString("utf8");
  }

  /** Reads a file referenced from this root, applying the load restrictor. */
  readBytes(path: string, from: { file: string; key: string }): Buffer {
    const abs = this.abs(path);
    let real: string;
    try {
      real = join(realpathSync(dirname(abs)), abs.slice(dirname(abs).length + 1));
    } catch {
      throw new KustomizeError(`file "${path}" not found (no such file or directory)`, from);
    }
    if (this.restrictor === "rootOnly" && !isUnder(this.root, real)) {
      throw new KustomizeError(
        `file "${path}" is outside the kustomization root ${this.display(this.root)} (security: files must be in or below the root; use loadRestrictor "none" to allow it)`,
        from,
      );
    }
    try {
      return readFileSync(real);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EISDIR") throw new KustomizeError(`"${path}" is a directory, not a file`, from);
      throw new KustomizeError(`file "${path}" not found (no such file or directory)`, from);
    }
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
  child(path: string, from: { file: string; key: string }): Loader {
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

/**
 * Which GitHub repository a git remote URL (or an `owner/name` typed by hand) names.
 * GitHub Enterprise hosts are kept as they are: the host decides the repoURL and registry.
 */
import { execFileSync } from "node:child_process";
import { SetupError } from "./errors.ts";

export const GITHUB_HOST = "github.com";

export interface RepositoryId {
  /** Git host, lower case: github.com or a GitHub Enterprise host. */
  host: string;
  owner: string;
  name: string;
}

// GitHub owners: letters, digits, hyphens (and `_` for Enterprise Managed Users).
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,98}[A-Za-z0-9_])?$/;
// GitHub repository names: letters, digits, `.`, `_`, `-`.
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
const SCHEMES = new Set(["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"]);

/** `owner/name` for messages. */
export function slug(id: Pick<RepositoryId, "owner" | "name">): string {
  return `${id.owner}/${id.name}`;
}

function normalHost(host: string): string {
  const lower = host.toLowerCase();
  // SSH over port 443 and the www. alias both mean github.com itself.
  if (lower === "ssh.github.com" || lower === "www.github.com") return GITHUB_HOST;
  return lower;
}

/** owner and name from a URL path such as `/owner/name.git/`; a reason when it is not one. */
function ownerAndName(path: string): { owner: string; name: string } | string {
  const segments = path
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/, "")
    .split("/")
    .filter(Boolean);
  if (segments.length !== 2) {
    return `its path "${path}" is not <owner>/<name>`;
  }
  const [owner, name] = segments as [string, string];
  if (!OWNER.test(owner)) return `"${owner}" is not a valid GitHub owner`;
  if (!NAME.test(name) || name === "." || name === "..") {
    return `"${name}" is not a valid GitHub repository name`;
  }
  return { owner, name };
}

/**
 * Parses `owner/name`, `https://host/owner/name(.git)`, `ssh://git@host[:port]/owner/name`,
 * `git@host:owner/name(.git)` and `git://host/owner/name`. Throws a SetupError naming the
 * input when it cannot tell the owner and name from it.
 */
export function parseRepository(input: string): RepositoryId {
  const text = input.trim();
  const fail = (reason: string): never => {
    throw new SetupError(
      `cannot tell the GitHub owner/repository from "${input}": ${reason}. ` +
        "Pass it as --repo <owner>/<name> (or a clone URL such as https://github.com/<owner>/<name>.git).",
    );
  };
  if (text === "") fail("it is empty");

  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail("it is not a valid URL");
    }
    if (!SCHEMES.has(url.protocol)) fail(`${url.protocol}// is not a GitHub remote`);
    if (!url.hostname) fail("it names no host");
    host = url.hostname;
    path = decodeURIComponent(url.pathname);
  } else if (scp) {
    host = scp[1] as string;
    path = scp[2] as string;
  } else if (/^[^/\s]+\/[^/\s]+$/.test(text)) {
    host = GITHUB_HOST;
    path = text;
  } else {
    return fail("it is neither <owner>/<name> nor a clone URL");
  }
  const parts = ownerAndName(path);
  if (typeof parts === "string") return fail(parts);
  return { host: normalHost(host), ...parts };
}

/** The URL of the `origin` remote of the repository at root, or a SetupError saying what to do. */
export function readOriginUrl(root: string): string {
  try {
    return execFileSync("git", ["remote", "get-url", "origin"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    throw new SetupError(
      `cannot tell the owner/repository: ${root} has no git remote "origin". ` +
        "Add it (git remote add origin https://github.com/<owner>/<name>.git) or pass --repo <owner>/<name>.",
    );
  }
}

/** The container registry of a host: ghcr.io for github.com, containers.<host> on GitHub Enterprise. */
export function defaultRegistry(host: string): string {
  return host === GITHUB_HOST ? "ghcr.io" : `containers.${host}`;
}

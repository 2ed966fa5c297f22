/**
 * gitops/repository.yaml, the one place that names the repository: `repository:` (owner/name),
 * `registry:` and, on GitHub Enterprise, `host:`. Read and written as text, line by line, so
 * comments stay and setup-repo runs with Node alone (no `pnpm install` needed first).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SetupError } from "./errors.ts";
import { GITHUB_HOST, parseRepository, type RepositoryId } from "./remote.ts";

export const REPOSITORY_FILE = "gitops/repository.yaml";

export interface RepositorySettings extends RepositoryId {
  registry: string;
}

const KEY_LINE = /^(repository|registry|host):[ \t]*(.*?)[ \t]*(#.*)?$/;

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? (quoted[2] as string) : value;
}

/** The settings a repository.yaml text holds; a SetupError naming the missing or bad key. */
export function parseRepositoryFile(text: string): RepositorySettings {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = KEY_LINE.exec(line.replace(/\r$/, ""));
    if (match) values[match[1] as string] = unquote(match[2] as string);
  }
  const { repository, registry, host } = values;
  if (!repository) {
    throw new SetupError(`${REPOSITORY_FILE} has no "repository: <owner>/<name>" line.`);
  }
  if (!registry) {
    throw new SetupError(`${REPOSITORY_FILE} has no "registry:" line (ghcr.io on github.com).`);
  }
  let id: RepositoryId;
  try {
    id = parseRepository(repository);
  } catch (error) {
    throw new SetupError(`${REPOSITORY_FILE}: ${(error as Error).message}`);
  }
  return { ...id, host: (host || GITHUB_HOST).toLowerCase(), registry };
}

export function readRepositoryFile(root: string): { settings: RepositorySettings; text: string } {
  const file = join(root, REPOSITORY_FILE);
  if (!existsSync(file)) {
    throw new SetupError(
      `${REPOSITORY_FILE} is missing under ${root}: run setup-repo from a repository created from the template.`,
    );
  }
  const text = readFileSync(file, "utf8");
  return { settings: parseRepositoryFile(text), text };
}

/** The text with new values for repository, registry and host; comments and other lines kept. */
export function renderRepositoryFile(text: string, settings: RepositorySettings): string {
  const values: Record<string, string> = {
    repository: `${settings.owner}/${settings.name}`,
    registry: settings.registry,
  };
  const enterprise = settings.host !== GITHUB_HOST;
  let sawHost = false;
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const match = KEY_LINE.exec(line.replace(/\r$/, ""));
    if (!match) {
      lines.push(line);
      continue;
    }
    const key = match[1] as string;
    const comment = match[3] ? ` ${match[3]}` : "";
    if (key === "host") {
      sawHost = true;
      // github.com is the default: the line only exists for GitHub Enterprise.
      if (enterprise) lines.push(`host: ${settings.host}${comment}`);
      continue;
    }
    lines.push(`${key}: ${values[key]}${comment}`);
  }
  if (enterprise && !sawHost) {
    const at = lines.findIndex((line) => line.startsWith("registry:"));
    lines.splice(at + 1, 0, `host: ${settings.host}`);
  }
  return lines.join("\n");
}

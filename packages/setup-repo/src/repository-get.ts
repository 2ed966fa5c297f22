/**
 * `setup-repo repository --get <key>`: one value of gitops/repository.yaml, read with Node alone.
 * The workflows' first steps call it, before `pnpm install` (`gitops repository --get` answers
 * the same keys the same way once the workspace is installed).
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import { slug } from "./remote.ts";
import { REPOSITORY_FILE, type RepositorySettings, readRepositoryFile } from "./repository-file.ts";

const KEYS = {
  repository: (settings) => slug(settings),
  registry: (settings) => settings.registry,
  "image-prefix": (settings) => `${settings.registry}/${slug(settings)}/`.toLowerCase(),
} satisfies Record<string, (settings: RepositorySettings) => string>;
type Key = keyof typeof KEYS;
const KEY_NAMES = Object.keys(KEYS) as Key[];

export const REPOSITORY_USAGE = `usage: setup-repo repository --get <${KEY_NAMES.join("|")}>

Prints one value of ${REPOSITORY_FILE}, with Node alone (no pnpm install needed):
  repository    owner/name, as written
  registry      the container registry host, e.g. ghcr.io
  image-prefix  what every app image starts with: <registry>/<owner>/<name>/ (lower case)`;

/** The value `--get <key>` asks for, from the repository at `root`. */
export function repositoryValue(argv: readonly string[], root: string): string {
  let key: string | undefined;
  try {
    key = parseArgs({ args: [...argv], options: { get: { type: "string" } }, strict: true }).values
      .get;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (key === undefined) throw new UsageError("--get <key> is required");
  if (!(KEY_NAMES as string[]).includes(key)) {
    throw new UsageError(`unknown key "${key}": pass --get with one of ${KEY_NAMES.join(", ")}`);
  }
  return KEYS[key as Key](readRepositoryFile(root).settings);
}

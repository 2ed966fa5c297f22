/** `gitops repository --get <key>`: one value of gitops/repository.yaml, for workflows and scripts. */
import { type Command, GitopsError } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { findRepoRoot } from "../layout.ts";
import { REPOSITORY_FILE, readRepositoryConfig } from "../repository.ts";
import type { RepositoryConfig } from "../verify/types.ts";

/** What `--get` answers, each read from the checked file (so a bad file fails here, not later). */
const KEYS = {
  repository: (config) => config.repository,
  registry: (config) => config.registry,
  "image-prefix": (config) => config.imagePrefix,
  "repo-url": (config) => config.repoURL,
} satisfies Record<string, (config: RepositoryConfig) => string>;
type Key = keyof typeof KEYS;
const KEY_NAMES = Object.keys(KEYS) as Key[];

const usage = `usage: gitops repository --get <${KEY_NAMES.join("|")}>

Prints one value of ${REPOSITORY_FILE}, checked as gitops verify checks it:
  repository    owner/name, as written
  registry      the container registry host, e.g. ghcr.io
  image-prefix  what every app image starts with: <registry>/<owner>/<name>/ (lower case)
  repo-url      the git URL Argo CD uses`;

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, { get: { type: "string" } });
    const key = required(flags.get, "get");
    if (!(KEY_NAMES as string[]).includes(key)) {
      throw new GitopsError(
        `unknown key "${key}": pass --get with one of ${KEY_NAMES.join(", ")}.`,
        2,
      );
    }
    const config = readRepositoryConfig(findRepoRoot(ctx.cwd));
    ctx.stdout(`${KEYS[key as Key](config)}\n`);
    return 0;
  },
};

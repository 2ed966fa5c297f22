/**
 * The text rewrite from one repository's names to another's, in a single pass so that no
 * replacement is matched twice (a new name may contain the old one). Matching ignores case,
 * as GitHub does; what is written follows each place's rules: image names in lower case
 * (registries refuse upper case), URLs and `owner/name` as the repository spells them,
 * except where a text already names the target in another case.
 */
import type { RepositorySettings } from "./repository-file.ts";

export interface RewriteResult {
  text: string;
  /** How many places changed. */
  count: number;
}

export type Rewriter = (text: string, file: string) => RewriteResult;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// A name goes on with a letter, digit, `_` or `-`; a `.` only ends it before `git` (.git)
// or when nothing name-like follows (end of a sentence).
const END = "(?![A-Za-z0-9_-]|\\.(?!git\\b)[A-Za-z0-9])";
const HOST_START = "(?<![A-Za-z0-9.-])";
const NAME_START = "(?<![A-Za-z0-9_-])";

/** A repository name as an npm package name: lower case, no leading `.` or `_`. */
export function npmName(name: string): string {
  const safe = name.toLowerCase().replace(/^[._]+/, "");
  return safe === "" ? "app" : safe;
}

/**
 * Whether a repository name alone is safe to replace wherever it stands as a word: one like
 * `agent-gitops-template` is, one like `agents` (also a word of the code) is not. Other names
 * are replaced only with their owner, in URLs and image names, and as a package.json name.
 */
export function isDistinctiveName(name: string): boolean {
  return /[-_.]/.test(name) && name.length >= 6;
}

const isPackageJson = (file: string) => file === "package.json" || file.endsWith("/package.json");

/** Rewrites every way the `from` repository is named into the `to` repository's names. */
export function makeRewriter(from: RepositorySettings, to: RepositorySettings): Rewriter {
  const owner = escapeRegExp(from.owner);
  const name = escapeRegExp(from.name);
  const pair = `${owner}/${name}`;
  const distinctive = isDistinctiveName(from.name);
  const alternatives = [
    `(?<image>${HOST_START}${escapeRegExp(from.registry)}/${pair}${END})`,
    `(?<scp>${NAME_START}git@${escapeRegExp(from.host)}:${pair}${END})`,
    `(?<url>${HOST_START}${escapeRegExp(from.host)}/${pair}${END})`,
    `(?<pair>${NAME_START}${pair}${END})`,
    `(?<pkg>(?<key>"name"\\s*:\\s*")${name}(?="))`,
    ...(distinctive ? [`(?<name>${NAME_START}${name}${END})`] : []),
  ];
  const pattern = new RegExp(alternatives.join("|"), "gi");
  const image = `${to.registry}/${to.owner.toLowerCase()}/${to.name.toLowerCase()}`;
  const toPair = `${to.owner}/${to.name}`;

  return (text, file) => {
    let count = 0;
    const bareName = isPackageJson(file) ? npmName(to.name) : to.name;
    const out = text.replace(pattern, (match, ...args) => {
      const groups = args.at(-1) as Record<string, string | undefined>;
      let replacement: string;
      if (groups.image) replacement = image;
      else if (groups.scp) replacement = `git@${to.host}:${toPair}`;
      else if (groups.url) replacement = `${to.host}/${toPair}`;
      else if (groups.pair) replacement = toPair;
      else if (groups.pkg !== undefined) {
        // A package's name is the repository's only in package.json (or when distinctive).
        const named = isPackageJson(file) || distinctive;
        replacement = named ? `${groups.key}${bareName}` : match;
      } else replacement = bareName;
      // Names that differ only in case already name the same repository (GitHub ignores
      // case); only image names must change, to lower case.
      if (!groups.image && replacement.toLowerCase() === match.toLowerCase()) replacement = match;
      if (replacement !== match) count += 1;
      return replacement;
    });
    return { text: out, count };
  };
}

/** Which file of a directory is its kustomization: kustomize's names and its one rule. */
import { statSync } from "node:fs";
import { join } from "node:path";
import { KustomizeError } from "./api.ts";

/** The names kustomize recognises, in the order it tries them. */
export const KUSTOMIZATION_FILE_NAMES = [
  "kustomization.yaml",
  "kustomization.yml",
  "Kustomization",
] as const;

/** The recognised names present in `dir` as something other than a directory. */
export function kustomizationFilesIn(dir: string): string[] {
  return KUSTOMIZATION_FILE_NAMES.filter((name) => {
    try {
      return !statSync(join(dir, name)).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * The one kustomization file among `found` (names in `dir`; `shown` is how messages write
 * the directory): none or several is an error, as in kustomize.
 */
export function onlyKustomizationFile(found: readonly string[], shown: string): string {
  if (found.length === 0) {
    throw new KustomizeError(
      `unable to find one of ${KUSTOMIZATION_FILE_NAMES.map((n) => `'${n}'`)
        .join(", ")
        .replace(/, ([^,]*)$/, " or $1")} in directory '${shown}'`,
      { file: shown },
    );
  }
  if (found.length > 1) {
    throw new KustomizeError(
      `found multiple kustomization files (${found.join(", ")}) in '${shown}': keep only one`,
      { file: shown },
    );
  }
  return found[0] as string;
}

/** The path of `dir`'s kustomization file; throws a KustomizeError when there is none or several. */
export function findKustomizationFile(dir: string): string {
  return join(dir, onlyKustomizationFile(kustomizationFilesIn(dir), dir));
}

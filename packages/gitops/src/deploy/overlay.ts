/** One environment of one app: its kustomization file, its image entry and its hold. */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { findKustomizationFile, KustomizeError, setImage } from "@repo/kustomize-ts";
import { GitopsError } from "../command.ts";
import { overlayPath, requireOverlay } from "../layout.ts";
import { appImageName } from "../repository.ts";
import { findAppImage, type ImageEntry, imageEdit, readImages } from "./image.ts";

/**
 * The hold marker. A file (not a commit trailer) because it is the state of the environment:
 * it is visible in the tree and in Argo CD's repo view, survives squash merges and rebases,
 * `git revert` of a rollback removes it again, and Argo CD ignores it (only the
 * kustomization's resources are rendered).
 */
export const HOLD_FILE = "HOLD";

export interface Overlay {
  root: string;
  app: string;
  env: string;
  /** Absolute directory. */
  dir: string;
  /** Repository-relative directory, forward slashes. */
  path: string;
  /** Repository-relative kustomization file. */
  file: string;
  text: string;
  /** The name used as `images[].name` for the app (existing entry, else the repository image). */
  entryName: string;
  image: ImageEntry | undefined;
  hold: string | undefined;
}

/** The overlay's kustomization file name; none or several (kustomize refuses both) is an error. */
export function kustomizationName(dir: string): string {
  try {
    return basename(findKustomizationFile(dir));
  } catch (error) {
    if (!(error instanceof KustomizeError)) throw error;
    throw new GitopsError(`${error.message} (every overlay has one, see gitops/README.md).`);
  }
}

export function readOverlay(root: string, app: string, env: string): Overlay {
  const dir = requireOverlay(root, app, env);
  const path = overlayPath(app, env);
  const name = kustomizationName(dir);
  const file = `${path}/${name}`;
  const text = readFileSync(join(dir, name), "utf8");
  const expected = appImageName(root, app);
  const image = findAppImage(readImages(text, file), app, expected);
  const entryName = image?.name ?? expected ?? app;
  const holdFile = join(dir, HOLD_FILE);
  const hold = existsSync(holdFile) ? readFileSync(holdFile, "utf8") : undefined;
  return { root, app, env, dir, path, file, text, entryName, image, hold };
}

/** Writes the app's entry through `kustomize edit set image`; returns false when nothing changed. */
export function writeImage(overlay: Overlay, target: Omit<ImageEntry, "name">): boolean {
  const updated = setImage(overlay.text, imageEdit(overlay.entryName, target), overlay.file);
  if (updated === overlay.text) return false;
  writeFileSync(join(overlay.root, overlay.file), updated);
  return true;
}

export function writeHold(overlay: Overlay, lines: readonly string[]): void {
  const text = [
    `# ${overlay.app}/${overlay.env} is on hold: automatic deploys (gitops bump) are refused.`,
    `# Release it with: pnpm gitops release --app ${overlay.app} --env ${overlay.env}`,
    "# (a promotion into this environment releases it too). Argo CD ignores this file.",
    ...lines,
    "",
  ].join("\n");
  writeFileSync(join(overlay.dir, HOLD_FILE), text);
}

export function removeHold(overlay: Overlay): void {
  rmSync(join(overlay.dir, HOLD_FILE), { force: true });
}

export function holdPath(overlay: Overlay): string {
  return `${overlay.path}/${HOLD_FILE}`;
}

/** The `images:` entry of an overlay that says which build of an app runs there. */
import type { ImageEntry, ImageReference } from "@repo/kustomize-ts";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { GitopsError } from "../command.ts";

export type { ImageEntry } from "@repo/kustomize-ts";

/** OCI tag grammar: what a registry accepts after the colon. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const COMMIT = /^[0-9a-f]{7,64}$/;

export function requireTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new GitopsError(
      `malformed image tag "${tag}": a tag is 1-128 letters, digits, '_', '.' or '-' and does not start with '.' or '-' (for example main-1a2b3c4 or 1.4.0).`,
    );
  }
  return tag;
}

/**
 * A tag to deploy: well-formed, and never `latest` alone (it moves, so a later push changes what
 * runs without a commit, and gitops verify refuses it); with a digest the digest pins it.
 */
export function requireDeployTag(tag: string, digest: string | undefined): string {
  requireTag(tag);
  if (tag.toLowerCase() === "latest" && digest === undefined) {
    throw new GitopsError(
      `image tag "${tag}" moves with every push, so the environment would not be pinned (gitops verify refuses it): deploy the commit's tag (main-<sha7>) or a release version, or add --digest sha256:<hex>.`,
    );
  }
  return tag;
}

export function requireDigest(digest: string): string {
  if (!DIGEST.test(digest)) {
    throw new GitopsError(
      `malformed image digest "${digest}": expected sha256: followed by 64 lowercase hex digits, as printed by docker buildx imagetools inspect.`,
    );
  }
  return digest;
}

export function requireCommitId(commit: string): string {
  if (!COMMIT.test(commit)) {
    throw new GitopsError(
      `malformed commit "${commit}": pass a commit id (7 to 64 lowercase hex digits), for example the output of git rev-parse HEAD.`,
    );
  }
  return commit;
}

/** The entries of a kustomization's `images:` list; a broken file names itself. */
export function readImages(text: string, file: string): ImageEntry[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new GitopsError(`${file} is not valid YAML: ${doc.errors[0]!.message}`);
  }
  const images = isMap(doc.contents) ? doc.contents.get("images", true) : undefined;
  if (images === undefined || images === null) return [];
  if (!isSeq(images)) throw new GitopsError(`${file}: key "images" must be a list of entries.`);
  return images.items.map((item, index) => {
    const name = isMap(item) ? scalarText(item.get("name", true)) : undefined;
    if (!isMap(item) || name === undefined) {
      throw new GitopsError(`${file}: images[${index}] needs a "name".`);
    }
    const entry: ImageEntry = { name };
    for (const key of ["newName", "newTag", "digest"] as const) {
      const value = scalarText(item.get(key, true));
      if (value !== undefined) entry[key] = value;
    }
    return entry;
  });
}

/** A scalar as written (kustomize reads `newTag: 1.10` as the string "1.10", not a number). */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return node.source ?? String(node.value);
}

/**
 * The entry for an app: the only one, or the one naming the app's image (as given by
 * gitops/repository.yaml), or one whose name ends in `/<app>` or is `<app>`.
 */
export function findAppImage(
  images: readonly ImageEntry[],
  app: string,
  expected: string | undefined,
): ImageEntry | undefined {
  if (images.length === 1) return images[0];
  return (
    images.find(
      (entry) => expected !== undefined && (entry.name === expected || entry.newName === expected),
    ) ?? images.find((entry) => entry.name === app || entry.name.endsWith(`/${app}`))
  );
}

/** What a container will pull: newName (or name), with the entry's tag and digest. */
export function pulledImage(entry: ImageEntry): ImageReference {
  return { name: entry.newName ?? entry.name, tag: entry.newTag, digest: entry.digest };
}

export function sameImage(a: ImageEntry | undefined, b: ImageEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    (a.newName ?? a.name) === (b.newName ?? b.name) &&
    (a.newTag ?? "") === (b.newTag ?? "") &&
    (a.digest ?? "") === (b.digest ?? "")
  );
}

/**
 * The entry `kustomize edit set image` writes so that it is exactly `target`: kustomize
 * replaces the whole entry, so a field left out (a digest) is removed, never kept stale.
 * With no field at all the entry points the image at its own name.
 */
export function imageEdit(name: string, target: Omit<ImageEntry, "name">): ImageEntry {
  const entry: ImageEntry = { name };
  if (target.newName) entry.newName = target.newName;
  if (target.newTag) entry.newTag = target.newTag;
  if (target.digest) entry.digest = target.digest;
  if (!entry.newName && !entry.newTag && !entry.digest) entry.newName = name;
  return entry;
}

/**
 * kustomize's HashTransformer: appends the content hash to the name of every generated
 * resource that wants one. Every build runs it once at its end; a `transformers:` entry
 * runs it earlier as well, and the resource then carries the hash twice, as in kustomize.
 */
import type { Transformer } from "../context.ts";
import { contentHash } from "../generators.ts";
import type { Resource } from "../resource.ts";

export function addContentHashes(resources: readonly Resource[]): void {
  for (const r of resources) {
    if (!r.needsHash) continue;
    const hash = contentHash(r.obj);
    r.storePreviousId();
    r.name = `${r.name}-${hash}`;
  }
}

export const hashTransformer: Transformer<Record<string, never>> = (resources) =>
  addContentHashes(resources);

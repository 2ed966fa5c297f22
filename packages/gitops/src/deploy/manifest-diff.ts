/**
 * What a change to the gitops tree does to the rendered manifests: the overlays a set of
 * changed files affects, and a per-object unified diff of their rendering at two commits.
 */

import type { KubernetesObject } from "@repo/kustomize-ts";
import { structuredPatch } from "diff";
import { stringify } from "yaml";
import { GITOPS_DIR } from "../layout.ts";

export interface OverlayId {
  app: string;
  env: string;
}

/**
 * Overlays touched by these repository paths: a change under `overlays/<env>/` affects that
 * environment, any other change under `apps/<app>/` (its base) affects all of them.
 */
export function affectedOverlays(
  paths: readonly string[],
  environments: (app: string) => string[],
): { overlays: OverlayId[]; other: string[] } {
  const found = new Map<string, OverlayId>();
  const other: string[] = [];
  for (const path of paths) {
    const match = new RegExp(`^${GITOPS_DIR}/apps/([^/]+)/(?:overlays/([^/]+)/)?`).exec(path);
    if (!match) {
      other.push(path);
      continue;
    }
    const app = match[1]!;
    const envs = match[2] ? [match[2]] : environments(app);
    for (const env of envs) found.set(`${app}/${env}`, { app, env });
  }
  const overlays = [...found.values()].sort((a, b) =>
    `${a.app}/${a.env}`.localeCompare(`${b.app}/${b.env}`),
  );
  return { overlays, other };
}

function objectId(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace ? `${object.metadata.namespace}/` : "";
  return `${object.kind}/${namespace}${object.metadata?.name ?? "?"}`;
}

function hunks(oldText: string, newText: string, id: string): string {
  const patch = structuredPatch(id, id, oldText, newText, "", "", { context: 3 });
  const lines = [`--- a/${id}`, `+++ b/${id}`];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    lines.push(...hunk.lines.filter((line) => !line.startsWith("\\")));
  }
  return lines.join("\n");
}

export interface ObjectChanges {
  added: string[];
  removed: string[];
  changed: string[];
  /** Unified diff of every added, removed or changed object. */
  patch: string;
}

/** Compares two renderings object by object (kind, namespace, name). */
export function diffObjects(
  before: readonly KubernetesObject[],
  after: readonly KubernetesObject[],
): ObjectChanges {
  // Keys sorted, as kustomize prints them: the diff shows values, not the renderer's key order.
  const index = (objects: readonly KubernetesObject[]) =>
    new Map(
      objects.map(
        (object) => [objectId(object), stringify(object, { sortMapEntries: true })] as const,
      ),
    );
  const old = index(before);
  const now = index(after);
  const changes: ObjectChanges = { added: [], removed: [], changed: [], patch: "" };
  const patches: string[] = [];
  for (const id of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(id);
    const b = now.get(id);
    if (a === b) continue;
    if (a === undefined) changes.added.push(id);
    else if (b === undefined) changes.removed.push(id);
    else changes.changed.push(id);
    patches.push(hunks(a ?? "", b ?? "", id));
  }
  changes.patch = patches.join("\n");
  return changes;
}

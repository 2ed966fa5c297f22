/**
 * Renders a kustomization directory to objects, as `kustomize build` would.
 * Temporary: shells out to `kubectl kustomize` until @repo/kustomize-ts can build.
 */
import { execFileSync } from "node:child_process";
import type { KubernetesObject } from "@repo/kustomize-ts";
import { parseAllDocuments } from "yaml";

export function renderKustomization(dir: string): KubernetesObject[] {
  const output = execFileSync(process.env.KUBECTL ?? "kubectl", ["kustomize", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return parseAllDocuments(output)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

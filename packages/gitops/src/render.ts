/**
 * Renders a kustomization directory to objects, exactly as `kustomize build` would
 * (@repo/kustomize-ts, in process: no kubectl or kustomize binary needed).
 */
import { build, type KubernetesObject } from "@repo/kustomize-ts";

export function renderKustomization(dir: string): KubernetesObject[] {
  return build(dir);
}

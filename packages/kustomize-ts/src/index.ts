/**
 * @repo/kustomize-ts: render and edit kustomize trees, faithful to kustomize 5.5.
 *
 *   build(dir, options?)  -> KubernetesObject[]   (sync; same documents and order as `kustomize build`)
 *   toYaml(objects)       -> string               (the YAML stream `kustomize build` prints)
 *   setImage(text, arg)   -> string               (`kustomize edit set image` on a kustomization's text, every other byte kept)
 *   setImageInDir(dir, arg)                       (the same, on DIR/kustomization.yaml in place)
 */
export type { BuildOptions, KubernetesObject } from "./api.ts";
export { KustomizeError } from "./api.ts";
export { build } from "./build.ts";
export { main } from "./cli.ts";
export type { ImageEntry } from "./edit/image-arg.ts";
export { findKustomizationFile, setImage, setImageInDir } from "./edit/set-image.ts";
export { toYaml } from "./yaml/emit.ts";

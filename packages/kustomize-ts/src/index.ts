/**
 * @repo/kustomize-ts: render and edit kustomize trees, faithful to kustomize 5.5.
 *
 *   build(dir, options?)  -> KubernetesObject[]   (sync; same documents and order as `kustomize build`)
 *   toYaml(objects)       -> string               (the YAML stream `kustomize build` prints)
 *   setImage(text, edit)  -> string               (`kustomize edit set image` on a kustomization's text, every other byte kept)
 *   setImageInDir(dir, edit)                      (the same, on DIR's kustomization file in place)
 *   findKustomizationFile(dir), KUSTOMIZATION_FILE_NAMES   (which file kustomize reads)
 *   parseImageReference(ref), formatImageReference(parts)  (image references as kustomize splits them)
 */
export type { BuildOptions, KubernetesObject } from "./api.ts";
export { KustomizeError } from "./api.ts";
export { build } from "./build.ts";
export { main } from "./cli.ts";
export type { ImageEntry } from "./edit/image-arg.ts";
export { type ImageEdit, setImage, setImageInDir } from "./edit/set-image.ts";
export { findKustomizationFile, KUSTOMIZATION_FILE_NAMES, kustomizationFilesIn } from "./files.ts";
export { formatImageReference, type ImageReference, parseImageReference } from "./image-ref.ts";
export { toYaml } from "./yaml/emit.ts";

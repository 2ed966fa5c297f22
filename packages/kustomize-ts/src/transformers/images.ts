/**
 * The images transformer: rewrites `image` fields in any `containers` / `initContainers`
 * list (anywhere in the object, as kustomize's legacy walk does), then at the images field
 * specs, matching by name as kustomize does.
 */
import { KustomizeError } from "../api.ts";
import type { Transformer } from "../context.ts";
import { splitImage } from "../image-ref.ts";
import type { ImageArg } from "../kustomization.ts";
import type { Resource } from "../resource.ts";
import { type FieldSpec, isMap, specMatches, walkSpec } from "../slash-path.ts";

export interface ImageTagConfig {
  imageTag: ImageArg;
  /** Where images are besides `containers` and `initContainers` lists. */
  fieldSpecs: readonly FieldSpec[];
}

const matchers = new Map<string, RegExp | null>();

function imageMatches(value: string, name: string): boolean {
  let re = matchers.get(name);
  if (re === undefined) {
    try {
      re = new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`, "u");
    } catch {
      re = null;
    }
    matchers.set(name, re);
  }
  return re ? re.test(value) : false;
}

function updateImage(value: string, img: ImageArg): string {
  if (!imageMatches(value, img.name ?? "")) return value;
  let { name, tag, digest } = splitImage(value);
  if (img.newName) name = img.newName;
  if (img.newTag && img.digest) {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag) {
    tag = img.newTag;
    digest = "";
  } else if (img.digest) {
    tag = "";
    digest = img.digest;
  } else if (img.tagSuffix) {
    tag += img.tagSuffix;
    digest = "";
  }
  if (tag) name += `:${tag}`;
  if (digest) name += `@${digest}`;
  return name;
}

function updateField(
  holder: Record<string | number, unknown>,
  key: string | number,
  img: ImageArg,
  r: Resource,
): void {
  const value = holder[key];
  if (value !== null && typeof value === "object") {
    const what = Array.isArray(value) ? "list" : "map";
    throw new KustomizeError(
      `images: "image" in ${r.kind} ${r.name} must be a string, not a ${what}`,
      {
        file: r.source,
      },
    );
  }
  if (typeof value === "string") holder[key] = updateImage(value, img);
  else if (typeof value === "number" || typeof value === "boolean") {
    const next = updateImage(String(value), img);
    if (next !== String(value)) holder[key] = next;
  }
}

function walkContainers(node: unknown, img: ImageArg, r: Resource): void {
  if (Array.isArray(node)) {
    for (const item of node) walkContainers(item, img, r);
    return;
  }
  if (!isMap(node)) return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    walkContainers(value, img, r);
    if ((key === "containers" || key === "initContainers") && Array.isArray(value)) {
      for (const c of value)
        if (isMap(c) && Object.hasOwn(c, "image")) updateField(c, "image", img, r);
    }
  }
}

export const imageTagTransformer: Transformer<ImageTagConfig> = (resources, _, config) => {
  const { imageTag: img, fieldSpecs: specs } = config;
  for (const r of resources) {
    if (r.kind === "CustomResourceDefinition") continue;
    walkContainers(r.obj, img, r);
    const gvk = r.gvk();
    for (const spec of specs) {
      if (!specMatches(spec, gvk)) continue;
      walkSpec(r.obj, spec, undefined, (holder, key) =>
        updateField(holder as Record<string | number, unknown>, key, img, r),
      );
    }
  }
};

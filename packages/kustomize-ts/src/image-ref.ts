/** Image references (`registry:5000/team/app:v1@sha256:...`) split and joined as kustomize does. */

export interface ImageReference {
  /** Everything before the tag: registry (with its port) and repository. */
  name: string;
  tag?: string;
  digest?: string;
}

/**
 * kustomize's image.Split: a colon counts as the tag's only after the first `/` (so a
 * registry port stays in the name), and `@` starts the digest. Missing parts are "".
 */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const offset = Math.max(image.indexOf("/"), 0);
  const rest = image.slice(offset);
  const at = rest.indexOf("@");
  const colon = rest.indexOf(":");
  if (colon < 0 && at < 0) return { name: image, tag: "", digest: "" };
  if (at >= 0 && (colon < 0 || at < colon)) {
    return { name: image.slice(0, offset + at), tag: "", digest: image.slice(offset + at + 1) };
  }
  if (at >= 0) {
    return {
      name: image.slice(0, offset + colon),
      tag: image.slice(offset + colon + 1, offset + at),
      digest: image.slice(offset + at + 1),
    };
  }
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1), digest: "" };
}

/** An image reference's parts; a part the reference does not have is left out. */
export function parseImageReference(reference: string): ImageReference {
  const { name, tag, digest } = splitImage(reference);
  const out: ImageReference = { name };
  if (tag !== "") out.tag = tag;
  if (digest !== "") out.digest = digest;
  return out;
}

/** The reference a container pulls: name, then `:tag` and `@digest` when given. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

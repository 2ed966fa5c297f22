import { KustomizeError } from "../api.ts";

/** One `images:` entry of a kustomization. `*` in a field means "keep the value already in the file". */
export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The sentinel kustomize accepts for "keep the existing newName / newTag / digest". */
export const KEEP = "*";

export const acceptedForms = [
  "<image>=<newimage>:<newtag>",
  "<image>=<newimage>@<digest>",
  "<image>=<newimage>:<newtag>@<digest>",
  "<image>=<newimage>",
  "<image>:<newtag>",
  "<image>:<newtag>@<digest>",
  "<image>@<digest>",
];

function invalid(arg: string, why: string): KustomizeError {
  return new KustomizeError(
    `invalid image argument "${arg}" (${why}); use one of:\n${acceptedForms.map((form) => `  ${form}`).join("\n")}\n` +
      `A "*" as new name, new tag or digest keeps the value already in the kustomization.`,
  );
}

/**
 * Splits an image reference into name, tag and digest the way kustomize does: a registry
 * host with a port (`host:5000/app`) is part of the name, `@` starts the digest.
 */
export function splitImage(reference: string): { name: string; tag: string; digest: string } {
  const slash = reference.indexOf("/");
  const offset = Math.max(slash, 0);
  const rest = reference.slice(offset);
  const at = rest.indexOf("@");
  const colon = rest.indexOf(":");
  if (colon < 0 && at < 0) return { name: reference, tag: "", digest: "" };
  if (at >= 0 && (colon < 0 || at < colon)) {
    return {
      name: reference.slice(0, offset + at),
      tag: "",
      digest: reference.slice(offset + at + 1),
    };
  }
  if (at >= 0) {
    return {
      name: reference.slice(0, offset + colon),
      tag: reference.slice(offset + colon + 1, offset + at),
      digest: reference.slice(offset + at + 1),
    };
  }
  return {
    name: reference.slice(0, offset + colon),
    tag: reference.slice(offset + colon + 1),
    digest: "",
  };
}

/**
 * Parses one `kustomize edit set image` argument into the entry it writes. Like kustomize,
 * the entry replaces the existing one: fields the argument does not give are dropped.
 */
export function parseImageArg(arg: string): ImageEntry {
  if (arg.trim() !== arg || arg.length === 0) throw invalid(arg, "empty or surrounded by spaces");
  const eq = arg.indexOf("=");
  const key = eq >= 0 ? arg.slice(0, eq) : "";
  const value = eq >= 0 ? arg.slice(eq + 1) : arg;
  if (eq === 0) throw invalid(arg, "the image name before '=' is empty");
  const { name, tag, digest } = splitImage(value);
  if (name === arg) throw invalid(arg, "no new name, tag or digest given");
  if (name.length === 0 && key === "") throw invalid(arg, "the image name is empty");
  const entry: ImageEntry = key === "" ? { name } : { name: key };
  if (key !== "" && name !== "") entry.newName = name;
  if (tag !== "") entry.newTag = tag;
  if (digest !== "") entry.digest = digest;
  return entry;
}

import { KustomizeError } from "../api.ts";
import { splitImage } from "../image-ref.ts";

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

/** image-pinned, image-repository */
import { parseImageReference } from "@repo/kustomize-ts";
import { podTemplate, text } from "../objects.ts";
import type { Finding } from "../types.ts";
import type { ObjectRule } from "./context.ts";

export const checkImages: ObjectRule = (object, { config, apps, target }) => {
  const pod = podTemplate(object);
  if (!pod) return [];
  const findings: Finding[] = [];
  const where = target.app
    ? `the images: entry of ${target.path}/kustomization.yaml`
    : "the manifest";
  for (const container of [...pod.initContainers, ...pod.containers]) {
    const name = text(container.name) ?? "(unnamed)";
    const image = text(container.image) ?? "";
    const ref = parseImageReference(image);
    if (!ref.digest && (!ref.tag || ref.tag === "latest")) {
      findings.push({
        rule: "image-pinned",
        problem: `container ${name} runs ${image || "no image"}, which is not pinned to a tag or digest (${ref.tag === "latest" ? "latest moves" : "no tag means latest"})`,
        fix: `set newTag (main-<sha7> or a release version) and/or digest in ${where}`,
      });
    }
    const own = ref.name.startsWith(config.imagePrefix)
      ? ref.name.slice(config.imagePrefix.length)
      : undefined;
    if (own === undefined || !apps.includes(own)) {
      findings.push({
        rule: "image-repository",
        problem: `container ${name} runs ${ref.name || "no image"}, which is not an image of this repository (${config.imagePrefix}<app> for an app in gitops/apps)`,
        fix: `use ${config.imagePrefix}${target.app ?? "<app>"} (derived from gitops/repository.yaml; re-run the repository setup if the repository was renamed)`,
      });
    }
  }
  return findings;
};

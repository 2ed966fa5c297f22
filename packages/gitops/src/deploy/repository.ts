/** gitops/repository.yaml: the one place that names the repository and the image registry. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { GITOPS_DIR } from "../layout.ts";

export const REPOSITORY_FILE = `${GITOPS_DIR}/repository.yaml`;

/** `<registry>/<repository>/<app>`, or undefined when the file does not say. */
export function appImageName(root: string, app: string): string | undefined {
  const file = join(root, REPOSITORY_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const data = parse(readFileSync(file, "utf8")) as { repository?: unknown; registry?: unknown };
    if (typeof data?.repository !== "string" || typeof data.registry !== "string") return undefined;
    return `${data.registry}/${data.repository}/${app}`.toLowerCase();
  } catch {
    return undefined;
  }
}

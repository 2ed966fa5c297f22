/**
 * Makes a repository created from the template its own: every place that names the
 * repository in gitops/repository.yaml is rewritten to the target repository, then the file
 * itself. The file goes last, so an interrupted run is finished by running again.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listFiles, readText } from "./files.ts";
import { defaultRegistry, type RepositoryId } from "./remote.ts";
import {
  REPOSITORY_FILE,
  type RepositorySettings,
  readRepositoryFile,
  renderRepositoryFile,
} from "./repository-file.ts";
import { makeRewriter } from "./rewrite.ts";

export interface SetupOptions {
  root: string;
  target: RepositoryId;
  /** Container registry; default: the current one on the same host, else the host's own. */
  registry?: string;
  /** Report what would change without writing. */
  dryRun?: boolean;
}

export interface FileChange {
  file: string;
  /** Places changed in the file. */
  count: number;
}

export interface SetupResult {
  from: RepositorySettings;
  to: RepositorySettings;
  changes: FileChange[];
}

function changedKeys(from: RepositorySettings, to: RepositorySettings): number {
  const repository = (s: RepositorySettings) => `${s.owner}/${s.name}`;
  return (
    Number(repository(from) !== repository(to)) +
    Number(from.registry !== to.registry) +
    Number(from.host !== to.host)
  );
}

export function setupRepository(options: SetupOptions): SetupResult {
  const { root, target } = options;
  const { settings: from, text: fileText } = readRepositoryFile(root);
  const registry =
    options.registry ?? (target.host === from.host ? from.registry : defaultRegistry(target.host));
  const to: RepositorySettings = { ...target, registry };
  const changes: FileChange[] = [];
  const write = (file: string, text: string) => {
    if (!options.dryRun) writeFileSync(join(root, file), text);
  };

  const rewrite = makeRewriter(from, to);
  for (const file of listFiles(root)) {
    if (file === REPOSITORY_FILE) continue;
    const text = readText(root, file);
    if (text === undefined) continue;
    const result = rewrite(text, file);
    if (result.count === 0) continue;
    write(file, result.text);
    changes.push({ file, count: result.count });
  }

  const rendered = renderRepositoryFile(fileText, to);
  if (rendered !== fileText) {
    write(REPOSITORY_FILE, rendered);
    changes.push({ file: REPOSITORY_FILE, count: Math.max(1, changedKeys(from, to)) });
  }
  return { from, to, changes };
}

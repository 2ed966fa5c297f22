/**
 * The deployments of one environment, read back from git: every commit that touched the
 * overlay, the image it left there (read from the file at that commit, so `git revert` and
 * hand edits count too) and the trailers the gitops commands wrote.
 */
import { KUSTOMIZATION_FILE_NAMES } from "@repo/kustomize-ts";
import { Git } from "../git/git.ts";
import { type CommitInfo, logPath, readBlobs, TRAILERS } from "../git/log.ts";
import { appImageName } from "../repository.ts";
import { findAppImage, type ImageEntry, readImages } from "./image.ts";
import { HOLD_FILE, readOverlay } from "./overlay.ts";

export type DeploymentKind = "deploy" | "promote" | "rollback" | "release" | "revert" | "edit";

export interface Deployment {
  commit: string;
  author: string;
  email: string;
  date: string;
  subject: string;
  kind: DeploymentKind;
  /** The app's image entry as this commit left it. */
  image: ImageEntry | undefined;
  /** The source commit the image was built from: the trailer, or inherited from the commit that first deployed the same image. */
  sourceCommit: string | undefined;
  workflowRun: string | undefined;
  onHold: boolean;
}

function kindOf(subject: string): DeploymentKind {
  const match = /^(deploy|promote|rollback|release)\(/.exec(subject);
  if (match) return match[1] as DeploymentKind;
  if (subject.startsWith('Revert "')) return "revert";
  return "edit";
}

export function imageKey(image: ImageEntry | undefined): string {
  if (!image) return "";
  return `${image.newName ?? image.name}:${image.newTag ?? ""}@${image.digest ?? ""}`;
}

export interface HistoryOptions {
  app: string;
  /** Repository-relative overlay directory. */
  path: string;
  expectedImage: string | undefined;
  limit: number;
  ref?: string;
}

export function readHistory(git: Git, options: HistoryOptions): Deployment[] {
  const commits: CommitInfo[] = logPath(git, options.path, options.limit, options.ref);
  const specs = commits.flatMap((commit) => [
    ...KUSTOMIZATION_FILE_NAMES.map((name) => `${commit.sha}:${options.path}/${name}`),
    `${commit.sha}:${options.path}/${HOLD_FILE}`,
  ]);
  const blobs = readBlobs(git, specs);
  const per = KUSTOMIZATION_FILE_NAMES.length + 1;
  const deployments = commits.map((commit, index): Deployment => {
    const files = blobs.slice(index * per, index * per + per);
    const text = files.slice(0, KUSTOMIZATION_FILE_NAMES.length).find((blob) => blob !== undefined);
    let image: ImageEntry | undefined;
    if (text !== undefined) {
      try {
        image = findAppImage(readImages(text, options.path), options.app, options.expectedImage);
      } catch {
        image = undefined; // a commit with a broken file still shows in the history
      }
    }
    return {
      commit: commit.sha,
      author: commit.author,
      email: commit.email,
      date: commit.date,
      subject: commit.subject,
      kind: kindOf(commit.subject),
      image,
      sourceCommit: commit.trailers[TRAILERS.sourceCommit],
      workflowRun: commit.trailers[TRAILERS.workflowRun],
      onHold: files[per - 1] !== undefined,
    };
  });
  // A revert or hand edit that brings back an earlier image brings back its source commit.
  const known = new Map<string, string>();
  for (const deployment of [...deployments].reverse()) {
    const key = imageKey(deployment.image);
    if (deployment.sourceCommit && key) {
      known.set(key, deployment.sourceCommit);
    } else if (!deployment.sourceCommit && key) {
      deployment.sourceCommit = known.get(key);
    }
  }
  return deployments;
}

/**
 * The commit the image an environment runs was built from, as `gitops history` shows it (the
 * newest deployment's Source-Commit, carried through reverts and hand edits); undefined when
 * no commit of the overlay names one. Throws when the overlay is missing or unreadable.
 */
export function deployedSourceCommit(
  root: string,
  app: string,
  env: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const overlay = readOverlay(root, app, env);
  const history = readHistory(new Git(root, processEnv), {
    app,
    path: overlay.path,
    expectedImage: appImageName(root, app),
    limit: 200,
  });
  return history[0]?.sourceCommit;
}

/**
 * `gitops bump`: point an environment at a new image. This is what CI runs after pushing an
 * image, and the only automatic way an environment changes.
 */

import { resolve } from "node:path";
import { formatImageReference } from "@repo/kustomize-ts";
import { type Command, EXIT_ON_HOLD, EXIT_SUPERSEDED, GitopsError } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { readHistory } from "../deploy/history.ts";
import {
  type ImageEntry,
  pulledImage,
  requireCommitId,
  requireDeployTag,
  requireDigest,
  sameImage,
} from "../deploy/image.ts";
import { holdPath, readOverlay, writeImage } from "../deploy/overlay.ts";
import { commitPaths, openSession, publish, short } from "../deploy/session.ts";
import { Git } from "../git/git.ts";
import { formatMessage, TRAILERS } from "../git/log.ts";
import { requireOverlay } from "../layout.ts";
import { appImageName } from "../repository.ts";

const usage = `usage: gitops bump --app <app> --env <env> --tag <tag> [--digest sha256:<hex>]
                   [--source-commit <sha>] [--workflow-run <url>] [--source-repo <dir>]
                   [--remote origin] [--no-push] [--force]

Points an environment at a new image: sets the app's images entry in
gitops/apps/<app>/overlays/<env>/kustomization.yaml (as kustomize edit set image does; every
other byte of the file stays), commits "deploy(<app>): <tag> to <env>" with Source-Commit,
Image-Tag, Image-Digest and Workflow-Run trailers, and pushes. When another push lands first it
fetches, rebases and tries again (bounded).

Exits 0 without a commit when the environment already runs that image. Refuses:
  - while the environment is on hold after a rollback (exit code 4; release it: gitops release
    --app --env);
  - an image built from a commit that is an ancestor of the deployed one (an out-of-order run;
    exit code 3, so CI can tell it from a failure: a newer build is deployed already);
  - the tag latest without a digest (it moves: the environment would not be pinned).

  --source-commit  the commit the image was built from (CI: github.sha)
  --source-repo    where to look that commit up, when the gitops tree is another repository
  --force          deploy even when the deployed commit is not in the source repository
  --no-push        commit locally only`;

type Outcome =
  | { kind: "noop"; reference: string }
  | { kind: "committed"; sha: string; reference: string };

function resolveCommit(git: Git, commit: string): string | undefined {
  const result = git.try(["rev-parse", "--verify", "--quiet", `${commit}^{commit}`]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Refuses an image built from an ancestor of the deployed commit. */
function checkOrder(
  source: Git,
  next: string | undefined,
  deployed: string | undefined,
  force: boolean,
  app: string,
  env: string,
): void {
  if (!next || !deployed || next === deployed) return;
  const nextFull = resolveCommit(source, next);
  const deployedFull = resolveCommit(source, deployed);
  if (!nextFull || !deployedFull) {
    if (force) return;
    const missing = !nextFull ? next : deployed;
    throw new GitopsError(
      `cannot tell whether ${short(next)} is newer than ${short(deployed)} (deployed in ${app}/${env}): commit ${short(missing)} is not in ${source.cwd}. ` +
        "Fetch the full history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout), point --source-repo at the app's repository, or pass --force.",
    );
  }
  if (nextFull === deployedFull) return;
  if (source.ok(["merge-base", "--is-ancestor", nextFull, deployedFull])) {
    throw new GitopsError(
      `refusing to deploy ${short(nextFull)} to ${app}/${env}: it is older than the deployed ${short(deployedFull)} (an ancestor of it), so this is an out-of-order run. ` +
        `To go back on purpose, use gitops rollback --app ${app} --env ${env} --to <tag>.`,
      EXIT_SUPERSEDED,
    );
  }
}

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      app: { type: "string" },
      env: { type: "string" },
      tag: { type: "string" },
      digest: { type: "string" },
      "source-commit": { type: "string" },
      "workflow-run": { type: "string" },
      "source-repo": { type: "string" },
      remote: { type: "string" },
      "no-push": { type: "boolean" },
      force: { type: "boolean" },
    });
    const app = required(flags.app, "app");
    const env = required(flags.env, "env");
    const digest = flags.digest === undefined ? undefined : requireDigest(flags.digest);
    const tag = requireDeployTag(required(flags.tag, "tag"), digest);
    let sourceCommit =
      flags["source-commit"] === undefined ? undefined : requireCommitId(flags["source-commit"]);

    const session = await openSession(ctx, {
      remote: flags.remote,
      push: !flags["no-push"],
      check: (root) => requireOverlay(root, app, env),
    });
    const { root, git } = session;
    const source = flags["source-repo"]
      ? new Git(resolve(ctx.cwd, flags["source-repo"]), ctx.env)
      : git;
    if (sourceCommit) sourceCommit = resolveCommit(source, sourceCommit) ?? sourceCommit;
    const expectedImage = appImageName(root, app);

    const published = await publish<Outcome>(session, () => {
      const overlay = readOverlay(root, app, env);
      if (overlay.hold !== undefined) {
        throw new GitopsError(
          `${app}/${env} is on hold (${holdPath(overlay)}, set by a rollback), so automatic deploys are refused. ` +
            `When the fix is ready, release it with gitops release --app ${app} --env ${env}, or promote a build into it with gitops promote --app ${app} --from <env> --to ${env}.`,
          EXIT_ON_HOLD,
        );
      }
      const target: Omit<ImageEntry, "name"> = {
        ...(overlay.image?.newName ? { newName: overlay.image.newName } : {}),
        newTag: tag,
        ...(digest ? { digest } : {}),
      };
      const reference = formatImageReference(pulledImage({ name: overlay.entryName, ...target }));
      if (sameImage(overlay.image, { name: overlay.entryName, ...target })) {
        return { kind: "done", value: { kind: "noop", reference } };
      }
      const history = readHistory(git, { app, path: overlay.path, expectedImage, limit: 200 });
      checkOrder(source, sourceCommit, history[0]?.sourceCommit, flags.force === true, app, env);
      if (!writeImage(overlay, target)) return { kind: "done", value: { kind: "noop", reference } };
      const message = formatMessage(`deploy(${app}): ${tag} to ${env}`, [`Image: ${reference}`], {
        [TRAILERS.sourceCommit]: sourceCommit,
        [TRAILERS.imageTag]: tag,
        [TRAILERS.imageDigest]: digest,
        [TRAILERS.workflowRun]: flags["workflow-run"],
      });
      const sha = commitPaths(git, [overlay.file], message);
      return { kind: "commit", value: { kind: "committed", sha, reference } };
    });

    const outcome = published.value;
    if (outcome.kind === "noop") {
      ctx.stdout(`${app}/${env} already runs ${outcome.reference}: nothing to do.\n`);
      return 0;
    }
    const where = published.pushed
      ? `pushed to ${session.remote}/${session.branch}${published.attempts > 1 ? ` after ${published.attempts} attempts` : ""}`
      : "not pushed (--no-push)";
    ctx.stdout(
      `deployed ${outcome.reference} to ${app}/${env}: commit ${short(outcome.sha)}, ${where}.\n`,
    );
    return 0;
  },
};

/**
 * `gitops rollback`: a new commit that puts an environment back on an image it ran before,
 * and holds it there so CI does not redeploy the bad build minutes later.
 */
import { formatImageReference } from "@repo/kustomize-ts";
import { type Command, GitopsError, UsageError } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { type Deployment, imageKey, readHistory } from "../deploy/history.ts";
import { pulledImage, requireTag } from "../deploy/image.ts";
import { holdPath, readOverlay, writeHold, writeImage } from "../deploy/overlay.ts";
import { commitPaths, openSession, publish, short } from "../deploy/session.ts";
import { formatMessage, TRAILERS } from "../git/log.ts";
import { requireOverlay } from "../layout.ts";
import { appImageName } from "../repository.ts";

const usage = `usage: gitops rollback --app <app> --env <env> [--to <tag> | --steps <n>] [--remote origin] [--no-push]

Puts an environment back on an image it ran before, as a new commit (history is never
rewritten), and puts the environment on hold: gitops bump refuses it until
gitops release --app <app> --env <env> (or a promotion into it) lifts the hold.

  --to <tag>    the tag to go back to (it must appear in the environment's history)
  --steps <n>   go back n distinct images (default 1: the one before the current)
  --no-push     commit locally only

A plain git revert of a deploy commit works too (and does not hold the environment).`;

/** Earlier images, newest first: distinct, and never the one running now. */
function earlierImages(history: readonly Deployment[], current: string): Deployment[] {
  const seen = new Set([current]);
  const result: Deployment[] = [];
  for (const deployment of history) {
    const key = imageKey(deployment.image);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    result.push(deployment);
  }
  return result;
}

function listTags(candidates: readonly Deployment[]): string {
  const tags = candidates.slice(0, 10).map((d) => d.image?.newTag ?? d.image?.digest ?? "?");
  return tags.length ? tags.join(", ") : "(none)";
}

type Outcome = { sha: string; from: string; to: string };

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      app: { type: "string" },
      env: { type: "string" },
      to: { type: "string" },
      steps: { type: "string" },
      remote: { type: "string" },
      "no-push": { type: "boolean" },
    });
    const app = required(flags.app, "app");
    const env = required(flags.env, "env");
    if (flags.to !== undefined && flags.steps !== undefined) {
      throw new UsageError("give either --to or --steps, not both");
    }
    const to = flags.to === undefined ? undefined : requireTag(flags.to);
    const steps = flags.steps === undefined ? 1 : Number(flags.steps);
    if (!Number.isInteger(steps) || steps < 1) {
      throw new UsageError(`--steps must be a whole number of 1 or more, got "${flags.steps}"`);
    }

    const session = await openSession(ctx, {
      remote: flags.remote,
      push: !flags["no-push"],
      check: (root) => requireOverlay(root, app, env),
    });
    const { root, git } = session;
    const expectedImage = appImageName(root, app);

    const published = await publish<Outcome>(session, () => {
      const overlay = readOverlay(root, app, env);
      const history = readHistory(git, { app, path: overlay.path, expectedImage, limit: 1000 });
      const current = overlay.image;
      const candidates = earlierImages(history, imageKey(current));
      let target: Deployment | undefined;
      if (to !== undefined) {
        if (current?.newTag === to) {
          throw new GitopsError(
            `${app}/${env} already runs ${to}: pick an earlier tag (recent: ${listTags(candidates)}).`,
          );
        }
        target = candidates.find((deployment) => deployment.image?.newTag === to);
        if (!target) {
          throw new GitopsError(
            `${app}/${env} never ran tag "${to}" in its git history: pick one it ran (recent: ${listTags(candidates)}), see gitops history --app ${app} --env ${env}.`,
          );
        }
      } else {
        target = candidates[steps - 1];
        if (!target) {
          throw new GitopsError(
            `${app}/${env} has only ${candidates.length} earlier image(s) in its git history, cannot go back ${steps}: see gitops history --app ${app} --env ${env}.`,
          );
        }
      }
      const image = target.image!;
      const from = current ? formatImageReference(pulledImage(current)) : "(no image)";
      const toRef = formatImageReference(pulledImage(image));
      writeImage(overlay, {
        ...(image.newName ? { newName: image.newName } : {}),
        ...(image.newTag ? { newTag: image.newTag } : {}),
        ...(image.digest ? { digest: image.digest } : {}),
      });
      writeHold(overlay, [
        "reason: rollback",
        `from: ${from}`,
        `to: ${toRef}`,
        `since: ${new Date().toISOString()}`,
      ]);
      const label = image.newTag ?? image.digest ?? toRef;
      const message = formatMessage(
        `rollback(${app}): ${env} to ${label}`,
        [
          `Back from ${from}`,
          `to ${toRef}`,
          `(first deployed in ${short(target.commit)}). ${env} is on hold until gitops release.`,
        ],
        {
          [TRAILERS.sourceCommit]: target.sourceCommit,
          [TRAILERS.imageTag]: image.newTag,
          [TRAILERS.imageDigest]: image.digest,
          [TRAILERS.rolledBackFrom]: current?.newTag ?? current?.digest,
        },
      );
      const sha = commitPaths(git, [overlay.file, holdPath(overlay)], message);
      return { kind: "commit", value: { sha, from, to: toRef } };
    });
    const { sha, from, to: toRef } = published.value;
    const where = published.pushed
      ? `pushed to ${session.remote}/${session.branch}`
      : "not pushed (--no-push)";
    ctx.stdout(
      `rolled ${app}/${env} back from ${from} to ${toRef}: commit ${short(sha)}, ${where}.\n` +
        `${app}/${env} is on hold; when a fix is ready: gitops release --app ${app} --env ${env}\n`,
    );
    return 0;
  },
};

/**
 * `gitops promote`: move an environment to exactly the image another one runs (same tag, same
 * digest), or to a release image, as a commit on a new branch that becomes a pull request.
 */
import { formatImageReference } from "@repo/kustomize-ts";
import { type Command, GitopsError, UsageError } from "../command.ts";
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
import { holdPath, readOverlay, removeHold, writeImage } from "../deploy/overlay.ts";
import { commitPaths, openSession, type Session, short } from "../deploy/session.ts";
import { networkTimeoutSeconds } from "../git/git.ts";
import { formatMessage, TRAILERS } from "../git/log.ts";
import { requireOverlay } from "../layout.ts";
import { appImageName } from "../repository.ts";

const usage = `usage: gitops promote --app <app> --from <env> --to <env> [--branch <name>]
                      [--workflow-run <url>] [--push] [--remote origin]
       gitops promote --app <app> --to <env> --tag <tag> [--digest sha256:<hex>] [--source-commit <sha>] ...

Sets the target environment to the exact image (tag and digest) the source environment runs,
or to the given release image, commits "promote(<app>): <tag> to <env>" on a new branch
(default promote/<app>-<env>-<tag>) and returns to the current branch. A promotion also lifts
a hold left by a rollback: it is a reviewed, deliberate change.

  --push   push the branch, ready for a pull request (gh pr create --fill --head <branch>)`;

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      app: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      tag: { type: "string" },
      digest: { type: "string" },
      "source-commit": { type: "string" },
      branch: { type: "string" },
      "workflow-run": { type: "string" },
      push: { type: "boolean" },
      remote: { type: "string" },
    });
    const app = required(flags.app, "app");
    const to = required(flags.to, "to");
    const from = flags.from;
    if (from === undefined && flags.tag === undefined) {
      throw new UsageError("give --from <env> or --tag <tag>");
    }
    if (from !== undefined && (flags.tag ?? flags.digest ?? flags["source-commit"]) !== undefined) {
      throw new UsageError("give either --from or --tag/--digest/--source-commit, not both");
    }
    if (from === to) {
      throw new GitopsError(
        `--from and --to are both "${from}": promote between two environments.`,
      );
    }
    const release: Omit<ImageEntry, "name"> | undefined =
      flags.tag === undefined
        ? undefined
        : {
            newTag: requireDeployTag(flags.tag, flags.digest),
            ...(flags.digest === undefined ? {} : { digest: requireDigest(flags.digest) }),
          };
    const releaseSource =
      flags["source-commit"] === undefined ? undefined : requireCommitId(flags["source-commit"]);

    const session = await openSession(ctx, {
      remote: flags.remote,
      push: flags.push === true,
      check: (root) => {
        if (from !== undefined) requireOverlay(root, app, from);
        requireOverlay(root, app, to);
      },
    });
    try {
      return await promoteIn(session);
    } finally {
      session.close();
    }

    async function promoteIn(session: Session): Promise<number> {
      const { root, git } = session;
      const target = readOverlay(root, app, to);
      const source = from === undefined ? undefined : readOverlay(root, app, from);
      if (source && (!source.image || (!source.image.newTag && !source.image.digest))) {
        throw new GitopsError(
          `${app}/${from} sets no image tag or digest (${source.file}): deploy to it first, then promote.`,
        );
      }
      const image: ImageEntry = source?.image ?? {
        name: target.entryName,
        ...(target.image?.newName ? { newName: target.image.newName } : {}),
        ...release,
      };
      const wanted: Omit<ImageEntry, "name"> = {
        ...(image.newName
          ? { newName: image.newName }
          : image.name !== target.entryName
            ? { newName: image.name }
            : {}),
        ...(image.newTag ? { newTag: image.newTag } : {}),
        ...(image.digest ? { digest: image.digest } : {}),
      };
      const reference = formatImageReference(pulledImage({ name: target.entryName, ...wanted }));
      if (
        sameImage(target.image, { name: target.entryName, ...wanted }) &&
        target.hold === undefined
      ) {
        ctx.stdout(`${app}/${to} already runs ${reference}: nothing to promote.\n`);
        return 0;
      }
      const label = image.newTag ?? short(image.digest!.replace("sha256:", ""));
      const branch = flags.branch ?? `promote/${app}-${to}-${label}`;
      if (git.ok(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`])) {
        throw new GitopsError(
          `branch ${branch} already exists: delete it (git branch -D ${branch}) or name another with --branch.`,
        );
      }
      const sourceCommit = source
        ? readHistory(git, {
            app,
            path: source.path,
            expectedImage: appImageName(root, app),
            limit: 200,
          })[0]?.sourceCommit
        : releaseSource;
      // Committed in the session's worktree, then named: the user's checkout never changes.
      writeImage(target, wanted);
      const released = target.hold !== undefined;
      if (released) removeHold(target);
      const message = formatMessage(
        `promote(${app}): ${label} to ${to}`,
        [
          source
            ? `Promotes the image ${from} runs to ${to}:`
            : `Promotes release ${label} to ${to}:`,
          reference,
          ...(released ? [`This lifts the hold on ${to}.`] : []),
        ],
        {
          [TRAILERS.sourceCommit]: sourceCommit,
          [TRAILERS.imageTag]: image.newTag,
          [TRAILERS.imageDigest]: image.digest,
          [TRAILERS.promotedFrom]: from,
          [TRAILERS.workflowRun]: flags["workflow-run"],
        },
      );
      const sha = commitPaths(
        git,
        released ? [target.file, holdPath(target)] : [target.file],
        message,
      );
      session.clone.run(["branch", branch, sha]);
      if (session.push) {
        const pushed = await session.clone.network([
          "push",
          "--quiet",
          "--set-upstream",
          session.remote,
          `${branch}:refs/heads/${branch}`,
        ]);
        if (pushed.code !== 0) {
          const why = pushed.timedOut
            ? `got no answer within ${networkTimeoutSeconds(session.clone.env)} s`
            : `failed: ${pushed.stderr.trim()}`;
          throw new GitopsError(
            `git push ${session.remote} ${branch} ${why}\nthe branch ${branch} is committed locally: push it yourself (git push --set-upstream ${session.remote} ${branch}); if it exists on ${session.remote} already, delete the local one (git branch -D ${branch}) and name another with --branch.`,
          );
        }
      }
      ctx.stdout(
        `promoted ${reference}${source ? ` from ${app}/${from}` : ""} to ${app}/${to}: commit ${short(sha)} on branch ${branch}` +
          `${session.push ? ` (pushed to ${session.remote})` : ""}.\n` +
          (session.push
            ? `open the pull request: gh pr create --fill --head ${branch}\n`
            : `push it, then open the pull request: git push --set-upstream ${session.remote} ${branch} && gh pr create --fill --head ${branch}\n`),
      );
      return 0;
    }
  },
};

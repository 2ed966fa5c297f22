/**
 * `gitops promote`: move an environment to exactly the image another one runs (same tag, same
 * digest), as a commit on a new branch that becomes a pull request.
 */
import { type Command, GitopsError } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { readHistory } from "../deploy/history.ts";
import { type ImageEntry, imageReference, sameImage } from "../deploy/image.ts";
import { holdPath, readOverlay, removeHold, writeImage } from "../deploy/overlay.ts";
import { appImageName } from "../deploy/repository.ts";
import { commitPaths, openSession, short } from "../deploy/session.ts";
import { formatMessage, TRAILERS } from "../git/log.ts";
import { requireOverlay } from "../layout.ts";

const usage = `usage: gitops promote --app <app> --from <env> --to <env> [--branch <name>]
                      [--workflow-run <url>] [--push] [--remote origin]

Sets the target environment to the exact image (tag and digest) the source environment runs,
commits "promote(<app>): <tag> to <env>" on a new branch (default promote/<app>-<env>-<tag>)
and returns to the current branch. A promotion also lifts a hold left by a rollback.

  --push   push the branch, ready for a pull request (gh pr create --fill --head <branch>)`;

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      app: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      branch: { type: "string" },
      "workflow-run": { type: "string" },
      push: { type: "boolean" },
      remote: { type: "string" },
    });
    const app = required(flags.app, "app");
    const from = required(flags.from, "from");
    const to = required(flags.to, "to");
    if (from === to)
      throw new GitopsError(
        `--from and --to are both "${from}": promote between two environments.`,
      );
    const session = openSession(ctx, {
      remote: flags.remote,
      push: flags.push === true,
      check: (root) => {
        requireOverlay(root, app, from);
        requireOverlay(root, app, to);
      },
    });
    const { root, git } = session;
    const source = readOverlay(root, app, from);
    const target = readOverlay(root, app, to);
    if (!source.image || (!source.image.newTag && !source.image.digest)) {
      throw new GitopsError(
        `${app}/${from} sets no image tag or digest (${source.file}): deploy to it first, then promote.`,
      );
    }
    const image = source.image;
    const wanted: Omit<ImageEntry, "name"> = {
      ...(image.newName
        ? { newName: image.newName }
        : image.name !== target.entryName
          ? { newName: image.name }
          : {}),
      ...(image.newTag ? { newTag: image.newTag } : {}),
      ...(image.digest ? { digest: image.digest } : {}),
    };
    const reference = imageReference({ name: target.entryName, ...wanted });
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
    const sourceHistory = readHistory(git, {
      app,
      path: source.path,
      expectedImage: appImageName(root, app),
      limit: 200,
    });
    git.run(["switch", "--quiet", "-c", branch]);
    let sha: string;
    try {
      writeImage(target, wanted);
      const released = target.hold !== undefined;
      if (released) removeHold(target);
      const message = formatMessage(
        `promote(${app}): ${label} to ${to}`,
        [
          `Promotes the image ${from} runs to ${to}:`,
          reference,
          ...(released ? [`This lifts the hold on ${to}.`] : []),
        ],
        {
          [TRAILERS.sourceCommit]: sourceHistory[0]?.sourceCommit,
          [TRAILERS.imageTag]: image.newTag,
          [TRAILERS.imageDigest]: image.digest,
          [TRAILERS.promotedFrom]: from,
          [TRAILERS.workflowRun]: flags["workflow-run"],
        },
      );
      sha = commitPaths(git, released ? [target.file, holdPath(target)] : [target.file], message);
    } finally {
      git.run(["switch", "--quiet", session.branch]);
    }
    if (session.push) {
      const pushed = git.try([
        "push",
        "--quiet",
        "--set-upstream",
        session.remote,
        `${branch}:refs/heads/${branch}`,
      ]);
      if (pushed.code !== 0) {
        throw new GitopsError(
          `git push ${session.remote} ${branch} failed: ${pushed.stderr.trim()}\nif the branch exists on ${session.remote} already, name another with --branch.`,
        );
      }
    }
    ctx.stdout(
      `promoted ${reference} from ${app}/${from} to ${app}/${to}: commit ${short(sha)} on branch ${branch}` +
        `${session.push ? ` (pushed to ${session.remote})` : ""}.\n` +
        `open the pull request: gh pr create --fill --head ${branch}\n`,
    );
    return 0;
  },
};

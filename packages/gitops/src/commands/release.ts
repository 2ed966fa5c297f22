/** `gitops release`: lift the hold a rollback put on an environment, so CI deploys to it again. */
import type { Command } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { holdPath, readOverlay, removeHold } from "../deploy/overlay.ts";
import { commitPaths, openSession, publish, short } from "../deploy/session.ts";
import { formatMessage } from "../git/log.ts";
import { requireOverlay } from "../layout.ts";

const usage = `usage: gitops release --app <app> --env <env> [--remote origin] [--no-push]

Lifts the hold that gitops rollback put on an environment (removes its HOLD file in a
commit), so the next gitops bump from CI deploys to it again. Exits 0 when it is not on hold.`;

type Outcome = { kind: "noop" } | { kind: "released"; sha: string };

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      app: { type: "string" },
      env: { type: "string" },
      remote: { type: "string" },
      "no-push": { type: "boolean" },
    });
    const app = required(flags.app, "app");
    const env = required(flags.env, "env");
    const session = await openSession(ctx, {
      remote: flags.remote,
      push: !flags["no-push"],
      check: (root) => requireOverlay(root, app, env),
    });
    const published = await publish<Outcome>(session, () => {
      const overlay = readOverlay(session.root, app, env);
      if (overlay.hold === undefined) return { kind: "done", value: { kind: "noop" } };
      removeHold(overlay);
      const message = formatMessage(
        `release(${app}): lift the hold on ${env}`,
        [`Automatic deploys (gitops bump) to ${env} resume with the next build.`],
        {},
      );
      const sha = commitPaths(session.git, [holdPath(overlay)], message);
      return { kind: "commit", value: { kind: "released", sha } };
    });
    const outcome = published.value;
    if (outcome.kind === "noop") {
      ctx.stdout(`${app}/${env} is not on hold: nothing to do.\n`);
      return 0;
    }
    const where = published.pushed
      ? `pushed to ${session.remote}/${session.branch}`
      : "not pushed (--no-push)";
    ctx.stdout(
      `released ${app}/${env}: commit ${short(outcome.sha)}, ${where}. The next build deploys to it again.\n`,
    );
    return 0;
  },
};

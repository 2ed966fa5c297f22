/**
 * `gitops diff`: the rendered manifests that change between two commits, as markdown for a
 * pull request comment (ci.yaml posts it on pull requests that touch gitops/).
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { KubernetesObject } from "@repo/kustomize-ts";
import { type Command, GitopsError } from "../command.ts";
import { parseFlags, required } from "../deploy/flags.ts";
import { affectedOverlays, diffObjects, type OverlayId } from "../deploy/manifest-diff.ts";
import { snapshot } from "../deploy/snapshot.ts";
import { Git } from "../git/git.ts";
import { findRepoRoot, GITOPS_DIR, listEnvironments, overlayPath } from "../layout.ts";
import { renderKustomization } from "../render.ts";

const usage = `usage: gitops diff --base <ref> [--head <ref>] [--output <file>]

Renders every overlay that the changes between <base> and <head> (default HEAD) touch, at
both commits, and prints what changes in the rendered manifests, object by object, as
markdown. The base side is the merge base, as a pull request shows it.

  --output <file>   write the markdown to a file instead of stdout`;

/** GitHub refuses comments over 65536 characters. */
const MAX_LENGTH = 60_000;
export const MARKER = "<!-- gitops-diff -->";

type Rendering = { objects: KubernetesObject[] } | { error: string };

function render(tree: string, overlay: OverlayId): Rendering {
  const dir = join(tree, overlayPath(overlay.app, overlay.env));
  if (!existsSync(dir)) return { objects: [] };
  try {
    return { objects: renderKustomization(dir) };
  } catch (error) {
    const err = error as Error & { stderr?: string };
    return { error: (err.stderr || err.message).trim().replaceAll(tree, "") };
  }
}

function resolveRef(git: Git, ref: string): string {
  const result = git.try(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (result.code !== 0) {
    throw new GitopsError(
      `unknown ref "${ref}": fetch it first (git fetch origin ${ref.replace(/^origin\//, "")}), or give a commit id.`,
    );
  }
  return result.stdout.trim();
}

export const command: Command = {
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, {
      base: { type: "string" },
      head: { type: "string" },
      output: { type: "string" },
    });
    const baseRef = required(flags.base, "base");
    const headRef = flags.head ?? "HEAD";
    const root = findRepoRoot(ctx.cwd);
    const git = new Git(root, ctx.env);
    const head = resolveRef(git, headRef);
    const base = git.run(["merge-base", resolveRef(git, baseRef), head]);
    const changed = git
      .run(["diff", "--name-only", base, head, "--", GITOPS_DIR])
      .split("\n")
      .filter(Boolean);

    const trees = { base: snapshot(git, base, GITOPS_DIR), head: snapshot(git, head, GITOPS_DIR) };
    let failed = false;
    const sections: string[] = [];
    try {
      const envs = (app: string) =>
        [
          ...new Set([...listEnvironments(trees.base, app), ...listEnvironments(trees.head, app)]),
        ].sort();
      const { overlays, other } = affectedOverlays(changed, envs);
      for (const overlay of overlays) {
        const before = render(trees.base, overlay);
        const after = render(trees.head, overlay);
        const title = `#### \`${overlay.app}/${overlay.env}\``;
        if ("error" in after || "error" in before) {
          failed = failed || "error" in after;
          const which = "error" in after ? `at ${headRef}` : `at ${baseRef}`;
          const message = "error" in after ? after.error : (before as { error: string }).error;
          sections.push(`${title}\n\n:x: does not render ${which}:\n\n\`\`\`\n${message}\n\`\`\``);
          continue;
        }
        const changes = diffObjects(before.objects, after.objects);
        if (changes.patch === "") {
          sections.push(`${title}\n\nNo change to the rendered manifests.`);
          continue;
        }
        const summary = [
          changes.changed.length ? `changed: ${changes.changed.join(", ")}` : "",
          changes.added.length ? `added: ${changes.added.join(", ")}` : "",
          changes.removed.length ? `removed: ${changes.removed.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; ");
        sections.push(`${title}\n\n${summary}\n\n\`\`\`diff\n${changes.patch}\n\`\`\``);
      }
      if (other.length) {
        sections.push(
          `#### Other changed files (not rendered)\n\n${other.map((path) => `- \`${path}\``).join("\n")}`,
        );
      }
    } finally {
      rmSync(trees.base, { recursive: true, force: true });
      rmSync(trees.head, { recursive: true, force: true });
    }

    const header = `${MARKER}\n### Rendered manifest changes (\`${baseRef}\` → \`${headRef}\`)\n`;
    let body = sections.length ? sections.join("\n\n") : `No change under \`${GITOPS_DIR}/\`.`;
    if (header.length + body.length > MAX_LENGTH) {
      body = `${body.slice(0, MAX_LENGTH - header.length - 200)}\n\`\`\`\n\n_Truncated: run \`pnpm gitops diff --base ${baseRef}\` locally for the whole diff._`;
    }
    const markdown = `${header}\n${body}\n`;
    if (flags.output) writeFileSync(resolve(ctx.cwd, flags.output), markdown);
    else ctx.stdout(markdown);
    if (failed)
      ctx.stderr(`gitops diff: an overlay does not render at ${headRef} (see the output).\n`);
    return failed ? 1 : 0;
  },
};

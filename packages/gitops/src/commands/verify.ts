/** `gitops verify`: render every app x environment and gitops/argocd, then check schemas and policies. */
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { findRepoRoot } from "../layout.ts";
import { RULES } from "../verify/rules.ts";
import { formatViolation } from "../verify/types.ts";
import { verifyRepository } from "../verify/verify.ts";

const usage = `usage: gitops verify [--app <app>] [--env <env>] [--rules]

Renders gitops/apps/<app>/overlays/<env> for every app and environment (or only those
given) and every kustomization directly under gitops/ (argocd, bootstrap), validates each
object against the Kubernetes and Argo CD schemas (unknown fields refused) and applies
the policies. Prints one line per violation:

  <app>/<env> <Kind>/<name>: <rule>: <what is wrong> -> <how to fix it>

and exits 1 if there is any.

  --app <app>   only this app's overlays (gitops/argocd is always checked)
  --env <env>   only this environment
  --rules       list the rules and what each checks`;

export const command: Command = {
  usage,
  async run(args, ctx) {
    let values: { app?: string; env?: string; rules?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: { app: { type: "string" }, env: { type: "string" }, rules: { type: "boolean" } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.rules) {
      const width = Math.max(...Object.keys(RULES).map((name) => name.length));
      for (const [name, description] of Object.entries(RULES)) {
        ctx.stdout(`${name.padEnd(width)}  ${description}\n`);
      }
      return 0;
    }
    const root = findRepoRoot(ctx.cwd);
    const result = await verifyRepository(root, {
      ...(values.app ? { app: values.app } : {}),
      ...(values.env ? { env: values.env } : {}),
    });
    for (const violation of result.violations) ctx.stdout(`${formatViolation(violation)}\n`);
    const summary = `${result.objects} objects in ${result.targets.length} targets (${result.targets.join(", ")})`;
    if (result.violations.length > 0) {
      ctx.stderr(`gitops verify: ${result.violations.length} violation(s) in ${summary}\n`);
      return 1;
    }
    ctx.stderr(`gitops verify: ok, ${summary}\n`);
    return 0;
  },
};

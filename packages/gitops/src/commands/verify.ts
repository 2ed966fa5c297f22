/** `gitops verify`: render every app x environment and gitops/argocd, then check schemas and policies. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import type { Command } from "../command.ts";
import { UsageError } from "../command.ts";
import { findRepoRoot } from "../layout.ts";
import { type Cluster, parseClusters } from "../verify/applicationset.ts";
import { RULES } from "../verify/rules.ts";
import { formatViolation } from "../verify/types.ts";
import { verifyRepository } from "../verify/verify.ts";

const usage = `usage: gitops verify [--app <app>] [--env <env>] [--clusters <file>] [--rules]

Renders gitops/apps/<app>/overlays/<env> for every app and environment (or only those
given) and every kustomization directly under gitops/ (argocd, bootstrap), validates each
object against the Kubernetes and Argo CD schemas (unknown fields refused) and applies
the policies. Prints one line per violation:

  <app>/<env> <Kind>/<name>: <rule>: <what is wrong> -> <how to fix it>

and exits 1 if there is any.

  --app <app>   only this app's overlays (gitops/argocd is always checked)
  --env <env>   only this environment
  --clusters <file>
                render the ApplicationSet for these clusters instead of the
                \`clusters:\` of gitops/repository.yaml (a YAML list of name, server, labels)
  --rules       list the rules and what each checks`;

/** A cluster fixture: a YAML list, or a file with a `clusters:` key (repository.yaml's shape). */
function readClusters(file: string): Cluster[] {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "not found"
        : (error as Error).message.split("\n")[0];
    throw new UsageError(`--clusters ${file}: ${reason}`);
  }
  const list = Array.isArray(data) ? data : (data as { clusters?: unknown } | null)?.clusters;
  try {
    return parseClusters(list ?? [], "clusters");
  } catch (error) {
    throw new UsageError(`--clusters ${file}: ${(error as Error).message}`);
  }
}

export const command: Command = {
  usage,
  async run(args, ctx) {
    let values: { app?: string; env?: string; clusters?: string; rules?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          app: { type: "string" },
          env: { type: "string" },
          clusters: { type: "string" },
          rules: { type: "boolean" },
        },
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
    const clusters = values.clusters ? readClusters(resolve(ctx.cwd, values.clusters)) : undefined;
    const result = await verifyRepository(
      root,
      {
        ...(values.app ? { app: values.app } : {}),
        ...(values.env ? { env: values.env } : {}),
      },
      clusters ? { clusters } : {},
    );
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

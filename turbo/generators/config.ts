/**
 * `pnpm turbo gen agent`: a new agent service copied from the example app (apps/agent) with
 * its gitops tree, then `pnpm install` to link it into the workspace (GEN_SKIP_INSTALL=1 leaves
 * that to you). Non-interactive: `pnpm turbo gen agent --args <name> "<description>" <port>`.
 * The work is done by @repo/setup-repo.
 */
import type { PlopTypes } from "@turbo/gen";
import {
  generateAgent,
  installWorkspace,
  summary,
} from "../../packages/setup-repo/src/generate/generate.ts";
import {
  suggestPort,
  validateAgentName,
  validateDescription,
  validatePort,
} from "../../packages/setup-repo/src/generate/names.ts";

interface Answers {
  name: string;
  description: string;
  port: string;
}

export default function generator(plop: PlopTypes.NodePlopAPI): void {
  const root = plop.getDestBasePath();
  plop.setGenerator("agent", {
    description:
      "A new agent service: apps/<name> from the example agent, with its gitops base and overlays",
    prompts: [
      {
        type: "input",
        name: "name",
        message: "Agent name (lower-case letters, digits, hyphens; e.g. billing-bot):",
        validate: (input: string) => validateAgentName(input, root),
      },
      {
        type: "input",
        name: "description",
        message: "One-line description:",
        validate: (input: string) => validateDescription(input),
      },
      {
        type: "input",
        name: "port",
        message: "Port it listens on:",
        default: String(suggestPort(root)),
        validate: (input: string) => validatePort(input, root),
      },
    ],
    actions: [
      (answers) => {
        const { name, description, port } = answers as Answers;
        const result = generateAgent({ root, name, description, port });
        // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the generator, not by a turbo task
        const installed = process.env.GEN_SKIP_INSTALL !== "1" && installWorkspace(root);
        return summary(result, installed);
      },
    ],
  });
}

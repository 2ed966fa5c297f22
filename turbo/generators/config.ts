/**
 * `pnpm gen agent` (or `pnpm turbo gen agent`): a new agent service copied from the example app
 * (apps/agent) with its gitops tree, formatted with the repository's Biome, then `pnpm install`
 * to link it into the workspace (GEN_SKIP_INSTALL=1 leaves that to you). Non-interactive:
 * `pnpm gen agent --args <name> "<description>" <port>`. The work is done by @repo/setup-repo.
 */

import {
  formatGenerated,
  generateAgent,
  installWorkspace,
  missingAnswer,
  SetupError,
  suggestPort,
  summary,
  validateAgentName,
  validateDescription,
  validatePort,
} from "@repo/setup-repo";
import type { PlopTypes } from "@turbo/gen";

interface Answers {
  name: string;
  description: string;
  port: string;
}

/**
 * How many answers the command line passes (`--args a b c`, or the JSON `turbo gen` hands to
 * @turbo/gen), read here because plop refuses a `when` on a prompt it bypasses.
 */
function passedAnswers(argv: readonly string[]): number {
  const args = argv.indexOf("--args");
  if (args !== -1) {
    const rest = argv.slice(args + 1);
    const end = rest.findIndex((arg) => arg.startsWith("--"));
    return end === -1 ? rest.length : end;
  }
  const json = argv.indexOf("--json");
  try {
    const raw = JSON.parse(argv[json + 1] ?? "") as { args?: unknown[] };
    return Array.isArray(raw.args) ? raw.args.length : 0;
  } catch {
    return 0;
  }
}

/**
 * Asks only where someone can answer: without a terminal a missing answer is one line saying
 * how to pass it, instead of a prompt that fails on the closed input.
 */
function askable(answer: keyof Answers, index: number, root: string) {
  if (index < passedAnswers(process.argv)) return {};
  return {
    when: () => {
      if (process.stdin.isTTY) return true;
      throw new SetupError(missingAnswer(answer, root));
    },
  };
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
        ...askable("name", 0, root),
        validate: (input: string) => validateAgentName(input, root),
      },
      {
        type: "input",
        name: "description",
        message: "One-line description:",
        ...askable("description", 1, root),
        validate: (input: string) => validateDescription(input),
      },
      {
        type: "input",
        name: "port",
        message: "Port it listens on:",
        default: String(suggestPort(root)),
        ...askable("port", 2, root),
        validate: (input: string) => validatePort(input, root),
      },
    ],
    actions: [
      (answers) => {
        const { name, description, port } = answers as Answers;
        const result = generateAgent({ root, name, description, port });
        const formatted = formatGenerated(root, result);
        // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the generator, not by a turbo task
        const installed = process.env.GEN_SKIP_INSTALL !== "1" && installWorkspace(root);
        return summary(result, installed, formatted);
      },
    ],
  });
}

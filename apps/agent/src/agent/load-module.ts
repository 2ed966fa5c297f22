import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Agent } from "./types.ts";

/** AGENT_MODULE could not be used; the message says why and what the module must export. */
export class AgentModuleError extends Error {
  override readonly name = "AgentModuleError";
}

const EXPECTED =
  "export an object with a run(task, context) method, named agent or as the default export, or a createAgent() function returning one";

function isAgent(value: unknown): value is Agent {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { run?: unknown }).run === "function"
  );
}

/**
 * Loads an agent from a module chosen at deploy time: a path (absolute, or relative to the
 * working directory) or a package name. The module exports the agent itself, or a
 * createAgent() factory (which may be async) for agents that need setting up.
 */
export async function loadAgentModule(specifier: string, cwd = process.cwd()): Promise<Agent> {
  const isPath = specifier.startsWith(".") || isAbsolute(specifier);
  const target = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  let exported: Record<string, unknown>;
  try {
    exported = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentModuleError(
      `AGENT_MODULE="${specifier}" could not be loaded (${reason}): give the path of a JavaScript module (relative to ${cwd}) or a package name`,
    );
  }
  let candidate: unknown;
  try {
    candidate =
      typeof exported.createAgent === "function"
        ? await (exported.createAgent as () => unknown)()
        : (exported.agent ?? exported.default);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentModuleError(`AGENT_MODULE="${specifier}": createAgent() failed: ${reason}`);
  }
  if (!isAgent(candidate)) {
    throw new AgentModuleError(`AGENT_MODULE="${specifier}" exports no agent: ${EXPECTED}`);
  }
  return candidate;
}

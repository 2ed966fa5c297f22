/**
 * The one place that decides which agent runs the tasks. To plug in your own, implement
 * `Agent` (types.ts) in a module of your own and return it below instead of the example
 * agent, or leave this file alone and point AGENT_MODULE at a module that exports it.
 */
import type { AgentConfig } from "../config.ts";
import { ExampleAgent } from "./example-agent.ts";
import { loadAgentModule } from "./load-module.ts";
import type { ModelAgentOptions } from "./model-agent.ts";
import type { Agent } from "./types.ts";

export { PermanentError, TransientError } from "./errors.ts";
export { AgentModuleError } from "./load-module.ts";
export type { Agent, RunContext } from "./types.ts";

/** What the service gives an agent besides its configuration. */
export type AgentDeps = Omit<ModelAgentOptions, "config">;

export async function createAgent(
  config: {
    agent: Pick<AgentConfig, "module" | "exampleDelayMs"> &
      Partial<Pick<AgentConfig, "kind" | "model">>;
  },
  deps?: AgentDeps,
): Promise<Agent> {
  if (config.agent.module !== undefined) return loadAgentModule(config.agent.module);
  if (config.agent.kind === "model" && config.agent.model) {
    if (!deps) throw new Error("AGENT=model needs the task store, deltas and metrics");
    // loaded only when chosen: the example agent starts without the model SDK in memory
    const { ModelAgent } = await import("./model-agent.ts");
    return new ModelAgent({ config: config.agent.model, ...deps });
  }
  return new ExampleAgent({ delayMs: config.agent.exampleDelayMs });
}

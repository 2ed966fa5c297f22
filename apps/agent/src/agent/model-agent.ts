import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { isStepCount, type LanguageModel, streamText, tool } from "ai";
import { z } from "zod";
import type { Task } from "../tasks/store.ts";
import type { DeltaSink } from "../tasks/task-deltas.ts";
import { PermanentError, TransientError } from "./errors.ts";
import type { ModelConfig } from "./model-config.ts";
import { classifyModelError } from "./model-errors.ts";
import type { ModelMetrics } from "./model-metrics.ts";
import type { Agent, RunContext } from "./types.ts";

export interface ModelAgentOptions {
  config: ModelConfig;
  /** Where each streamed piece of text goes (to GET /tasks/:id/events). */
  deltas: DeltaSink;
  metrics: ModelMetrics;
  /** Reads a task by id, for the get_task tool. */
  getTask: (id: string) => Promise<Task | undefined>;
}

export interface ModelResult {
  text: string;
  model: string;
  finish_reason: string;
  /** Model calls made, tool steps included. */
  steps: number;
  usage: { input_tokens: number | null; output_tokens: number | null; total_tokens: number | null };
}

/** The task as the model reads it. */
export function promptOf(task: Pick<Task, "title" | "description">): string {
  return task.description ? `${task.title}\n\n${task.description}` : task.title;
}

/** The tool-call loop reached MODEL_MAX_STEPS: running again would end the same way. */
class StepLimitError extends PermanentError {}

/** A stream that ends without saying why stopped early (a proxy or the server cut it). */
const INCOMPLETE = new Set(["other", "unknown", "error"]);

/**
 * An agent that hands each task to a model behind any OpenAI-compatible chat completions
 * endpoint (a hosted API, or a local server such as Ollama or vLLM), streams the answer
 * into the task's events, and stores the final text with its token usage as the result.
 * Retries are the runner's: the client makes none of its own, so RUNNER_MAX_ATTEMPTS,
 * backoff and Retry-After are applied in one place.
 */
export class ModelAgent implements Agent {
  readonly #options: ModelAgentOptions;
  readonly #model: LanguageModel;

  constructor(options: ModelAgentOptions) {
    this.#options = options;
    const { baseUrl, apiKey, name } = options.config;
    const provider = createOpenAICompatible({
      name: "model",
      baseURL: baseUrl,
      apiKey: apiKey?.reveal(),
      includeUsage: true,
    });
    this.#model = provider.chatModel(name);
    // the SDK prints its warnings to the console; they go to the task's log lines instead
    globalThis.AI_SDK_LOG_WARNINGS = false;
  }

  async run(task: Readonly<Task>, { signal, attempt, logger }: RunContext): Promise<ModelResult> {
    const { config, deltas, metrics, getTask } = this.#options;
    const began = performance.now();
    const tools = {
      get_task: tool({
        description:
          "Reads another task of this service by its id: its title, description, status and result.",
        inputSchema: z.object({ id: z.string().describe("The task's id") }),
        execute: async ({ id }) => {
          const found = await getTask(id);
          if (!found) return { error: `no task with id ${id}` };
          const { title, description, status, result } = found;
          return { id, title, description, status, result };
        },
      }),
    };
    let text = "";
    let steps = 0;
    let finishReason = "unknown";
    let usage: ModelResult["usage"] = {
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
    };
    try {
      const stream = streamText({
        model: this.#model,
        system: config.systemPrompt,
        prompt: promptOf(task),
        tools,
        stopWhen: isStepCount(config.maxSteps),
        maxOutputTokens: config.maxOutputTokens,
        temperature: config.temperature,
        maxRetries: 0,
        abortSignal: signal,
        // the default writes the error to the console, response body (which may quote the
        // key) included; errors reach the runner through the stream instead
        onError: () => {},
      });
      for await (const part of stream.fullStream) {
        switch (part.type) {
          case "text-delta":
            if (part.text === "") break;
            text += part.text;
            deltas.publish({ id: task.id, attempt, text: part.text });
            break;
          case "start-step":
            if (part.warnings.length > 0) {
              logger.warn(
                { warnings: part.warnings },
                "the model endpoint reported warnings about the request (a setting it ignores, for instance)",
              );
            }
            break;
          case "tool-call":
            logger.info({ tool: part.toolName, step: steps + 1 }, "model called a tool");
            break;
          case "finish-step":
            steps += 1;
            // counted per step, so tokens already spent are counted even if a later step fails
            metrics.tokens(config.name, part.usage.inputTokens, part.usage.outputTokens);
            break;
          case "finish":
            finishReason = part.finishReason;
            usage = {
              input_tokens: part.totalUsage.inputTokens ?? null,
              output_tokens: part.totalUsage.outputTokens ?? null,
              total_tokens: part.totalUsage.totalTokens ?? null,
            };
            break;
          case "error":
            throw part.error;
          case "abort":
            throw signal.reason ?? new Error("the model call was aborted");
        }
      }
      signal.throwIfAborted();
      if (finishReason === "tool-calls") {
        throw new StepLimitError(
          `the model was still calling tools after MODEL_MAX_STEPS=${config.maxSteps} steps: raise MODEL_MAX_STEPS, or tell the model in the system prompt to answer sooner`,
        );
      }
      if (INCOMPLETE.has(finishReason)) {
        throw new TransientError(
          `the model's answer stream ended before it was complete (finish reason ${finishReason})`,
        );
      }
    } catch (error) {
      const seconds = (performance.now() - began) / 1000;
      if (signal.aborted) {
        metrics.call(config.name, "aborted", seconds);
        throw signal.reason;
      }
      if (error instanceof StepLimitError) {
        metrics.call(config.name, "step_limit", seconds);
        throw error;
      }
      if (error instanceof TransientError) {
        metrics.call(config.name, "network_error", seconds);
        throw error;
      }
      const classified = classifyModelError(error, config.baseUrl);
      metrics.call(config.name, classified.outcome, seconds);
      throw classified.error;
    }
    metrics.call(config.name, "completed", (performance.now() - began) / 1000);
    return { text, model: config.name, finish_reason: finishReason, steps, usage };
  }
}

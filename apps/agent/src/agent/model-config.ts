import { readFileSync } from "node:fs";
import { inspect } from "node:util";

/**
 * A secret that stays out of logs, JSON and util.inspect: only `reveal()` gives the value,
 * so printing the configuration (or an object holding it) never shows the key.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "[secret]";
  }

  toJSON(): string {
    return "[secret]";
  }

  [inspect.custom](): string {
    return "[secret]";
  }
}

export interface ModelConfig {
  /** MODEL_BASE_URL: the OpenAI-compatible API root, such as https://api.openai.com/v1. */
  baseUrl: string;
  /** MODEL_NAME: the model the endpoint serves, such as gpt-4o-mini or llama3.2. */
  name: string;
  /** MODEL_API_KEY: sent as a bearer token; unset for local servers that need none. */
  apiKey: Secret | undefined;
  /** MODEL_MAX_OUTPUT_TOKENS: a ceiling per model call; unset, the endpoint's own. */
  maxOutputTokens: number | undefined;
  /** MODEL_TEMPERATURE: 0 to 2; unset, the endpoint's default. */
  temperature: number | undefined;
  /** MODEL_MAX_STEPS: model calls per run at most, tool calls in between (1: no tools). */
  maxSteps: number;
  /** Read from MODEL_PROMPT_FILE, or the built-in one. */
  systemPrompt: string;
}

export const DEFAULT_SYSTEM_PROMPT =
  "You work on tasks submitted to a task service. Each task has a title and may have a description. Answer the task directly and concisely. Use the get_task tool when the task refers to another task by its id.";

const MAX_SYSTEM_PROMPT_BYTES = 64 * 1024;

type Read = (name: string) => string | undefined;

/**
 * Reads the MODEL_* variables for AGENT=model, adding one line to `problems` for each bad
 * one. The key is never part of a message.
 */
export function readModelConfig(read: Read, problems: string[]): ModelConfig {
  const baseUrl = (): string => {
    const raw = read("MODEL_BASE_URL");
    if (raw === undefined) {
      problems.push(
        "MODEL_BASE_URL is required with AGENT=model: give the OpenAI-compatible API root, such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama)",
      );
      return "";
    }
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.username) {
      problems.push(
        `MODEL_BASE_URL="${url?.username ? "(value not shown)" : raw}" is invalid: expected an http(s) URL without credentials, such as https://api.openai.com/v1`,
      );
    }
    return raw.replace(/\/+$/, "");
  };

  const name = (): string => {
    const raw = read("MODEL_NAME");
    if (raw === undefined) {
      problems.push(
        "MODEL_NAME is required with AGENT=model: give the model the endpoint serves, such as gpt-4o-mini or llama3.2",
      );
      return "";
    }
    if (raw.length > 200 || /\s/.test(raw)) {
      problems.push(`MODEL_NAME="${raw}" is invalid: expected a model id without spaces`);
    }
    return raw;
  };

  const optionalInteger = (variable: string, min: number, max: number): number | undefined => {
    const raw = read(variable);
    if (raw === undefined) return undefined;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${variable}="${raw}" is invalid: expected an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  };

  const temperature = (): number | undefined => {
    const raw = read("MODEL_TEMPERATURE");
    if (raw === undefined) return undefined;
    const value = /^\d+(\.\d+)?$|^\.\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= 0 && value <= 2)) {
      problems.push(`MODEL_TEMPERATURE="${raw}" is invalid: expected a number from 0 to 2`);
      return undefined;
    }
    return value;
  };

  const systemPrompt = (): string => {
    const path = read("MODEL_PROMPT_FILE");
    if (path === undefined) return DEFAULT_SYSTEM_PROMPT;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      problems.push(
        `MODEL_PROMPT_FILE="${path}" cannot be read (${code}): give the path of a UTF-8 text file`,
      );
      return DEFAULT_SYSTEM_PROMPT;
    }
    if (text.trim() === "" || Buffer.byteLength(text) > MAX_SYSTEM_PROMPT_BYTES) {
      problems.push(
        `MODEL_PROMPT_FILE="${path}" is invalid: expected a non-empty text file of at most 64 KiB`,
      );
    }
    return text.trim();
  };

  const key = read("MODEL_API_KEY");
  return {
    baseUrl: baseUrl(),
    name: name(),
    apiKey: key === undefined ? undefined : new Secret(key),
    maxOutputTokens: optionalInteger("MODEL_MAX_OUTPUT_TOKENS", 1, 10_000_000),
    temperature: temperature(),
    maxSteps: optionalInteger("MODEL_MAX_STEPS", 1, 100) ?? 5,
    systemPrompt: systemPrompt(),
  };
}

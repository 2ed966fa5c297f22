import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { createAgent } from "../../src/agent/index.ts";
import { ModelAgent } from "../../src/agent/model-agent.ts";
import { DEFAULT_SYSTEM_PROMPT } from "../../src/agent/model-config.ts";
import { classifyModelError, retryAfterMs } from "../../src/agent/model-errors.ts";
import { ModelMetrics } from "../../src/agent/model-metrics.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { TaskDeltas } from "../../src/tasks/task-deltas.ts";

const KEY = "sk-config-test-secret";
const MODEL = { AGENT: "model", MODEL_BASE_URL: "https://api.example.com/v1/", MODEL_NAME: "m-1" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("AGENT and MODEL_* configuration", () => {
  it("keeps the example agent and reads no MODEL_* variable by default", () => {
    const config = loadConfig({ MODEL_NAME: "ignored", MODEL_TEMPERATURE: "nonsense" });
    expect(config.agent.kind).toBe("example");
    expect(config.agent.model).toBeUndefined();
  });

  it("reads the model settings with AGENT=model", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-prompt-"));
    const file = join(dir, "system.txt");
    writeFileSync(file, "  Answer in French.\n");
    const config = loadConfig({
      ...MODEL,
      MODEL_API_KEY: KEY,
      MODEL_MAX_OUTPUT_TOKENS: "256",
      MODEL_TEMPERATURE: "0.2",
      MODEL_MAX_STEPS: "2",
      MODEL_PROMPT_FILE: file,
    });
    expect(config.agent.kind).toBe("model");
    const model = config.agent.model!;
    expect(model).toMatchObject({
      baseUrl: "https://api.example.com/v1",
      name: "m-1",
      maxOutputTokens: 256,
      temperature: 0.2,
      maxSteps: 2,
      systemPrompt: "Answer in French.",
    });
    expect(model.apiKey?.reveal()).toBe(KEY);
  });

  it("defaults: no key (local servers), the endpoint's own limits, five steps, the built-in prompt", () => {
    const model = loadConfig(MODEL).agent.model!;
    expect(model.apiKey).toBeUndefined();
    expect(model.maxOutputTokens).toBeUndefined();
    expect(model.temperature).toBeUndefined();
    expect(model.maxSteps).toBe(5);
    expect(model.systemPrompt).toBe(DEFAULT_SYSTEM_PROMPT);
  });

  it("never shows the key when the configuration is printed, logged or serialised", () => {
    const config = loadConfig({ ...MODEL, MODEL_API_KEY: KEY });
    expect(JSON.stringify(config)).not.toContain(KEY);
    expect(inspect(config, { depth: 10 })).not.toContain(KEY);
    expect(String(config.agent.model!.apiKey)).toBe("[secret]");
  });

  it("names every bad variable in one line each, without the key", () => {
    const found = problems({
      AGENT: "model",
      MODEL_BASE_URL: "ftp://host/v1",
      MODEL_NAME: "two words",
      MODEL_API_KEY: KEY,
      MODEL_MAX_OUTPUT_TOKENS: "0",
      MODEL_TEMPERATURE: "3",
      MODEL_MAX_STEPS: "many",
      MODEL_PROMPT_FILE: "/nonexistent/prompt.txt",
    });
    expect(found).toEqual([
      'MODEL_BASE_URL="ftp://host/v1" is invalid: expected an http(s) URL without credentials, such as https://api.openai.com/v1',
      'MODEL_NAME="two words" is invalid: expected a model id without spaces',
      'MODEL_MAX_OUTPUT_TOKENS="0" is invalid: expected an integer from 1 to 10000000',
      'MODEL_TEMPERATURE="3" is invalid: expected a number from 0 to 2',
      'MODEL_MAX_STEPS="many" is invalid: expected an integer from 1 to 100',
      'MODEL_PROMPT_FILE="/nonexistent/prompt.txt" cannot be read (ENOENT): give the path of a UTF-8 text file',
    ]);
    expect(found.join("\n")).not.toContain(KEY);
  });

  it("hides a base URL that carries credentials", () => {
    const found = problems({ ...MODEL, MODEL_BASE_URL: `https://user:${KEY}@api.example.com/v1` });
    expect(found).toEqual([
      'MODEL_BASE_URL="(value not shown)" is invalid: expected an http(s) URL without credentials, such as https://api.openai.com/v1',
    ]);
  });

  it("refuses an empty system prompt file, an unknown AGENT, and AGENT beside AGENT_MODULE", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-prompt-"));
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, " \n");
    expect(problems({ ...MODEL, MODEL_PROMPT_FILE: empty })).toEqual([
      `MODEL_PROMPT_FILE="${empty}" is invalid: expected a non-empty text file of at most 64 KiB`,
    ]);
    expect(problems({ AGENT: "gpt" })).toEqual([
      'AGENT="gpt" is invalid: expected one of example, model',
    ]);
    expect(problems({ AGENT: "example", AGENT_MODULE: "./mine.js" })).toEqual([
      "AGENT and AGENT_MODULE are both set: AGENT chooses a built-in agent, AGENT_MODULE loads your own; unset one",
    ]);
  });

  it("createAgent builds the ModelAgent for AGENT=model and needs the service's parts", async () => {
    const config = loadConfig(MODEL);
    const deps = {
      deltas: new TaskDeltas(),
      metrics: new ModelMetrics(),
      getTask: async () => undefined,
    };
    expect(await createAgent(config, deps)).toBeInstanceOf(ModelAgent);
    await expect(createAgent(config)).rejects.toThrow("AGENT=model needs");
  });
});

describe("model errors", () => {
  const apiError = (statusCode: number, responseHeaders: Record<string, string> = {}) =>
    new APICallError({
      message: `failed: ${KEY}`,
      url: "https://api.example.com/v1/chat/completions",
      requestBodyValues: {},
      statusCode,
      responseHeaders,
      responseBody: `{"error":"${KEY}"}`,
    });

  it("reads Retry-After in seconds, as an HTTP date, and retry-after-ms", () => {
    const now = Date.parse("2026-12-03T12:00:00Z");
    expect(retryAfterMs({ "retry-after": "2" }, now)).toBe(2000);
    expect(retryAfterMs({ "Retry-After": "Thu, 03 Dec 2026 12:00:05 GMT" }, now)).toBe(5000);
    expect(retryAfterMs({ "retry-after": "Thu, 03 Dec 2026 11:00:00 GMT" }, now)).toBe(0);
    expect(retryAfterMs({ "retry-after-ms": "250", "retry-after": "9" }, now)).toBe(250);
    expect(retryAfterMs({ "retry-after": "999999" }, now)).toBe(3_600_000);
    expect(retryAfterMs({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it("makes 429 and 503 transient with the asked delay, other 4xx permanent, 5xx transient", () => {
    const base = "https://api.example.com/v1";
    const limited = classifyModelError(apiError(429, { "retry-after": "3" }), base);
    expect(limited.outcome).toBe("rate_limited");
    expect(limited.error).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    const unavailable = classifyModelError(apiError(503, { "retry-after": "1" }), base);
    expect(unavailable.outcome).toBe("server_error");
    expect(unavailable.error).toMatchObject({ retryable: true, retryAfterMs: 1000 });
    expect(unavailable.error.message).toBe(
      "the model endpoint api.example.com answered 503 (unavailable); retrying after 1000 ms as it asked",
    );
    const missing = classifyModelError(apiError(404), base);
    expect(missing.outcome).toBe("refused");
    expect(missing.error).toMatchObject({ retryable: false });
    expect(missing.error.message).toBe(
      "the model endpoint api.example.com answered 404: check MODEL_BASE_URL and MODEL_NAME",
    );
    expect(classifyModelError(apiError(400), base).error.message).toContain("retrying cannot help");
    expect(classifyModelError(apiError(413), base).error.message).toContain("too large");
    const broken = classifyModelError(apiError(500), base);
    expect(broken).toMatchObject({ outcome: "server_error", error: { retryable: true } });
    const network = classifyModelError(new TypeError("fetch failed"), base);
    expect(network.outcome).toBe("network_error");
    expect(network.error.message).toBe(
      "the call to the model endpoint api.example.com failed: fetch failed",
    );
    for (const status of [400, 401, 404, 429, 500, 503]) {
      expect(classifyModelError(apiError(status), base).error.message).not.toContain(KEY);
    }
  });
});

describe("TaskDeltas", () => {
  it("hands a task's deltas to its listeners only, until they unsubscribe", () => {
    const deltas = new TaskDeltas();
    const seen: string[] = [];
    const stop = deltas.subscribe("a", (delta) => seen.push(`a:${delta.text}`));
    deltas.subscribe("b", (delta) => seen.push(`b:${delta.text}`));
    deltas.publish({ id: "a", attempt: 1, text: "1" });
    deltas.publish({ id: "b", attempt: 1, text: "2" });
    deltas.publish({ id: "c", attempt: 1, text: "3" });
    stop();
    deltas.publish({ id: "a", attempt: 1, text: "4" });
    expect(seen).toEqual(["a:1", "b:2"]);
  });
});

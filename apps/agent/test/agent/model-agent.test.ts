import { EventEmitter } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/platform/logger.ts";
import { type Service, startService } from "../../src/service.ts";
import type { Task } from "../../src/tasks/store.ts";
import { type EventStream, openEvents } from "../support/events.ts";
import {
  cut,
  gate,
  hang,
  type ModelServer,
  startModelServer,
  status,
  streamed,
  toolCall,
} from "../support/model-server.ts";
import { isFinal, waitForTask } from "../support/runner.ts";

const KEY = "sk-test-never-shown-0123456789";

interface Started {
  service: Service;
  server: ModelServer;
  base: string;
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  exits: number[];
  create(title: string, description?: string): Promise<Task>;
  events(id: string): Promise<EventStream>;
  metrics(): Promise<string>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(env: Record<string, string> = {}): Promise<Started> {
  const server = await startModelServer();
  cleanups.push(() => server.close());
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const exits: number[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const fullEnv = {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "debug",
    SHUTDOWN_DRAIN_MS: "0",
    RUNNER_POLL_MS: "50",
    RUNNER_RETRY_DELAY_MS: "10",
    RUNNER_LEASE_MS: "1000",
    AGENT: "model",
    MODEL_BASE_URL: server.baseUrl,
    MODEL_NAME: "test-model",
    MODEL_API_KEY: KEY,
    ...env,
  };
  const service = await startService({
    env: fullEnv,
    signals: new EventEmitter(),
    exit: (code) => exits.push(code),
    stderr: { write: (text: string) => stderr.push(text) > 0 },
    logger: createLogger({ logLevel: "debug", logPretty: false, appVersion: "test" }, sink),
  });
  if (!service) throw new Error(`service did not start: ${stderr.join("")}`);
  cleanups.push(async () => {
    if (exits.length === 0) await service.shutdown("test over");
  });
  const { port } = service.app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const streams: EventStream[] = [];
  cleanups.push(async () => {
    for (const stream of streams) stream.close();
  });
  return {
    service,
    server,
    base,
    logs,
    stderr,
    exits,
    async create(title, description) {
      const response = await fetch(`${base}/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(description === undefined ? { title } : { title, description }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as Task;
    },
    async events(id) {
      const stream = await openEvents(`${base}/tasks/${id}/events`);
      streams.push(stream);
      return stream;
    },
    async metrics() {
      return (await fetch(`${base}/metrics`)).text();
    },
  };
}

const finished = (service: Service, id: string) => waitForTask(service.store, id, isFinal);

describe("AGENT=model against an OpenAI-compatible endpoint", () => {
  it("streams the answer into delta events, in order over SSE, and stores text and usage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-prompt-"));
    writeFileSync(join(dir, "system.txt"), "Answer like a pirate.\n");
    const t = await start({
      MODEL_PROMPT_FILE: join(dir, "system.txt"),
      MODEL_MAX_OUTPUT_TOKENS: "64",
      MODEL_TEMPERATURE: "0.5",
    });
    const following = gate();
    t.server.script(
      streamed(
        ["Hel", "lo, ", "world."],
        { prompt_tokens: 12, completion_tokens: 3 },
        10,
        following.opened,
      ),
    );
    const task = await t.create("Say hello", "to the world");
    const stream = await t.events(task.id);
    await stream.waitFor(1);
    following.open();
    expect(await stream.ended).toBe(true);

    const kinds = stream.events.map((event) => event.event);
    const deltas = stream.events.filter((event) => event.event === "delta");
    expect(deltas.map((event) => JSON.parse(event.data))).toEqual([
      { id: task.id, attempt: 1, text: "Hel" },
      { id: task.id, attempt: 1, text: "lo, " },
      { id: task.id, attempt: 1, text: "world." },
    ]);
    // status running before the first delta, completed after the last; ids keep counting
    const statuses = stream.events
      .filter((event) => event.event === "status")
      .map((event) => (JSON.parse(event.data) as Task).status);
    expect(statuses.at(-1)).toBe("completed");
    expect(kinds.indexOf("delta")).toBeGreaterThan(
      stream.events.findIndex((e) => e.event === "status" && e.data.includes('"running"')),
    );
    expect(kinds.lastIndexOf("delta")).toBe(kinds.length - 2);
    expect(stream.events.map((event) => Number(event.id))).toEqual(
      stream.events.map((_event, index) => index + 1),
    );

    const done = await finished(t.service, task.id);
    expect(done.status).toBe("completed");
    expect(done.result).toEqual({
      text: "Hello, world.",
      model: "test-model",
      finish_reason: "stop",
      steps: 1,
      usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
    });

    const [request] = t.server.requests;
    expect(request!.path).toBe("/v1/chat/completions");
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request!.body.model).toBe("test-model");
    expect(request!.body.stream).toBe(true);
    expect(request!.body.messages.at(-1)).toEqual({
      role: "user",
      content: "Say hello\n\nto the world",
    });
    expect(request!.body.messages[0]).toEqual({ role: "system", content: "Answer like a pirate." });
    expect(request!.body.max_tokens).toBe(64);
    expect(request!.body.temperature).toBe(0.5);

    const metrics = await t.metrics();
    expect(metrics).toMatch(
      /model_tokens_total\{model="test-model",type="input",version="[^"]*"\} 12/,
    );
    expect(metrics).toMatch(
      /model_tokens_total\{model="test-model",type="output",version="[^"]*"\} 3/,
    );
    expect(metrics).toMatch(
      /model_call_duration_seconds_count\{model="test-model",outcome="completed",version="[^"]*"\} 1/,
    );
    // the key is never written to a log line
    expect(JSON.stringify(t.logs)).not.toContain(KEY);
  });

  it("runs the get_task tool and gives its answer back to the model, within the step limit", async () => {
    const t = await start({ MODEL_MAX_STEPS: "3" });
    t.server.script(streamed(["Blue."], { prompt_tokens: 4, completion_tokens: 1 }));
    const other = await t.create("the referenced task", "What colour is the sky?");
    expect((await finished(t.service, other.id)).status).toBe("completed");
    t.server.script(
      toolCall("get_task", { id: other.id }, { prompt_tokens: 20, completion_tokens: 8 }),
      streamed(["It is about the referenced task."], { prompt_tokens: 40, completion_tokens: 7 }),
    );
    const task = await t.create("What is the other task about?", other.id);
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("completed");
    expect(done.result).toMatchObject({
      text: "It is about the referenced task.",
      steps: 2,
      usage: { input_tokens: 60, output_tokens: 15, total_tokens: 75 },
    });
    const second = t.server.requests.find((request) =>
      request.body.messages.some((message) => message.role === "tool"),
    );
    expect(second?.body.tools?.map((entry) => entry.function.name)).toEqual(["get_task"]);
    const toolMessage = second!.body.messages.find((message) => message.role === "tool");
    expect(JSON.stringify(toolMessage)).toContain("the referenced task");
    expect(JSON.stringify(toolMessage)).toContain("Blue.");
    // both runs: 4 + 20 + 40 prompt tokens
    expect(await t.metrics()).toMatch(
      /model_tokens_total\{model="test-model",type="input",[^}]*\} 64/,
    );
  });

  it("fails a run that still calls tools at MODEL_MAX_STEPS, naming the setting", async () => {
    const t = await start({ MODEL_MAX_STEPS: "1" });
    t.server.script(toolCall("get_task", { id: "x" }, { prompt_tokens: 3, completion_tokens: 2 }));
    const task = await t.create("loop forever");
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("failed");
    expect(done.attempts).toBe(1);
    expect(done.error).toContain("MODEL_MAX_STEPS=1");
    expect(t.server.requests).toHaveLength(1);
    expect(await t.metrics()).toMatch(/outcome="step_limit"[^}]*\} 1/);
  });

  it("retries a 429 after the delay its Retry-After asks for", async () => {
    const t = await start();
    t.server.script(
      status(429, { "retry-after": "1" }, "slow down"),
      streamed(["fine"], { prompt_tokens: 5, completion_tokens: 1 }),
    );
    const task = await t.create("rate limited once");
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2);
    expect(done.result).toMatchObject({ text: "fine" });
    const [first, second] = t.server.requests;
    // RUNNER_RETRY_DELAY_MS is 10: only the header explains a second's wait
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(await t.metrics()).toMatch(
      /model_call_duration_seconds_count\{model="test-model",outcome="rate_limited",[^}]*\} 1/,
    );
  });

  it("fails a 401 at once with a message naming the status, never the key", async () => {
    const t = await start();
    const consoleError = vi.spyOn(console, "error");
    t.server.script(status(401, {}, `Incorrect API key provided: ${KEY}`));
    const task = await t.create("unauthorised");
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("failed");
    expect(done.attempts).toBe(1);
    expect(done.error).toContain("answered 401");
    expect(done.error).toContain("MODEL_API_KEY");
    expect(done.error).not.toContain(KEY);
    expect(t.server.requests).toHaveLength(1);
    expect(JSON.stringify(t.logs)).not.toContain(KEY);
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
    const response = await fetch(`${t.base}/tasks/${task.id}`);
    expect(await response.text()).not.toContain(KEY);
  });

  it("retries a stream cut in the middle, and the retry's deltas carry the next attempt", async () => {
    const t = await start();
    t.server.script(
      cut(["Half an ans"]),
      streamed(["A whole answer."], { prompt_tokens: 5, completion_tokens: 3 }, 50),
    );
    const task = await t.create("cut me off");
    const stream = await t.events(task.id);
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2);
    expect(done.result).toMatchObject({ text: "A whole answer." });
    await stream.ended;
    const lastDelta = stream.events.filter((event) => event.event === "delta").at(-1);
    expect(JSON.parse(lastDelta!.data)).toEqual({
      id: task.id,
      attempt: 2,
      text: "A whole answer.",
    });
    expect(await t.metrics()).toMatch(/outcome="network_error"[^}]*\} 1/);
  });

  it("retries 5xx answers with the runner's backoff", async () => {
    const t = await start();
    t.server.script(status(502), streamed(["ok"], { prompt_tokens: 1, completion_tokens: 1 }));
    const task = await t.create("bad gateway once");
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2);
    expect(await t.metrics()).toMatch(/outcome="server_error"[^}]*\} 1/);
  });

  it("aborts a slow answer at RUNNER_TASK_TIMEOUT_MS and closes the call", async () => {
    const t = await start({ RUNNER_TASK_TIMEOUT_MS: "300", RUNNER_MAX_ATTEMPTS: "1" });
    t.server.script(hang("I am thinking"));
    const task = await t.create("too slow");
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("failed");
    expect(done.error).toContain("did not finish within 300 ms");
    // the endpoint saw the client go away: nothing keeps generating tokens
    await expect.poll(() => t.server.openCount(), { timeout: 2000 }).toBe(0);
    expect(await t.metrics()).toMatch(/outcome="aborted"[^}]*\} 1/);
  });

  it("releases a task whose answer is still streaming when the service shuts down", async () => {
    const t = await start();
    const following = gate();
    t.server.script(hang("partial", following.opened));
    const task = await t.create("interrupted");
    const stream = await t.events(task.id);
    await stream.waitFor(1);
    following.open();
    await expect.poll(() => stream.events.some((event) => event.event === "delta")).toBe(true);
    const store = t.service.store;
    const released: Task[] = [];
    store.subscribe((changed) => {
      if (changed.id === task.id) released.push(changed);
    });
    await t.service.shutdown("test");
    expect(t.exits).toEqual([0]);
    expect(released.at(-1)).toMatchObject({ status: "created", attempts: 1 });
    await expect.poll(() => t.server.openCount(), { timeout: 2000 }).toBe(0);
  });
});

describe("the delta event in the API description", () => {
  it("documents delta events on GET /tasks/{id}/events", async () => {
    const t = await start();
    const doc = (await (await fetch(`${t.base}/openapi.json`)).json()) as {
      paths: Record<string, { get: { description: string } }>;
    };
    const events = doc.paths["/tasks/{id}/events"]!.get.description;
    expect(events).toContain("`delta` events");
    expect(events).toContain('"attempt":1');
  });
});

describe("without model settings", () => {
  it("runs the example agent and exports no model metrics, as before", async () => {
    const t = await start({
      AGENT: "",
      MODEL_BASE_URL: "",
      MODEL_NAME: "",
      EXAMPLE_AGENT_DELAY_MS: "0",
    });
    const task = await t.create("An offline task", "Nothing calls a model.");
    const done = await finished(t.service, task.id);
    expect(done.status).toBe("completed");
    expect(done.result).toMatchObject({ keywords: expect.any(Array), word_count: 7 });
    expect(t.server.requests).toHaveLength(0);
    expect(await t.metrics()).not.toContain("model_");
  });
});

describe("AGENT=model configuration", () => {
  it("refuses to start without the endpoint and names what is missing", async () => {
    const stderr: string[] = [];
    const exits: number[] = [];
    const service = await startService({
      env: { AGENT: "model", PORT: "0", MODEL_API_KEY: KEY },
      signals: new EventEmitter(),
      exit: (code) => exits.push(code),
      stderr: { write: (text: string) => stderr.push(text) > 0 },
    });
    expect(service).toBeUndefined();
    expect(exits).toEqual([1]);
    const text = stderr.join("");
    expect(text).toContain("MODEL_BASE_URL is required with AGENT=model");
    expect(text).toContain("MODEL_NAME is required with AGENT=model");
    expect(text).not.toContain(KEY);
  });
});

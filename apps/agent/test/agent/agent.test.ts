import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import {
  isRetryable,
  PermanentError,
  requestedRetryDelay,
  TransientError,
} from "../../src/agent/errors.ts";
import { analyse, ExampleAgent } from "../../src/agent/example-agent.ts";
import { AgentModuleError, createAgent } from "../../src/agent/index.ts";
import { loadAgentModule } from "../../src/agent/load-module.ts";
import type { RunContext } from "../../src/agent/types.ts";
import type { Task } from "../../src/tasks/store.ts";

const task = (title: string, description: string | null = null): Task => ({
  id: "0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70",
  title,
  description,
  status: "running",
  attempts: 1,
  result: null,
  error: null,
  created_at: "2026-11-26T12:00:00.000Z",
  updated_at: "2026-11-26T12:00:00.000Z",
});

const context = (signal = new AbortController().signal): RunContext => ({
  signal,
  attempt: 1,
  logger: pino({ level: "silent" }),
});

describe("the example agent", () => {
  it("analyses the title and description", () => {
    expect(
      analyse(
        task(
          "Summarise the incident report",
          "The database failed over twice. Customers saw errors for ten minutes! The database is fine now.",
        ),
      ),
    ).toEqual({
      summary: "The database failed over twice.",
      keywords: ["database", "customers", "errors", "failed", "fine"],
      word_count: 20,
      sentence_count: 4,
      character_count: 126,
      reading_time_s: 6,
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it("gives the same output for the same input, and a different fingerprint for other input", () => {
    const a = analyse(task("Plan the launch", "Dates, owners and risks."));
    expect(analyse(task("Plan the launch", "Dates, owners and risks."))).toEqual(a);
    expect(analyse(task("Plan the launch", "Dates and owners.")).fingerprint).not.toBe(
      a.fingerprint,
    );
  });

  it("summarises the title when there is no description, shortening long sentences", () => {
    expect(analyse(task("Just a title")).summary).toBe("Just a title");
    const long = analyse(task("x", `${"word ".repeat(60)}end.`)).summary;
    expect([...long]).toHaveLength(160);
    expect(long.endsWith("…")).toBe(true);
  });

  it("takes its configured time, and stops at once when aborted", async () => {
    const agent = new ExampleAgent({ delayMs: 5_000 });
    const controller = new AbortController();
    const run = agent.run(task("slow"), context(controller.signal));
    const reason = new Error("timed out");
    controller.abort(reason);
    await expect(run).rejects.toThrow();

    const instant = new ExampleAgent({ delayMs: 0 });
    await expect(instant.run(task("now"), context())).resolves.toEqual(analyse(task("now")));
    const aborted = new AbortController();
    aborted.abort(reason);
    await expect(instant.run(task("now"), context(aborted.signal))).rejects.toBe(reason);
  });
});

describe("errors an agent throws", () => {
  it("are retried unless marked permanent", () => {
    expect(isRetryable(new Error("network"))).toBe(true);
    expect(isRetryable("a string")).toBe(true);
    expect(isRetryable(null)).toBe(true);
    expect(isRetryable(new TransientError("rate limited"))).toBe(true);
    expect(isRetryable(new PermanentError("bad input"))).toBe(false);
    // a copy of the class from another bundle is understood by its property
    expect(isRetryable(Object.assign(new Error("x"), { retryable: false }))).toBe(false);
  });

  it("may ask for a retry delay", () => {
    const cause = new Error("429");
    const error = new TransientError("rate limited", { retryAfterMs: 1500, cause });
    expect(requestedRetryDelay(error)).toBe(1500);
    expect(error.cause).toBe(cause);
    expect(requestedRetryDelay(new TransientError("no hint"))).toBeUndefined();
    expect(requestedRetryDelay({ retryAfterMs: -1 })).toBeUndefined();
    expect(requestedRetryDelay(undefined)).toBeUndefined();
  });
});

describe("choosing the agent", () => {
  const scratch = mkdtempSync(join(tmpdir(), "agent-modules-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (name: string, source: string) => {
    const path = join(scratch, name);
    writeFileSync(path, source);
    return path;
  };
  const recording = fileURLToPath(new URL("../support/agents/recording-agent.ts", import.meta.url));

  it("is the example agent unless AGENT_MODULE names another", async () => {
    const example = await createAgent({ agent: { module: undefined, exampleDelayMs: 0 } });
    expect(example).toBeInstanceOf(ExampleAgent);
    const own = await createAgent({ agent: { module: recording, exampleDelayMs: 0 } });
    expect(own).not.toBeInstanceOf(ExampleAgent);
    await expect(own.run(task("plain"), context())).resolves.toEqual({
      pid: process.pid,
      attempt: 1,
    });
  });

  it("loads an agent exported by name, as the default export, or made by createAgent()", async () => {
    const named = write("named.mjs", "export const agent = { run: async () => 'named' };");
    const byDefault = write("default.mjs", "export default { run: async () => 'default' };");
    const factory = write(
      "factory.mjs",
      "export async function createAgent() { return { run: async () => 'made' }; }",
    );
    for (const [path, expected] of [
      [named, "named"],
      [byDefault, "default"],
      [factory, "made"],
    ]) {
      const agent = await loadAgentModule(path as string);
      expect(await agent.run(task("t"), context())).toBe(expected);
    }
    // a path relative to the working directory
    const relativePath = `./${relative(process.cwd(), named)}`;
    expect(await (await loadAgentModule(relativePath)).run(task("t"), context())).toBe("named");
  });

  it("says what is wrong with a module that cannot serve as the agent", async () => {
    const missing = join(scratch, "missing.mjs");
    await expect(loadAgentModule(missing)).rejects.toThrow(AgentModuleError);
    await expect(loadAgentModule(missing)).rejects.toThrow(
      `AGENT_MODULE="${missing}" could not be loaded`,
    );
    await expect(loadAgentModule("no-such-package-for-agents")).rejects.toThrow(
      /could not be loaded .*or a package name$/,
    );
    const empty = write("empty.mjs", "export const helper = 1;");
    await expect(loadAgentModule(empty)).rejects.toThrow(
      `AGENT_MODULE="${empty}" exports no agent: export an object with a run(task, context) method, named agent or as the default export, or a createAgent() function returning one`,
    );
    const failing = write(
      "failing.mjs",
      "export function createAgent() { throw new Error('OPENAI_API_KEY is not set'); }",
    );
    await expect(loadAgentModule(failing)).rejects.toThrow(
      `AGENT_MODULE="${failing}": createAgent() failed: OPENAI_API_KEY is not set`,
    );
  });
});

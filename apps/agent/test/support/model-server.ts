/**
 * A scripted OpenAI-compatible chat completions endpoint on 127.0.0.1, for the model agent's
 * tests: each request is answered by the next step of the script, and every request is kept.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ModelRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: {
    model: string;
    stream?: boolean;
    messages: Array<{ role: string; content?: unknown; tool_calls?: unknown }>;
    tools?: Array<{ function: { name: string } }>;
    max_tokens?: number;
    temperature?: number;
  };
  /** When the request arrived (performance.now()). */
  at: number;
}

export type Step = (request: ModelRequest, response: ServerResponse) => void | Promise<void>;

export interface ModelServer {
  /** http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  requests: ModelRequest[];
  /** Answers the next requests with these steps, in order. */
  script(...steps: Step[]): void;
  /** Responses still open (a client that went away closed its own). */
  openCount(): number;
  close(): Promise<void>;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: "chatcmpl-test",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "test-model",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

function writeEvent(response: ServerResponse, data: unknown): void {
  response.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

function startEvents(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  writeEvent(response, chunk({ role: "assistant", content: "" }));
}

function finishEvents(response: ServerResponse, reason: string, usage: Usage): void {
  writeEvent(response, chunk({}, reason));
  writeEvent(response, {
    ...chunk({}),
    choices: [],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  });
  writeEvent(response, "[DONE]");
  response.end();
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Streams the pieces as content deltas, `gapMs` apart, then stop with the usage; with a
 * `gate`, the first piece waits for it (a test opens its event stream first).
 */
export function streamed(pieces: string[], usage: Usage, gapMs = 0, gate?: Promise<void>): Step {
  return async (_request, response) => {
    startEvents(response);
    await gate;
    for (const piece of pieces) {
      if (gapMs > 0) await pause(gapMs);
      if (response.destroyed) return;
      writeEvent(response, chunk({ content: piece }));
    }
    finishEvents(response, "stop", usage);
  };
}

/** Asks for one tool call, streamed as OpenAI does (name first, then the arguments). */
export function toolCall(name: string, args: Record<string, unknown>, usage: Usage): Step {
  return (_request, response) => {
    startEvents(response);
    const json = JSON.stringify(args);
    writeEvent(
      response,
      chunk({
        tool_calls: [
          { index: 0, id: "call_1", type: "function", function: { name, arguments: "" } },
        ],
      }),
    );
    writeEvent(
      response,
      chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(0, 5) } }] }),
    );
    writeEvent(
      response,
      chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(5) } }] }),
    );
    finishEvents(response, "tool_calls", usage);
  };
}

/** Answers with an error status and an OpenAI-shaped error body. */
export function status(code: number, headers: Record<string, string> = {}, message = "no"): Step {
  return (_request, response) => {
    response.writeHead(code, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify({ error: { message, type: "error", code: String(code) } }));
  };
}

/** Streams the pieces, then drops the connection without finishing the answer. */
export function cut(pieces: string[]): Step {
  return async (_request, response) => {
    startEvents(response);
    for (const piece of pieces) writeEvent(response, chunk({ content: piece }));
    await pause(20);
    response.socket?.destroy();
  };
}

/** Streams the first piece (after `gate`, if given), then waits until the client goes away. */
export function hang(first: string, gate?: Promise<void>): Step {
  return async (_request, response) => {
    const closed = new Promise<void>((resolve) => response.on("close", () => resolve()));
    startEvents(response);
    await gate;
    writeEvent(response, chunk({ content: first }));
    await closed;
  };
}

/** A promise and the function that resolves it. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

export async function startModelServer(): Promise<ModelServer> {
  const requests: ModelRequest[] = [];
  const steps: Step[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer(async (request, response) => {
    open.add(response);
    response.on("close", () => open.delete(response));
    let raw = "";
    for await (const piece of request) raw += piece;
    const entry: ModelRequest = {
      path: request.url ?? "",
      headers: request.headers,
      body: JSON.parse(raw || "{}"),
      at: performance.now(),
    };
    requests.push(entry);
    const step = steps.shift();
    if (!step) {
      status(500, {}, "the test script has no more answers")(entry, response);
      return;
    }
    await step(entry, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...more) => steps.push(...more),
    openCount: () => open.size,
    close: async () => {
      for (const response of open) response.socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

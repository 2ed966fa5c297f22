/**
 * The yardstick for the benchmark: the same endpoints on bare node:http, with no framework,
 * no validation library, no logging and no metrics. POST /tasks does the equivalent work:
 * checks the content type and size, parses and validates the JSON (the rules of the
 * agent's schema: no unknown fields, title 1 to 200 characters, description up to 2000,
 * neither containing U+0000), stores the task in a Map and answers 201 with a Location
 * header. PATCH /tasks/:id moves a task along the service's transitions (the benchmark sets
 * up the task GET /tasks/:id reads with it). Bodies are byte for byte the service's
 * (APP_VERSION gives /health's version).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

// From the CommonJS module, as the agent does (src/app.ts): an ESM import of node:http loads
// undici for its WebSocket exports, tens of milliseconds that are no part of a server's floor.
const { createServer } = process.getBuiltinModule("node:http");

const BODY_LIMIT = 64 * 1024;
const tasks = new Map<string, Record<string, unknown>>();
/** The service's ALLOWED_TRANSITIONS. */
const MOVES: Record<string, string[]> = { created: ["running"], running: ["completed", "failed"] };
const VERSION = process.env.APP_VERSION ?? "bench";
const READY = JSON.stringify({
  status: "ready",
  checks: { starting: { status: "pass" }, draining: { status: "pass" }, store: { status: "pass" } },
});

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

function validate(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return "body must be an object";
  const { title, description, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return `${unknown} is not a known field`;
  if (typeof title !== "string") return "title must be a string";
  if (title.length < 1 || title.length > 200) return "title must have 1 to 200 characters";
  if (title.includes("\u0000")) return "title must not contain U+0000";
  if (description !== undefined && (typeof description !== "string" || description.length > 2000)) {
    return "description must be a string of up to 2000 characters";
  }
  if (description?.includes("\u0000")) return "description must not contain U+0000";
  return undefined;
}

/** Reads a JSON body within the limit, answering 415, 413 or 400 itself when it cannot. */
function readJson(req: IncomingMessage, res: ServerResponse, then: (input: unknown) => void): void {
  if (!req.headers["content-type"]?.startsWith("application/json")) {
    send(res, 415, { error: "unsupported_media_type", message: "send JSON" });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= BODY_LIMIT) chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > BODY_LIMIT)
      return send(res, 413, { error: "payload_too_large", message: "too large" });
    let input: unknown;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { error: "malformed_json", message: "not JSON" });
    }
    then(input);
  });
}

function moveTask(req: IncomingMessage, res: ServerResponse, id: string): void {
  readJson(req, res, (input) => {
    const task = tasks.get(id);
    if (!task) return send(res, 404, { error: "not_found", message: "no such task" });
    const to = (input as { status?: unknown } | null)?.status;
    if (typeof to !== "string" || !MOVES[String(task.status)]?.includes(to)) {
      return send(res, 409, { error: "invalid_transition", message: "not allowed" });
    }
    task.status = to;
    task.updated_at = new Date().toISOString();
    send(res, 200, task);
  });
}

function createTask(req: IncomingMessage, res: ServerResponse): void {
  readJson(req, res, (input) => {
    const problem = validate(input);
    if (problem) return send(res, 400, { error: "validation_failed", message: problem });
    const { title, description } = input as { title: string; description?: string };
    const now = new Date().toISOString();
    const task = {
      id: randomUUID(),
      title,
      description: description ?? null,
      status: "created",
      attempts: 0,
      result: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
    tasks.set(task.id, task);
    send(res, 201, task, { location: `/tasks/${task.id}` });
  });
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health") {
    return send(res, 200, {
      status: "healthy",
      version: VERSION,
      uptime_s: Math.round(process.uptime() * 1000) / 1000,
      timestamp: new Date().toISOString(),
    });
  }
  if (req.method === "GET" && req.url === "/ready") {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    return res.end(READY);
  }
  if (req.method === "POST" && req.url === "/tasks") return createTask(req, res);
  if (req.method === "PATCH" && req.url?.startsWith("/tasks/")) {
    return moveTask(req, res, req.url.slice("/tasks/".length));
  }
  if (req.method === "GET" && req.url?.startsWith("/tasks/")) {
    const task = tasks.get(req.url.slice("/tasks/".length));
    return task
      ? send(res, 200, task)
      : send(res, 404, { error: "not_found", message: "no such task" });
  }
  send(res, 404, { error: "not_found", message: "no such route" });
});

server.listen(Number(process.env.PORT ?? 8001), process.env.HOST ?? "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));

import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Starts a POST /tasks and sends only the first half of its body: the request is in
 * flight until `finish()` sends the rest.
 */
export function startSlowPost(baseUrl: string, payload: unknown = { title: "in flight" }) {
  const body = Buffer.from(JSON.stringify(payload));
  const url = new URL("/tasks", baseUrl);
  let resolveAnswer: (answer: Answer) => void;
  let rejectAnswer: (err: Error) => void;
  const answer = new Promise<Answer>((resolve, reject) => {
    resolveAnswer = resolve;
    rejectAnswer = reject;
  });
  const req = request(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": body.length },
    },
    (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () =>
        resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    },
  );
  req.on("error", (err) => rejectAnswer(err));
  // Callers that never finish the request (the server is meant to give up) need not listen.
  answer.catch(() => {});
  const half = Math.floor(body.length / 2);
  const sent = new Promise<void>((resolve) => req.write(body.subarray(0, half), () => resolve()));
  return {
    /** Resolves once the first half has been written to the socket. */
    sent,
    finish(): Promise<Answer> {
      req.end(body.subarray(half));
      return answer;
    },
    abort(): void {
      req.destroy();
    },
  };
}

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** Parsed JSON log lines written so far. */
  logs: () => Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const serverEntry = fileURLToPath(new URL("../../src/server.ts", import.meta.url));

/** Runs the service as a real process (`node src/server.ts`) on a free loopback port. */
export function spawnServer(
  env: Record<string, string> = {},
  options: { fileLimit?: number } = {},
): {
  child: ChildProcess;
  ready: Promise<RunningServer>;
  exited: RunningServer["exited"];
  stdout: () => string;
  stderr: () => string;
} {
  // a lower limit on open files goes through the shell's ulimit, which sets it for exec'd node
  const [command, args] =
    options.fileLimit === undefined
      ? [process.execPath, [serverEntry]]
      : [
          "sh",
          ["-c", `ulimit -n ${options.fileLimit} && exec "$0" "$1"`, process.execPath, serverEntry],
        ];
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const logs = () =>
    out
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const ready = new Promise<RunningServer>((resolve, reject) => {
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        resolve({ child, baseUrl: match[1], stdout: () => out, stderr: () => err, logs, exited });
      }
    });
    void exited.then(({ code }) =>
      reject(new Error(`server exited with ${code} before listening: ${err}${out}`)),
    );
  });
  // A server meant to fail never becomes ready: that is for the caller to check, not an error.
  ready.catch(() => {});
  return { child, ready, exited, stdout: () => out, stderr: () => err };
}

/**
 * One real server for the tests of the describe block that calls this: started before the
 * first, killed after the last. Its fields can be read inside the tests only.
 */
export function useServer(env: Record<string, string>): RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await spawnServer(env).ready;
  });
  afterAll(async () => {
    server?.child.kill("SIGKILL");
    await server?.exited;
  });
  const started = (): RunningServer => {
    if (!server) throw new Error("the server starts before the tests: read it inside one");
    return server;
  };
  return {
    get child() {
      return started().child;
    },
    get baseUrl() {
      return started().baseUrl;
    },
    get exited() {
      return started().exited;
    },
    stdout: () => started().stdout(),
    stderr: () => started().stderr(),
    logs: () => started().logs(),
  };
}

/**
 * One request on a connection of its own (no keep-alive pool): a pooled connection that the
 * server closes while draining would make the next request fail with ECONNRESET, a race of
 * the client's pool rather than of the server.
 */
export function send(
  baseUrl: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { method: init.method ?? "GET", headers: init.headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          const headers: Answer["headers"] = {};
          for (const [key, value] of Object.entries(res.headers)) {
            headers[key] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: text });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RawExchange {
  /** Everything the server sent until it closed the connection (or the wait ended). */
  text: string;
  /** The status code of the first response in `text`, 0 when there was none. */
  status: number;
  /** The body of the first response, parsed, when it was JSON. */
  json: Record<string, unknown> | undefined;
  closed: boolean;
  elapsedMs: number;
}

/**
 * Writes `chunks` to a raw TCP connection, `gapMs` apart, and collects what comes back until
 * the server closes the connection or `waitMs` passes: for requests no HTTP client sends
 * (malformed, oversized, trickling).
 */
export function rawExchange(
  baseUrl: string,
  chunks: Array<string | Buffer>,
  options: { gapMs?: number; waitMs?: number } = {},
): Promise<RawExchange> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    let finished = false;
    let writer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(writer);
      clearTimeout(limit);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.split("\r\n\r\n")[1];
      let json: Record<string, unknown> | undefined;
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ text, status, json, closed, elapsedMs: performance.now() - started });
    };
    const limit = setTimeout(() => finish(false), options.waitMs ?? 10_000);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    let index = 0;
    const writeNext = () => {
      if (finished || index >= chunks.length) return;
      const chunk = chunks[index++];
      if (chunk !== undefined && socket.writable) socket.write(chunk);
      writer = setTimeout(writeNext, options.gapMs ?? 0);
    };
    socket.on("connect", writeNext);
  });
}

/** A request whose body arrives one byte every `gapMs` and never ends. */
export function tricklingPost(length = 1000): Array<string> {
  return [
    `POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
    ...Array.from({ length: length - 1 }, () => " "),
  ];
}

/**
 * Opens a connection and sends `GET path`, resolving with the status of the answer (0 when the
 * server closed the connection without one). The connection stays open until `close()`.
 */
export function openRawRequest(
  baseUrl: string,
  path: string,
): Promise<{ status: number; close: () => void }> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const close = () => socket.destroy();
    let text = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
    socket.on("data", (chunk: string) => {
      text += chunk;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (status) resolve({ status: Number(status), close });
    });
    socket.on("error", () => resolve({ status: 0, close }));
    socket.on("close", () => resolve({ status: 0, close }));
  });
}

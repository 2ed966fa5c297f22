/**
 * What the image must do once it runs, each check returning the one line that says what broke
 * (or nothing). They talk to a Target: a container here, a plain process in their own tests.
 */
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

export interface Target {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** The exit code once the process has ended, else undefined. */
  exitCode(): Promise<number | undefined>;
  /** The last lines it printed. */
  logs(): Promise<string>;
  /** Sends SIGTERM (what `docker stop` and the kubelet send); resolves with the exit code, or undefined if still running after `ms` (then it is killed). */
  stop(ms: number): Promise<number | undefined>;
}

export const READY_TIMEOUT_MS = 10_000;
export const TASK_TIMEOUT_MS = 20_000;
/** After SHUTDOWN_DRAIN_MS, how long the process may take to exit. */
export const STOP_GRACE_MS = 5000;

/** The one log line that best explains a crash: a thrown error, an error record, else the last. */
export function telling(logs: string): string {
  const lines = logs
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const thrown = lines.find((line) => /^[\w.]*Error\b[^:]*:/.test(line));
  const record = lines.find((line) => /"level":(50|60)\b|"level":"(error|fatal)"/.test(line));
  return (thrown ?? record ?? lines.at(-1) ?? "no output").slice(0, 300);
}

async function get(url: string, timeoutMs = 2000): Promise<Response | undefined> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return undefined;
  }
}

/** Polls /ready until 200; the time it took, or the failure. */
export async function waitReady(
  target: Target,
  timeoutMs = READY_TIMEOUT_MS,
  startedAt = performance.now(),
): Promise<{ ms: number } | { failure: string }> {
  const deadline = startedAt + timeoutMs;
  let last = "no answer";
  while (performance.now() < deadline) {
    const code = await target.exitCode();
    if (code !== undefined) {
      return {
        failure: `the server exited with code ${code} before /ready answered: ${telling(await target.logs())}`,
      };
    }
    const response = await get(`${target.baseUrl}/ready`, 1000);
    if (response?.status === 200) return { ms: performance.now() - startedAt };
    if (response) last = `${response.status} ${(await response.text()).slice(0, 200)}`;
    await sleep(100);
  }
  return {
    failure: `/ready did not answer 200 within ${timeoutMs / 1000} s (last: ${last}): ${telling(await target.logs())}`,
  };
}

export async function checkVersion(target: Target, expected: string): Promise<string | undefined> {
  const response = await get(`${target.baseUrl}/health`);
  if (response?.status !== 200)
    return `/health answered ${response?.status ?? "nothing"}, expected 200`;
  const { version } = (await response.json()) as { version?: unknown };
  if (version !== expected) {
    return `/health reports version ${JSON.stringify(version)}, expected "${expected}" (the APP_VERSION build argument)`;
  }
  return undefined;
}

/** A task is created and the runner inside the image completes it with a result. */
export async function checkTask(
  target: Target,
  timeoutMs = TASK_TIMEOUT_MS,
): Promise<string | undefined> {
  let created: Response;
  try {
    created = await fetch(`${target.baseUrl}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "image test", description: "created by pnpm test:image" }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    return `POST /tasks failed: ${err instanceof Error ? err.message : err}`;
  }
  if (created.status !== 201)
    return `POST /tasks answered ${created.status}, expected 201: ${(await created.text()).slice(0, 200)}`;
  const { id } = (await created.json()) as { id: string };
  const deadline = performance.now() + timeoutMs;
  let status = "created";
  while (performance.now() < deadline) {
    const response = await get(`${target.baseUrl}/tasks/${id}`);
    if (response?.status === 200) {
      const task = (await response.json()) as { status: string; result: unknown; error: unknown };
      status = task.status;
      if (status === "completed") {
        return task.result === null || task.result === undefined
          ? `task ${id} completed without a result`
          : undefined;
      }
      if (status === "failed") return `task ${id} failed inside the image: ${task.error}`;
    }
    await sleep(200);
  }
  return `task ${id} is still ${status} after ${timeoutMs / 1000} s: the runner does not work inside the image: ${telling(await target.logs())}`;
}

export async function checkEndpoints(
  target: Target,
  paths: readonly string[] = ["/docs", "/metrics"],
) {
  const failures: string[] = [];
  for (const path of paths) {
    const response = await get(`${target.baseUrl}${path}`, 5000);
    if (response?.status !== 200)
      failures.push(`${path} answered ${response?.status ?? "nothing"}, expected 200`);
  }
  return failures;
}

/**
 * A POST whose body is still arriving when SIGTERM comes: it must be answered 201, and the
 * process must exit 0 within drainMs + STOP_GRACE_MS.
 */
export async function checkStop(
  target: Target,
  drainMs: number,
  graceMs = STOP_GRACE_MS,
): Promise<{ ms: number; failures: string[] }> {
  const failures: string[] = [];
  const body = JSON.stringify({ title: "in flight during SIGTERM" });
  const url = new URL(`${target.baseUrl}/tasks`);
  let answer: (status: string) => void = () => {};
  const answered = new Promise<string>((resolve) => {
    answer = resolve;
  });
  const inFlight = request(url, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  inFlight.on("response", (response) => {
    response.resume();
    response.on("end", () => answer(String(response.statusCode)));
  });
  inFlight.on("error", (err) => answer(err.message));
  inFlight.write(body.slice(0, 5));
  inFlight.flushHeaders();
  // Let the server see the request begin before the signal.
  await sleep(200);

  const budget = drainMs + graceMs;
  const started = performance.now();
  const stopped = target.stop(budget);
  // The rest of the body once the server is draining (/ready 503) or gone.
  for (let i = 0; i < 50; i++) {
    const ready = await get(`${target.baseUrl}/ready`, 500);
    if (ready?.status !== 200) break;
    await sleep(50);
  }
  inFlight.end(body.slice(5));
  const status = await Promise.race([answered, sleep(budget).then(() => "no answer")]);
  if (status !== "201")
    failures.push(
      `a request in flight during SIGTERM got ${status}, expected 201: the server dropped it`,
    );
  const code = await stopped;
  const ms = performance.now() - started;
  inFlight.destroy();
  if (code === undefined) {
    failures.push(
      `SIGTERM: the server did not exit within ${(budget / 1000).toFixed(1)} s (SHUTDOWN_DRAIN_MS ${drainMs} + ${graceMs / 1000} s) and was killed: it must stop on SIGTERM (node as the main process, a SIGTERM handler)`,
    );
  } else if (code !== 0) {
    failures.push(
      `SIGTERM: the server exited with code ${code}, expected 0: ${telling(await target.logs())}`,
    );
  }
  return { ms, failures };
}

/** USER must be numeric (runAsNonRoot can only verify a uid) and not 0. */
export function checkUser(user: string): string | undefined {
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (
    user === "" ||
    user === "root" ||
    user.startsWith("root:") ||
    (match && Number(match[1]) === 0)
  ) {
    return `the image runs as root (USER ${user || "unset"}): set USER 1000:1000 in the runtime stage`;
  }
  if (!match) {
    return `the image runs as user "${user}", not a numeric uid: Kubernetes' runAsNonRoot cannot verify it; use USER 1000:1000`;
  }
  return undefined;
}

const DEV_TOOLS = ["vitest", "typescript", "tsx"];

/**
 * The image's files (paths as `tar -t` lists them) under the app's working directory: no
 * dev tooling among its node_modules, no tests or TypeScript sources of its own.
 */
export function checkContents(paths: readonly string[], workdir: string): string[] {
  const prefix = `${workdir.replace(/^\/+|\/+$/g, "")}/`;
  const found = new Set<string>();
  const failures: string[] = [];
  for (const raw of paths) {
    const path = raw.replace(/^\.?\//, "");
    if (!path.startsWith(prefix)) continue;
    const inApp = path.slice(prefix.length);
    const modules = inApp.split("/").indexOf("node_modules");
    if (modules >= 0) {
      const parts = inApp.split("/");
      for (const tool of DEV_TOOLS) {
        // node_modules/<tool>/ or pnpm's node_modules/.pnpm/<tool>@<version>/
        const at = parts.findIndex(
          (part, i) => i > modules && (part === tool || part.startsWith(`${tool}@`)),
        );
        if (at >= 0 && (parts[at - 1] === "node_modules" || parts[at - 1] === ".pnpm"))
          found.add(tool);
      }
      continue;
    }
    if (/^(test|tests|src)\//.test(inApp)) found.add(`/${prefix}${inApp.split("/")[0]}/`);
    else if (/\.(c|m)?ts$/.test(inApp) && !/\.d\.(c|m)?ts$/.test(inApp))
      found.add(`/${prefix}${inApp}`);
  }
  for (const tool of DEV_TOOLS) {
    if (found.delete(tool))
      failures.push(
        `the image holds ${tool} (a dev dependency): production installs only dependencies`,
      );
  }
  const sources = [...found].sort();
  if (sources.length > 0) {
    failures.push(
      `the image holds sources or tests of the app: ${sources.slice(0, 3).join(", ")}${sources.length > 3 ? ` and ${sources.length - 3} more` : ""}: narrow "files" in its package.json`,
    );
  }
  return failures;
}

export const MAX_ADDED_BYTES = 60 * 1024 * 1024;

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function checkSize(imageBytes: number, baseBytes: number, base: string): string | undefined {
  const added = imageBytes - baseBytes;
  if (added > MAX_ADDED_BYTES) {
    return `the app adds ${megabytes(added)} over ${base} (limit ${megabytes(MAX_ADDED_BYTES)}): look for dependencies that belong in devDependencies`;
  }
  return undefined;
}

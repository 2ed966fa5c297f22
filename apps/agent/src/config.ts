import { readFileSync } from "node:fs";
import { type ModelConfig, readModelConfig } from "./agent/model-config.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * all: the API and the runner in one process. api: the API only (tasks are run elsewhere).
 * worker: the runner only, with just /health, /ready and /metrics for the platform.
 */
export const ROLES = ["all", "api", "worker"] as const;
export type Role = (typeof ROLES)[number];

export interface RunnerConfig {
  /** RUNNER=on (default) unless the role is api. */
  enabled: boolean;
  /** Tasks one process runs at the same time. */
  concurrency: number;
  /** A run taking longer is aborted through its signal and counts as a failed attempt. */
  taskTimeoutMs: number;
  /** Runs of one task at most, the first included; then it is failed for good. */
  maxAttempts: number;
  /** How long a claim holds a task; renewed while it runs, taken over when its process dies. */
  leaseMs: number;
  /** Claim check interval besides notifications: picks up expired leases and due retries. */
  pollMs: number;
  /** Delay before the first retry; doubled for each further one (with jitter). */
  retryDelayMs: number;
}

/** example: the built-in offline agent. model: ModelAgent against MODEL_BASE_URL. */
export const AGENTS = ["example", "model"] as const;
export type AgentKind = (typeof AGENTS)[number];

export interface AgentConfig {
  /** AGENT: which built-in agent runs the tasks (ignored when AGENT_MODULE is set). */
  kind: AgentKind;
  /** The MODEL_* settings; present only with AGENT=model. */
  model: ModelConfig | undefined;
  /** Module exporting the agent to run instead of the built-in example (AGENT_MODULE). */
  module: string | undefined;
  /** How long the example agent pretends to work on each task. */
  exampleDelayMs: number;
}

/**
 * Fault injection for canary tests and demos: a share of API requests is answered 500 on
 * purpose, so a rollout's analysis can be seen to stop a bad version. Off unless set.
 */
export interface FaultConfig {
  /** FAULT_ERROR_RATIO: 0 (off) to 1 (every API request fails). */
  errorRatio: number;
}

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Human-readable logs through pino-pretty (development only). */
  logPretty: boolean;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** A request's line and headers must arrive within this (408 after). */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this (408 after). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; above the proxies' idle timeouts. */
  keepAliveTimeoutMs: number;
  /** Concurrent GET /tasks/:id/events streams one process serves; more get 503. */
  eventsMaxStreams: number;
  /** Requests per client address and window (429 past it); undefined: no limit. */
  rateLimit: { max: number; windowMs: number } | undefined;
  /** After SIGTERM, how long to keep serving (with /ready at 503) before closing. */
  shutdownDrainMs: number;
  /** From the first signal, how long the whole shutdown may take before a forced exit. */
  shutdownTimeoutMs: number;
  /** After the drain, how long requests still in flight may take before their connections are closed. */
  shutdownRequestGraceMs: number;
  appVersion: string;
  /** Unset: in-memory store. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  databaseTimeoutMs: number;
  /** /ready re-checks the store at most this often; results in between are reused. */
  readyCheckIntervalMs: number;
  role: Role;
  runner: RunnerConfig;
  agent: AgentConfig;
  fault: FaultConfig;
}

/** One line per invalid variable, naming it and the expected form. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function packageVersion(): string {
  // src/ and dist/ both sit next to package.json.
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

const SIZE_PATTERN = /^(\d+)\s*(b|kb|mb)?$/i;
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/**
 * Reads and validates the environment once. Throws a ConfigError listing every bad
 * variable; secrets (DATABASE_URL, MODEL_API_KEY) are never echoed back.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  /** Empty values count as unset, as Kubernetes and compose files often produce them. */
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}="${raw}" is invalid: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = allowed.find((candidate) => candidate === raw.toLowerCase());
    if (value === undefined) {
      problems.push(`${name}="${raw}" is invalid: expected one of ${allowed.join(", ")}`);
      return fallback;
    }
    return value;
  };

  const bodyLimit = (): number => {
    const raw = read("BODY_LIMIT");
    if (raw === undefined) return 64 * 1024;
    const match = SIZE_PATTERN.exec(raw);
    const value = match ? Number(match[1]) * SIZE_UNITS[(match[2] ?? "b").toLowerCase()]! : 0;
    if (!Number.isSafeInteger(value) || value < 1 || value > 100 * 1024 * 1024) {
      problems.push(
        `BODY_LIMIT="${raw}" is invalid: expected a size from 1 byte to 100mb, such as 65536, 64kb or 1mb`,
      );
      return 0;
    }
    return value;
  };

  const databaseUrl = (): string | undefined => {
    const raw = read("DATABASE_URL");
    if (raw === undefined) return undefined;
    let valid = false;
    try {
      const url = new URL(raw);
      valid = (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.host !== "";
    } catch {
      valid = false;
    }
    if (!valid) {
      problems.push(
        "DATABASE_URL is invalid: expected postgres://user:password@host:5432/database (value not shown)",
      );
    }
    return raw;
  };

  const appVersion = (): string => {
    const raw = read("APP_VERSION");
    if (raw === undefined) return packageVersion();
    if (!/^[\w.+-]{1,128}$/.test(raw)) {
      problems.push(
        `APP_VERSION="${raw}" is invalid: expected up to 128 letters, digits or . _ + - (a tag or commit)`,
      );
    }
    return raw;
  };

  const host = (): string => {
    const raw = read("HOST");
    if (raw === undefined) return "0.0.0.0";
    if (!/^[\w.:-]+$/.test(raw)) {
      problems.push(`HOST="${raw}" is invalid: expected an address or host name such as 0.0.0.0`);
    }
    return raw;
  };

  const faultErrorRatio = (): number => {
    const raw = read("FAULT_ERROR_RATIO");
    if (raw === undefined) return 0;
    const value = /^(0|1)(\.\d+)?$|^\.\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= 0 && value <= 1)) {
      problems.push(
        `FAULT_ERROR_RATIO="${raw}" is invalid: expected a share of API requests to fail, from 0 (off) to 1 (all)`,
      );
      return 0;
    }
    // A production process injects faults only when told twice: NODE_ENV alone is not enough.
    if (
      value > 0 &&
      read("NODE_ENV") === "production" &&
      read("FAULT_ALLOW_IN_PRODUCTION") !== "true"
    ) {
      problems.push(
        `FAULT_ERROR_RATIO="${raw}" is refused with NODE_ENV=production: unset it, or also set FAULT_ALLOW_IN_PRODUCTION=true for a deliberate demo`,
      );
      return 0;
    }
    return value;
  };

  const rateLimit = (): Config["rateLimit"] => {
    const max = integer("RATE_LIMIT_MAX", 0, 0, 1_000_000_000);
    const windowMs = integer("RATE_LIMIT_WINDOW_MS", 60_000, 1, 86_400_000);
    return max > 0 ? { max, windowMs } : undefined;
  };

  const runnerSwitch = oneOf("RUNNER", ["on", "off"], "on");
  const role = oneOf("ROLE", ROLES, "all");
  const agentModule = read("AGENT_MODULE");
  const agentKind = oneOf("AGENT", AGENTS, "example");
  if (agentModule !== undefined && read("AGENT") !== undefined) {
    problems.push(
      "AGENT and AGENT_MODULE are both set: AGENT chooses a built-in agent, AGENT_MODULE loads your own; unset one",
    );
  }

  const config: Config = {
    port: integer("PORT", 8000, 0, 65535),
    host: host(),
    logLevel: oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    logPretty: ["1", "true"].includes(oneOf("LOG_PRETTY", ["1", "0", "true", "false"], "0")),
    bodyLimit: bodyLimit(),
    headersTimeoutMs: integer("HEADERS_TIMEOUT_MS", 10_000, 1, 600_000),
    requestTimeoutMs: integer("REQUEST_TIMEOUT_MS", 30_000, 1, 3_600_000),
    keepAliveTimeoutMs: integer("KEEP_ALIVE_TIMEOUT_MS", 72_000, 1, 3_600_000),
    eventsMaxStreams: integer("EVENTS_MAX_STREAMS", 1000, 1, 1_000_000),
    rateLimit: rateLimit(),
    shutdownDrainMs: integer("SHUTDOWN_DRAIN_MS", 5000, 0, 600_000),
    shutdownTimeoutMs: integer("SHUTDOWN_TIMEOUT_MS", 20_000, 1, 3_600_000),
    shutdownRequestGraceMs: integer("SHUTDOWN_REQUEST_GRACE_MS", 5000, 0, 600_000),
    appVersion: appVersion(),
    databaseUrl: databaseUrl(),
    databasePoolMax: integer("DATABASE_POOL_MAX", 10, 1, 1000),
    databaseTimeoutMs: integer("DATABASE_TIMEOUT_MS", 5000, 1, 600_000),
    readyCheckIntervalMs: integer("READY_CHECK_INTERVAL_MS", 2000, 0, 600_000),
    role,
    runner: {
      enabled: role !== "api" && runnerSwitch === "on",
      concurrency: integer("RUNNER_CONCURRENCY", 4, 1, 1000),
      taskTimeoutMs: integer("RUNNER_TASK_TIMEOUT_MS", 120_000, 1, 86_400_000),
      maxAttempts: integer("RUNNER_MAX_ATTEMPTS", 3, 1, 100),
      leaseMs: integer("RUNNER_LEASE_MS", 30_000, 100, 3_600_000),
      pollMs: integer("RUNNER_POLL_MS", 2000, 10, 600_000),
      retryDelayMs: integer("RUNNER_RETRY_DELAY_MS", 1000, 0, 3_600_000),
    },
    agent: {
      module: agentModule,
      kind: agentKind,
      model: agentKind === "model" ? readModelConfig(read, problems) : undefined,
      exampleDelayMs: integer("EXAMPLE_AGENT_DELAY_MS", 1000, 0, 600_000),
    },
    fault: { errorRatio: faultErrorRatio() },
  };

  // RUNNER given explicitly against the role is a contradiction, not a preference.
  if (role === "api" && read("RUNNER") !== undefined && runnerSwitch === "on") {
    problems.push(
      "RUNNER=on conflicts with ROLE=api: the api role never runs tasks; use ROLE=all to run them in this process too",
    );
  }
  if (role === "worker" && runnerSwitch === "off") {
    problems.push(
      "RUNNER=off conflicts with ROLE=worker: a worker only runs tasks; use ROLE=api for an API without the runner",
    );
  }

  if (problems.length === 0 && config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_MS=${config.headersTimeoutMs} is invalid: expected at most REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}), which bounds the whole request, headers included`,
    );
  }
  if (problems.length === 0 && config.shutdownTimeoutMs <= config.shutdownDrainMs) {
    problems.push(
      `SHUTDOWN_TIMEOUT_MS=${config.shutdownTimeoutMs} is invalid: expected more than SHUTDOWN_DRAIN_MS (${config.shutdownDrainMs}), or shutdown could never finish in time`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

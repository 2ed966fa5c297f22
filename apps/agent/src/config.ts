import { readFileSync } from "node:fs";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Human-readable logs through pino-pretty (development only). */
  logPretty: boolean;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** After SIGTERM, how long to keep serving (with /ready at 503) before closing. */
  shutdownDrainMs: number;
  /** From the first signal, how long the whole shutdown may take before a forced exit. */
  shutdownTimeoutMs: number;
  appVersion: string;
  /** Unset: in-memory store. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  databaseTimeoutMs: number;
  /** /ready re-checks the store at most this often; results in between are reused. */
  readyCheckIntervalMs: number;
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
 * variable; secrets (DATABASE_URL) are never echoed back.
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

  const config: Config = {
    port: integer("PORT", 8000, 0, 65535),
    host: host(),
    logLevel: oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    logPretty: ["1", "true"].includes(oneOf("LOG_PRETTY", ["1", "0", "true", "false"], "0")),
    bodyLimit: bodyLimit(),
    shutdownDrainMs: integer("SHUTDOWN_DRAIN_MS", 5000, 0, 600_000),
    shutdownTimeoutMs: integer("SHUTDOWN_TIMEOUT_MS", 20_000, 1, 3_600_000),
    appVersion: appVersion(),
    databaseUrl: databaseUrl(),
    databasePoolMax: integer("DATABASE_POOL_MAX", 10, 1, 1000),
    databaseTimeoutMs: integer("DATABASE_TIMEOUT_MS", 5000, 1, 600_000),
    readyCheckIntervalMs: integer("READY_CHECK_INTERVAL_MS", 2000, 0, 600_000),
  };

  if (problems.length === 0 && config.shutdownTimeoutMs <= config.shutdownDrainMs) {
    problems.push(
      `SHUTDOWN_TIMEOUT_MS=${config.shutdownTimeoutMs} is invalid: expected more than SHUTDOWN_DRAIN_MS (${config.shutdownDrainMs}), or shutdown could never finish in time`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

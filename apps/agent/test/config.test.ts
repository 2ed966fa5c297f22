import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const packageVersion = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadConfig", () => {
  it("has production defaults when nothing is set", () => {
    expect(loadConfig({})).toEqual({
      port: 8000,
      host: "0.0.0.0",
      logLevel: "info",
      logPretty: false,
      bodyLimit: 65536,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      eventsMaxStreams: 1000,
      shutdownDrainMs: 5000,
      shutdownTimeoutMs: 20000,
      shutdownRequestGraceMs: 5000,
      appVersion: packageVersion,
      databaseUrl: undefined,
      databasePoolMax: 10,
      databaseTimeoutMs: 5000,
      readyCheckIntervalMs: 2000,
      role: "all",
      runner: {
        enabled: true,
        concurrency: 4,
        taskTimeoutMs: 120_000,
        maxAttempts: 3,
        leaseMs: 30_000,
        pollMs: 2000,
        retryDelayMs: 1000,
      },
      agent: { module: undefined, kind: "example", model: undefined, exampleDelayMs: 1000 },
      fault: { errorRatio: 0 },
    });
  });

  it("reads every variable", () => {
    expect(
      loadConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "DEBUG",
        LOG_PRETTY: "true",
        BODY_LIMIT: "2mb",
        HEADERS_TIMEOUT_MS: "2000",
        REQUEST_TIMEOUT_MS: "4000",
        KEEP_ALIVE_TIMEOUT_MS: "61000",
        EVENTS_MAX_STREAMS: "50",
        RATE_LIMIT_MAX: "100",
        RATE_LIMIT_WINDOW_MS: "1000",
        SHUTDOWN_DRAIN_MS: "0",
        SHUTDOWN_TIMEOUT_MS: "1",
        SHUTDOWN_REQUEST_GRACE_MS: "300",
        APP_VERSION: "main-1a2b3c4",
        DATABASE_URL: "postgresql://agent:secret@db:5432/agent",
        DATABASE_POOL_MAX: "3",
        DATABASE_TIMEOUT_MS: "250",
        READY_CHECK_INTERVAL_MS: "0",
        ROLE: "Worker",
        RUNNER: "on",
        RUNNER_CONCURRENCY: "16",
        RUNNER_TASK_TIMEOUT_MS: "500",
        RUNNER_MAX_ATTEMPTS: "5",
        RUNNER_LEASE_MS: "1500",
        RUNNER_POLL_MS: "100",
        RUNNER_RETRY_DELAY_MS: "0",
        AGENT_MODULE: "./dist/my-agent.js",
        EXAMPLE_AGENT_DELAY_MS: "0",
        FAULT_ERROR_RATIO: "0.25",
      }),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      logLevel: "debug",
      logPretty: true,
      bodyLimit: 2 * 1024 * 1024,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      keepAliveTimeoutMs: 61_000,
      eventsMaxStreams: 50,
      rateLimit: { max: 100, windowMs: 1000 },
      shutdownDrainMs: 0,
      shutdownTimeoutMs: 1,
      shutdownRequestGraceMs: 300,
      appVersion: "main-1a2b3c4",
      databaseUrl: "postgresql://agent:secret@db:5432/agent",
      databasePoolMax: 3,
      databaseTimeoutMs: 250,
      readyCheckIntervalMs: 0,
      role: "worker",
      runner: {
        enabled: true,
        concurrency: 16,
        taskTimeoutMs: 500,
        maxAttempts: 5,
        leaseMs: 1500,
        pollMs: 100,
        retryDelayMs: 0,
      },
      agent: { module: "./dist/my-agent.js", kind: "example", model: undefined, exampleDelayMs: 0 },
      fault: { errorRatio: 0.25 },
    });
  });

  it("treats empty and blank values as unset", () => {
    expect(loadConfig({ PORT: "", LOG_LEVEL: "  ", DATABASE_URL: "" })).toMatchObject({
      port: 8000,
      logLevel: "info",
      databaseUrl: undefined,
    });
  });

  it.each([
    ["1", true],
    ["0", false],
    ["false", false],
  ])("reads LOG_PRETTY=%s", (value, expected) => {
    expect(loadConfig({ LOG_PRETTY: value }).logPretty).toBe(expected);
  });

  it.each([
    ["65536", 65536],
    ["64kb", 65536],
    ["1MB", 1048576],
    ["100b", 100],
  ])("reads BODY_LIMIT=%s as %d bytes", (value, bytes) => {
    expect(loadConfig({ BODY_LIMIT: value }).bodyLimit).toBe(bytes);
  });

  it.each([
    ["PORT", "abc", 'PORT="abc" is invalid: expected an integer from 0 to 65535'],
    ["PORT", "65536", 'PORT="65536" is invalid: expected an integer from 0 to 65535'],
    ["PORT", "-1", 'PORT="-1" is invalid: expected an integer from 0 to 65535'],
    ["PORT", "80.5", 'PORT="80.5" is invalid: expected an integer from 0 to 65535'],
    [
      "HOST",
      "local host",
      'HOST="local host" is invalid: expected an address or host name such as 0.0.0.0',
    ],
    [
      "LOG_LEVEL",
      "verbose",
      'LOG_LEVEL="verbose" is invalid: expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      "LOG_PRETTY",
      "yes please",
      'LOG_PRETTY="yes please" is invalid: expected one of 1, 0, true, false',
    ],
    [
      "BODY_LIMIT",
      "lots",
      'BODY_LIMIT="lots" is invalid: expected a size from 1 byte to 100mb, such as 65536, 64kb or 1mb',
    ],
    [
      "BODY_LIMIT",
      "0",
      'BODY_LIMIT="0" is invalid: expected a size from 1 byte to 100mb, such as 65536, 64kb or 1mb',
    ],
    [
      "BODY_LIMIT",
      "1gb",
      'BODY_LIMIT="1gb" is invalid: expected a size from 1 byte to 100mb, such as 65536, 64kb or 1mb',
    ],
    [
      "SHUTDOWN_DRAIN_MS",
      "5s",
      'SHUTDOWN_DRAIN_MS="5s" is invalid: expected an integer from 0 to 600000',
    ],
    [
      "SHUTDOWN_TIMEOUT_MS",
      "0",
      'SHUTDOWN_TIMEOUT_MS="0" is invalid: expected an integer from 1 to 3600000',
    ],
    [
      "APP_VERSION",
      "v1 beta",
      'APP_VERSION="v1 beta" is invalid: expected up to 128 letters, digits or . _ + - (a tag or commit)',
    ],
    [
      "DATABASE_POOL_MAX",
      "0",
      'DATABASE_POOL_MAX="0" is invalid: expected an integer from 1 to 1000',
    ],
    [
      "DATABASE_TIMEOUT_MS",
      "fast",
      'DATABASE_TIMEOUT_MS="fast" is invalid: expected an integer from 1 to 600000',
    ],
    [
      "READY_CHECK_INTERVAL_MS",
      "-5",
      'READY_CHECK_INTERVAL_MS="-5" is invalid: expected an integer from 0 to 600000',
    ],
  ])("refuses %s=%s with one line naming it and the expected form", (name, value, line) => {
    expect(problemsOf({ [name]: value })).toEqual([line]);
  });

  it.each(["mysql://agent:secret@db/agent", "postgres://", "not a url with secret"])(
    "refuses DATABASE_URL=%s without echoing it",
    (value) => {
      const problems = problemsOf({ DATABASE_URL: value });
      expect(problems).toEqual([
        "DATABASE_URL is invalid: expected postgres://user:password@host:5432/database (value not shown)",
      ]);
      expect(problems.join()).not.toContain("secret");
    },
  );

  it("refuses a headers timeout above the whole request's", () => {
    expect(problemsOf({ HEADERS_TIMEOUT_MS: "5000", REQUEST_TIMEOUT_MS: "1000" })).toEqual([
      "HEADERS_TIMEOUT_MS=5000 is invalid: expected at most REQUEST_TIMEOUT_MS (1000), which bounds the whole request, headers included",
    ]);
  });

  it("refuses a shutdown timeout that cannot cover the drain", () => {
    expect(problemsOf({ SHUTDOWN_DRAIN_MS: "10000", SHUTDOWN_TIMEOUT_MS: "10000" })).toEqual([
      "SHUTDOWN_TIMEOUT_MS=10000 is invalid: expected more than SHUTDOWN_DRAIN_MS (10000), or shutdown could never finish in time",
    ]);
  });

  it.each([
    ["ROLE", "both", 'ROLE="both" is invalid: expected one of all, api, worker'],
    ["RUNNER", "yes", 'RUNNER="yes" is invalid: expected one of on, off'],
    [
      "RUNNER_CONCURRENCY",
      "0",
      'RUNNER_CONCURRENCY="0" is invalid: expected an integer from 1 to 1000',
    ],
    [
      "RUNNER_TASK_TIMEOUT_MS",
      "2m",
      'RUNNER_TASK_TIMEOUT_MS="2m" is invalid: expected an integer from 1 to 86400000',
    ],
    [
      "RUNNER_MAX_ATTEMPTS",
      "0",
      'RUNNER_MAX_ATTEMPTS="0" is invalid: expected an integer from 1 to 100',
    ],
    [
      "RUNNER_LEASE_MS",
      "50",
      'RUNNER_LEASE_MS="50" is invalid: expected an integer from 100 to 3600000',
    ],
    ["RUNNER_POLL_MS", "1", 'RUNNER_POLL_MS="1" is invalid: expected an integer from 10 to 600000'],
    [
      "EXAMPLE_AGENT_DELAY_MS",
      "-1",
      'EXAMPLE_AGENT_DELAY_MS="-1" is invalid: expected an integer from 0 to 600000',
    ],
  ])("refuses %s=%s", (name, value, line) => {
    expect(problemsOf({ [name]: value })).toEqual([line]);
  });

  it("runs the runner in the all and worker roles, never in the api role", () => {
    expect(loadConfig({}).runner.enabled).toBe(true);
    expect(loadConfig({ RUNNER: "off" }).runner.enabled).toBe(false);
    expect(loadConfig({ ROLE: "api" })).toMatchObject({ role: "api", runner: { enabled: false } });
    expect(loadConfig({ ROLE: "worker" })).toMatchObject({
      role: "worker",
      runner: { enabled: true },
    });
  });

  it("refuses a RUNNER setting that contradicts ROLE", () => {
    expect(problemsOf({ ROLE: "api", RUNNER: "on" })).toEqual([
      "RUNNER=on conflicts with ROLE=api: the api role never runs tasks; use ROLE=all to run them in this process too",
    ]);
    expect(problemsOf({ ROLE: "worker", RUNNER: "off" })).toEqual([
      "RUNNER=off conflicts with ROLE=worker: a worker only runs tasks; use ROLE=api for an API without the runner",
    ]);
    expect(loadConfig({ ROLE: "api", RUNNER: "off" }).runner.enabled).toBe(false);
  });

  it("reads FAULT_ERROR_RATIO as a share from 0 to 1, one line for anything else", () => {
    expect(loadConfig({ FAULT_ERROR_RATIO: "1" }).fault.errorRatio).toBe(1);
    expect(loadConfig({ FAULT_ERROR_RATIO: ".5" }).fault.errorRatio).toBe(0.5);
    for (const raw of ["1.5", "-0.1", "half", "50%", "2"]) {
      expect(problemsOf({ FAULT_ERROR_RATIO: raw })).toEqual([
        `FAULT_ERROR_RATIO="${raw}" is invalid: expected a share of API requests to fail, from 0 (off) to 1 (all)`,
      ]);
    }
  });

  it("refuses fault injection under NODE_ENV=production unless FAULT_ALLOW_IN_PRODUCTION=true", () => {
    expect(problemsOf({ NODE_ENV: "production", FAULT_ERROR_RATIO: "1" })).toEqual([
      'FAULT_ERROR_RATIO="1" is refused with NODE_ENV=production: unset it, or also set FAULT_ALLOW_IN_PRODUCTION=true for a deliberate demo',
    ]);
    expect(
      problemsOf({
        NODE_ENV: "production",
        FAULT_ERROR_RATIO: "1",
        FAULT_ALLOW_IN_PRODUCTION: "yes",
      }),
    ).toHaveLength(1);
    expect(
      loadConfig({
        NODE_ENV: "production",
        FAULT_ERROR_RATIO: "1",
        FAULT_ALLOW_IN_PRODUCTION: "true",
      }).fault.errorRatio,
    ).toBe(1);
    // Off is always allowed, and the second setting alone turns nothing on.
    expect(loadConfig({ NODE_ENV: "production", FAULT_ERROR_RATIO: "0" }).fault.errorRatio).toBe(0);
    expect(
      loadConfig({ NODE_ENV: "production", FAULT_ALLOW_IN_PRODUCTION: "true" }).fault.errorRatio,
    ).toBe(0);
  });

  it("lists every bad variable, one line each", () => {
    const problems = problemsOf({ PORT: "x", LOG_LEVEL: "loud", BODY_LIMIT: "big" });
    expect(problems.map((line) => line.split("=")[0])).toEqual(["PORT", "LOG_LEVEL", "BODY_LIMIT"]);
    const error = new ConfigError(problems);
    expect(error.message.split("\n")).toHaveLength(3);
    expect(error.name).toBe("ConfigError");
  });
});

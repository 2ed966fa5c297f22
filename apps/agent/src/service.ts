import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { createAgent } from "./agent/index.ts";
import { ModelMetrics } from "./agent/model-metrics.ts";
import type { Agent } from "./agent/types.ts";
import { buildApp } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./platform/logger.ts";
import { Readiness } from "./platform/readiness.ts";
import { Runner } from "./runner/runner.ts";
import { createStore } from "./tasks/create-store.ts";
import type { TaskStore } from "./tasks/store.ts";

type Signal = "SIGTERM" | "SIGINT";

/** An error as the one line a start-up failure prints (no stack, no line breaks). */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** Why listen() failed, and what to change. */
function listenProblem(err: unknown): string {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case "EADDRINUSE":
      return "the port is already in use by another process (EADDRINUSE); stop it or set PORT to a free port";
    case "EACCES":
      return "not permitted to listen on this port (EACCES); ports below 1024 need privileges: set PORT to 1024 or above";
    case "EADDRNOTAVAIL":
      return "this address is not one of this machine's (EADDRNOTAVAIL); set HOST to 0.0.0.0 or an address of this machine";
    default:
      return `${oneLine(err)}; set PORT or HOST`;
  }
}
const SIGNALS: readonly Signal[] = ["SIGTERM", "SIGINT"];
/** Signals this soon after the first are copies of it, not an operator insisting. */
const DUPLICATE_SIGNAL_MS = 300;

export interface ServiceOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Ends the process; tests pass a recorder. */
  exit?: (code: number) => void;
  /** Where SIGTERM/SIGINT come from. */
  signals?: Pick<NodeJS.EventEmitter, "on" | "off">;
  stderr?: Pick<NodeJS.WritableStream, "write">;
  logger?: Logger;
  /** Opens the task store; tests substitute failing or slow stores. */
  createStore?: typeof createStore;
  /** The agent the runner uses; by default the one src/agent/index.ts chooses. */
  agent?: Agent;
}

export interface Service {
  app: FastifyInstance;
  config: Config;
  store: TaskStore;
  readiness: Readiness;
  /** Runs tasks in the background; undefined when RUNNER=off or ROLE=api. */
  runner: Runner | undefined;
  /** Starts the shutdown sequence (as a signal would) and resolves when it has finished. */
  shutdown(reason: string): Promise<void>;
}

/**
 * config -> logger -> agent -> store -> app -> listen -> runner, then graceful shutdown on
 * SIGTERM/SIGINT: /ready turns 503 and the runner stops claiming at once; requests are still
 * served and running tasks may finish for SHUTDOWN_DRAIN_MS (so the pod leaves the Service's
 * endpoints first); then tasks still running are aborted and released, the server stops
 * accepting, finishes in-flight requests (closing the connections of those still open after
 * SHUTDOWN_REQUEST_GRACE_MS), closes the store and exits 0. A second signal (from
 * 300 ms after the first), or SHUTDOWN_TIMEOUT_MS passing, exits 1 at once. Returns
 * undefined when it could not start (exit already called).
 */
export async function startService(options: ServiceOptions = {}): Promise<Service | undefined> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? process;
  const stderr = options.stderr ?? process.stderr;

  let config: Config;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) stderr.write(`agent: configuration error: ${problem}\n`);
    exit(1);
    return undefined;
  }

  const logger = options.logger ?? createLogger(config);
  let agent: Agent | undefined;
  const modelMetrics = new ModelMetrics();
  let opened: TaskStore | undefined;
  if (config.runner.enabled) {
    try {
      agent =
        options.agent ??
        (await createAgent(config, {
          metrics: modelMetrics,
          // the store opens after the agent is set up; tools and text come only once tasks run
          deltas: { publish: (delta) => opened?.publishDelta(delta) },
          getTask: async (id) => opened?.get(id),
        }));
    } catch (err) {
      stderr.write(`agent: cannot set up the agent: ${oneLine(err)}\n`);
      exit(1);
      return undefined;
    }
  }
  let store: TaskStore;
  try {
    store = await (options.createStore ?? createStore)(config, logger);
  } catch (err) {
    stderr.write(`agent: cannot open the task store: ${oneLine(err)}; check DATABASE_URL\n`);
    exit(1);
    return undefined;
  }
  opened = store;

  const readiness = new Readiness({
    store,
    logger,
    checkIntervalMs: config.readyCheckIntervalMs,
    checkTimeoutMs: config.databaseTimeoutMs,
  });
  const app = await buildApp({ config, store, logger, readiness });
  if (config.agent.kind === "model") app.metrics.add(modelMetrics.metrics());
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    stderr.write(`agent: cannot listen on ${config.host}:${config.port}: ${listenProblem(err)}\n`);
    await app.close();
    await store.close();
    exit(1);
    return undefined;
  }

  const runner =
    agent && new Runner({ ...config.runner, store, agent, logger, metrics: app.taskMetrics });
  runner?.start();

  let stopping: Promise<void> | undefined;

  const stop = async (reason: string): Promise<void> => {
    readiness.startDraining();
    logger.info(
      { reason, drainMs: config.shutdownDrainMs, timeoutMs: config.shutdownTimeoutMs },
      "shutting down: /ready answers 503, still serving while traffic drains",
    );
    const deadline = setTimeout(() => {
      logger.error(
        { timeoutMs: config.shutdownTimeoutMs },
        "shutdown did not finish within SHUTDOWN_TIMEOUT_MS; exiting with in-flight work abandoned",
      );
      exit(1);
    }, config.shutdownTimeoutMs);
    try {
      await Promise.all([
        // Nothing routes traffic to a worker: it waits only for its tasks.
        config.role === "worker" ? undefined : sleep(config.shutdownDrainMs),
        runner?.stop(config.shutdownDrainMs),
      ]);
      logger.info("drain over: no longer accepting connections, finishing in-flight requests");
      // Connections that finish their last request after close() began would otherwise stay
      // open until the client drops them: close each as soon as it falls idle.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      // Requests still in flight get SHUTDOWN_REQUEST_GRACE_MS; a client that trickles its
      // body in (or never finishes it) must not hold the shutdown until the hard deadline.
      const grace = setTimeout(() => {
        logger.warn(
          { graceMs: config.shutdownRequestGraceMs },
          "requests still in flight after SHUTDOWN_REQUEST_GRACE_MS; closing their connections",
        );
        app.server.closeAllConnections();
      }, config.shutdownRequestGraceMs);
      await app.close().finally(() => {
        clearInterval(sweep);
        clearTimeout(grace);
      });
      await store.close();
      clearTimeout(deadline);
      logger.info("shutdown complete");
      for (const signal of SIGNALS) signals.off(signal, onSignal);
      exit(0);
    } catch (err) {
      clearTimeout(deadline);
      logger.error({ err }, "shutdown failed");
      exit(1);
    }
  };

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= stop(reason);
    return stopping;
  };

  let firstSignalAt = 0;
  function onSignal(signal: Signal): void {
    // One Ctrl-C reaches the whole process group, and process managers such as
    // `tsx watch` relay it too: copies arriving right after the first are the same request.
    if (stopping && performance.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    if (stopping) {
      logger.error({ signal }, "second signal during shutdown; exiting now");
      exit(1);
      return;
    }
    firstSignalAt = performance.now();
    void shutdown(signal);
  }
  for (const signal of SIGNALS) signals.on(signal, onSignal);

  return { app, config, store, readiness, runner, shutdown };
}

/**
 * Anything that escapes the request lifecycle is a bug: record it as one JSON line and
 * stop, so the orchestrator restarts a clean process.
 */
export function exitOnCrash(
  proc: Pick<NodeJS.EventEmitter, "on"> = process,
  stderr: Pick<NodeJS.WritableStream, "write"> = process.stderr,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const event of ["uncaughtException", "unhandledRejection"] as const) {
    proc.on(event, (err: unknown) => {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      stderr.write(
        `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), service: "agent", msg: event, err: detail })}\n`,
      );
      exit(1);
    });
  }
}

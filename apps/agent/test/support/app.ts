import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterEach } from "vitest";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/platform/logger.ts";
import { Readiness } from "../../src/platform/readiness.ts";
import type { SerializerOptions } from "../../src/platform/serialization.ts";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import type { TaskStore } from "../../src/tasks/store.ts";

export interface TestApp {
  app: FastifyInstance;
  store: TaskStore;
  readiness: Readiness;
  /** Every log line written so far, parsed. */
  logs: Array<Record<string, unknown>>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  store?: TaskStore;
  started?: boolean;
  checkIntervalMs?: number;
  checkTimeoutMs?: number;
  eventsKeepAliveMs?: number;
  serializers?: SerializerOptions;
}

/** The real app over an in-memory store (or the one given), with logs captured. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: "info", ...options.env });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger(config, sink);
  const store = options.store ?? new MemoryTaskStore();
  const readiness = new Readiness({
    store,
    logger,
    checkIntervalMs: options.checkIntervalMs ?? 0,
    checkTimeoutMs: options.checkTimeoutMs ?? 1000,
    started: options.started ?? true,
  });
  const app = await buildApp({
    config,
    store,
    logger,
    readiness,
    eventsKeepAliveMs: options.eventsKeepAliveMs,
    serializers: options.serializers,
  });
  return { app, store, readiness, logs };
}

export const json = { "content-type": "application/json" };

/**
 * For a test file whose tests each build an app: returns the builder, and closes the app a
 * test built once it is over.
 */
export function appPerTest(): (options?: TestAppOptions) => Promise<TestApp> {
  let current: TestApp | undefined;
  afterEach(async () => {
    await current?.app.close();
    current = undefined;
  });
  return async (options) => {
    current = await createTestApp(options);
    return current;
  };
}

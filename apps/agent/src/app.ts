import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import { AllowedMethods } from "./platform/allowed-methods.ts";
import { type Capacity, connectionCapacity, openFileLimit } from "./platform/capacity.ts";
import { clientErrorHandler } from "./platform/client-errors.ts";
import { ErrorResponse, registerErrorHandling, sendFrameworkError } from "./platform/errors.ts";
import { registerFaultInjection } from "./platform/fault.ts";
import { registerJsonBody } from "./platform/json-body.ts";
import { createLogger } from "./platform/logger.ts";
import { createMetrics, type Metrics } from "./platform/metrics.ts";
import { registerOpenApi } from "./platform/openapi.ts";
import { Readiness } from "./platform/readiness.ts";
import { requestIds, requestLifecycle } from "./platform/request-lifecycle.ts";
import { LazyRequestLogger } from "./platform/request-logger.ts";
import { registerRateLimit } from "./platform/security.ts";
import { createSerializerCompiler, type SerializerOptions } from "./platform/serialization.ts";
import { createValidatorCompiler } from "./platform/validation.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { DEFAULT_KEEP_ALIVE_MS, taskEventRoutes } from "./routes/task-events.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { TaskMetrics } from "./runner/task-metrics.ts";
import { answerStoreError } from "./tasks/errors.ts";
import type { TaskStore } from "./tasks/store.ts";

export interface AppDeps {
  config: Config;
  store: TaskStore;
  /** Defaults to a logger built from the config. */
  logger?: Logger;
  /** Defaults to one that turns ready once the server listens. */
  readiness?: Readiness;
  /** Keep-alive interval of GET /tasks/:id/events streams. */
  eventsKeepAliveMs?: number;
  /** Defaults to what the process's file limit holds. */
  capacity?: Capacity;
  /** Defaults to the build's precompiled serializers, where there are any. */
  serializers?: SerializerOptions;
}

declare module "fastify" {
  interface FastifyInstance {
    /** What GET /ready reports; the server turns it to draining on shutdown. */
    readiness: Readiness;
    metrics: Metrics;
    /** What this process did to tasks; the runner counts into it too. */
    taskMetrics: TaskMetrics;
  }
}

// Read from the CommonJS module: an ESM import of node:http builds a facade of all its exports,
// whose lazy WebSocket getters load undici: 20 to 30 ms of the start-up on the bench.
const { maxHeaderSize } = process.getBuiltinModule("node:http");

/** Longest path parameter the router matches (a task id is 36 characters). */
const MAX_PARAM_LENGTH = 100;

/** What the OpenAPI document says about the service as a whole. */
const API_DOCUMENT = {
  title: "Agent service",
  description:
    "Tasks API with health, readiness and metrics. A created task is run in the background by the agent runner (unless RUNNER=off): read it with GET /tasks/{id}, or follow it with GET /tasks/{id}/events. Every error has the body `{ error, message, details? }`; `details` names each field and the rule it broke.",
  tags: [
    { name: "tasks", description: "Create, read, follow, list, move and delete tasks." },
    { name: "operations", description: "Probes and metrics for the platform." },
  ],
};

/** Builds the service without listening: server.ts listens, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store } = deps;
  const logger = deps.logger ?? createLogger(config);
  const readiness =
    deps.readiness ??
    new Readiness({
      store,
      logger,
      checkIntervalMs: config.readyCheckIntervalMs,
      checkTimeoutMs: config.databaseTimeoutMs,
    });

  // Fastify's typings describe Ajv-specific factories; ours take the same arguments.
  const compilersFactory = {
    buildValidator: () => createValidatorCompiler(),
    buildSerializer: (externalSchemas: Record<string, unknown>) =>
      createSerializerCompiler(externalSchemas, deps.serializers),
  } as unknown;
  const metrics = createMetrics({ version: config.appVersion });
  const taskMetrics = new TaskMetrics();
  metrics.add(taskMetrics.metrics());
  const routes = new AllowedMethods(MAX_PARAM_LENGTH);
  const capacity = deps.capacity ?? connectionCapacity(config, openFileLimit());
  const app = Fastify({
    // Typed as Fastify's own logger, so that the app keeps Fastify's logger type.
    loggerInstance: LazyRequestLogger.over(logger) as FastifyBaseLogger,
    logController: requestLifecycle({ readiness, metrics }),
    // Given from the start, Fastify does not load its default compilers: ours load Ajv on
    // first use, and take the build's precompiled serializers (see serialization.ts).
    schemaController: { compilersFactory } as FastifyServerOptions["schemaController"],
    bodyLimit: config.bodyLimit,
    // Slow or stalled clients are cut off (408) instead of holding a connection for ever.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // how often Node looks for requests past their timeouts (its default is 30 s)
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1000, Math.floor(config.headersTimeoutMs / 4)),
      ),
    },
    clientErrorHandler: clientErrorHandler({
      requestTimeoutMs: config.requestTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      maxHeaderSize,
    }),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: requestIds(),
    // A malformed URL or an over-long parameter gets the same error body as every other
    // client mistake.
    frameworkErrors: (err, request, reply) => {
      sendFrameworkError(err, request, reply as FastifyReply, routes);
    },
  });

  // Connections past what the file limit holds are refused at once, rather than every
  // accept (and every database connection) failing with EMFILE.
  if (capacity.maxConnections !== undefined) app.server.maxConnections = capacity.maxConnections;
  if (capacity.lowered) {
    logger.warn(
      { ...capacity.lowered, maxStreams: capacity.maxStreams },
      `EVENTS_MAX_STREAMS lowered to ${capacity.maxStreams} to fit the limit of ${capacity.lowered.fileLimit} open files; raise the limit (ulimit -n) for more`,
    );
  }

  // JSON only: any other body is answered 415 instead of reaching validation as a string.
  app.removeContentTypeParser("text/plain");
  registerJsonBody(app);

  app.addHook("onListen", (done) => {
    readiness.markStarted();
    done();
  });

  routes.watch(app);
  metrics.watchRoutes(app);
  registerErrorHandling(app, { bodyLimit: config.bodyLimit, routes, answers: [answerStoreError] });
  registerFaultInjection(app, config.fault);
  if (config.rateLimit) await registerRateLimit(app, config.rateLimit);

  /** The documented API; the OpenAPI generator registers exactly the same routes. */
  const describe = async (instance: FastifyInstance): Promise<void> => {
    instance.addSchema(ErrorResponse);
    await instance.register(healthRoutes, { version: config.appVersion, readiness });
    await instance.register(metricsRoutes, { metrics });
    // A worker serves the platform's endpoints only: probes and metrics.
    if (config.role === "worker") return;
    await instance.register(taskRoutes, {
      store,
      onTaskCreated: () => taskMetrics.created(),
      onTaskMoved: (status) => taskMetrics.statusChanged(status),
    });
    await instance.register(taskEventRoutes, {
      store,
      keepAliveMs: deps.eventsKeepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
      maxStreams: capacity.maxStreams,
    });
  };
  await describe(app);
  if (config.role !== "worker")
    registerOpenApi(app, { ...API_DOCUMENT, version: config.appVersion, describe });

  app.decorate("readiness", readiness);
  app.decorate("metrics", metrics);
  app.decorate("taskMetrics", taskMetrics);
  return app;
}

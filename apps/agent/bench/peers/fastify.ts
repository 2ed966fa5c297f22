/**
 * The framework's ceiling on the service's contract: plain Fastify 5 with the service's own
 * route plugins (same routes, schemas, validation rules, store and response bodies) and
 * nothing else: no logger, no metrics, no request ids, no access log, no error handler,
 * no OpenAPI. What the service costs beyond this is the price of those features.
 *
 * With PEER_FEATURES=on it adds the service's per-request features, from the service's own
 * modules: the JSON logger at LOG_LEVEL (default info) with a lazy logger per request,
 * request ids, security headers, the access log and the request and task metrics. Set
 * against the plain peer, that is what those features cost; set against the agent, what
 * the rest of the service costs. PEER_FEATURES=no-headers and no-metrics leave out the
 * security headers or the request metrics, to tell their share.
 */
import Fastify, { type FastifyBaseLogger } from "fastify";
import { loadConfig } from "../../src/config.ts";
import { ErrorResponse } from "../../src/platform/errors.ts";
import { createLogger } from "../../src/platform/logger.ts";
import { createMetrics } from "../../src/platform/metrics.ts";
import { Readiness } from "../../src/platform/readiness.ts";
import { requestIds, requestLifecycle } from "../../src/platform/request-lifecycle.ts";
import { LazyRequestLogger } from "../../src/platform/request-logger.ts";
import { createValidatorCompiler } from "../../src/platform/validation.ts";
import { healthRoutes } from "../../src/routes/health.ts";
import { taskRoutes } from "../../src/routes/tasks.ts";
import { TaskMetrics } from "../../src/runner/task-metrics.ts";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";

const FEATURE_SETS = ["off", "on", "no-headers", "no-metrics"];
const featureSet = process.env.PEER_FEATURES ?? "off";
if (!FEATURE_SETS.includes(featureSet)) {
  process.stderr.write(
    `PEER_FEATURES="${featureSet}" is invalid: expected one of ${FEATURE_SETS.join(", ")}\n`,
  );
  process.exit(1);
}
const features = featureSet !== "off";
const version = process.env.APP_VERSION ?? "bench";
const store = new MemoryTaskStore();
// LOG_LEVEL read and checked as the service reads it.
const { logLevel } = loadConfig(process.env);
const logger = createLogger({
  logLevel: features ? logLevel : "silent",
  logPretty: false,
  appVersion: version,
});
const readiness = new Readiness({ store, logger, checkIntervalMs: 2000, checkTimeoutMs: 5000 });
const metrics = createMetrics({ version });
const taskMetrics = new TaskMetrics();
metrics.add(taskMetrics.metrics());
const app = Fastify(
  features
    ? {
        // Typed as Fastify's own logger, so that the app keeps Fastify's logger type.
        loggerInstance: LazyRequestLogger.over(logger) as FastifyBaseLogger,
        logController: requestLifecycle({
          readiness,
          metrics: featureSet === "no-metrics" ? { recordRequest: () => {} } : metrics,
          ...(featureSet === "no-headers" ? { headers: {} } : {}),
        }),
        genReqId: requestIds(),
      }
    : { logger: false },
);
// The request metrics learn each route's template as the service's do.
if (features) metrics.watchRoutes(app);
// The service's body rules (no coercion, unknown fields refused), not Fastify's defaults.
app.setValidatorCompiler(createValidatorCompiler());
// The error bodies the routes refer to (their 4xx/5xx responses), as the service registers them.
app.addSchema(ErrorResponse);
app.addHook("onListen", (done) => {
  readiness.markStarted();
  done();
});
await app.register(healthRoutes, { version, readiness });
await app.register(
  taskRoutes,
  features
    ? {
        store,
        onTaskCreated: () => taskMetrics.created(),
        onTaskMoved: (status) => taskMetrics.statusChanged(status),
      }
    : { store, onTaskCreated: () => {} },
);
await app.listen({ port: Number(process.env.PORT ?? 8002), host: process.env.HOST ?? "127.0.0.1" });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));

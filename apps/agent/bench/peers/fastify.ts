/**
 * The framework's ceiling on the service's contract: plain Fastify 5 with the service's own
 * route plugins (same routes, schemas, validation rules, store and response bodies) and
 * nothing else: no logger, no metrics, no request ids, no access log, no error handler,
 * no OpenAPI. What the service costs beyond this is the price of those features.
 */
import Fastify from "fastify";
import { ErrorResponse } from "../../src/platform/errors.ts";
import { Readiness } from "../../src/platform/readiness.ts";
import { createValidatorCompiler } from "../../src/platform/validation.ts";
import { healthRoutes } from "../../src/routes/health.ts";
import { taskRoutes } from "../../src/routes/tasks.ts";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";

const store = new MemoryTaskStore();
const app = Fastify({ logger: false });
// The service's body rules (no coercion, unknown fields refused), not Fastify's defaults.
app.setValidatorCompiler(createValidatorCompiler());
// The error bodies the routes refer to (their 4xx/5xx responses), as the service registers them.
app.addSchema(ErrorResponse);
const readiness = new Readiness({
  store,
  logger: app.log,
  checkIntervalMs: 2000,
  checkTimeoutMs: 5000,
});
app.addHook("onListen", (done) => {
  readiness.markStarted();
  done();
});
await app.register(healthRoutes, { version: process.env.APP_VERSION ?? "bench", readiness });
await app.register(taskRoutes, { store, onTaskCreated: () => {} });
await app.listen({ port: Number(process.env.PORT ?? 8002), host: process.env.HOST ?? "127.0.0.1" });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));

import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  tasksCreated: Counter;
}

interface RouteSeries {
  requests: Counter.Internal;
  duration: Histogram.Internal<"method" | "route" | "status_code">;
}

/** Routes not matched by any handler share one label so scanners cannot grow the series. */
const UNMATCHED = "unmatched";

/**
 * Prometheus metrics at GET /metrics: request count and duration by method, route template
 * and status, tasks created, and the process defaults (CPU, memory, event loop, GC).
 * Each app gets its own registry, so several apps in one process do not collide.
 */
export function registerMetrics(app: FastifyInstance, options: { version: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ version: options.version });
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route template and status code.",
    labelNames: ["method", "route", "status_code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from receiving a request to sending the response, by method, route template and status code.",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const tasksCreated = new Counter({
    name: "tasks_created_total",
    help: "Tasks created through POST /tasks.",
    registers: [registry],
  });

  // Label lookups hash their values on every call; resolving each series once keeps
  // the per-request cost to one Map lookup and two additions.
  const series = new Map<string, RouteSeries>();

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    const status = reply.statusCode;
    const key = `${request.method} ${status} ${route}`;
    let entry = series.get(key);
    if (!entry) {
      const labels = { method: request.method, route, status_code: String(status) };
      entry = { requests: requests.labels(labels), duration: duration.labels(labels) };
      series.set(key, entry);
    }
    entry.requests.inc();
    entry.duration.observe(reply.elapsedTime / 1000);
    done();
  });

  return { registry, tasksCreated };
}

/** GET /metrics; registered with the other documented routes. */
export const metricsRoutes: FastifyPluginAsync<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  app.get(
    "/metrics",
    {
      logLevel: "warn",
      schema: {
        tags: ["operations"],
        summary: "Prometheus metrics",
        description:
          "Request counts and durations by route and status, tasks created and process metrics, in the Prometheus text format.",
        response: { 200: { type: "string", description: "Prometheus text exposition format." } },
      },
    },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
};

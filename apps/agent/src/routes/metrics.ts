import type { FastifyPluginAsync } from "fastify";
import type { Metrics } from "../platform/metrics.ts";

/** GET /metrics; registered with the other documented routes. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async function metricsRoutes(
  app,
  { metrics },
) {
  app.get(
    "/metrics",
    {
      logLevel: "warn",
      schema: {
        tags: ["operations"],
        summary: "Prometheus metrics",
        description:
          "Request counts and durations by route and status, task status changes, agent runs (by outcome, with durations), retries and process metrics, in the Prometheus text format.",
        operationId: "getMetrics",
        response: {
          200: {
            description: "The Prometheus text exposition format (version 0.0.4).",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    },
    async function getMetrics(_request, reply) {
      const registry = await metrics.registry();
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
};

import type { FastifyPluginAsyncJsonSchemaToTs } from "@fastify/type-provider-json-schema-to-ts";
import type { JSONSchema } from "json-schema-to-ts";
import type { Readiness } from "../platform/readiness.ts";

const HealthResponse = {
  type: "object",
  additionalProperties: false,
  required: ["status", "version", "uptime_s", "timestamp"],
  properties: {
    status: { const: "healthy" },
    version: {
      type: "string",
      description: "APP_VERSION (the image build sets it to the commit) or the package version.",
    },
    uptime_s: { type: "number", description: "Seconds since the process started." },
    timestamp: { type: "string", format: "date-time" },
  },
} as const satisfies JSONSchema;

const CheckResult = {
  type: "object",
  additionalProperties: false,
  required: ["status"],
  properties: {
    status: { type: "string", enum: ["pass", "fail"] },
    message: { type: "string" },
  },
} as const satisfies JSONSchema;

const ReadyResponse = {
  type: "object",
  additionalProperties: false,
  required: ["status", "checks"],
  properties: {
    status: { type: "string", enum: ["ready", "not_ready"] },
    checks: {
      type: "object",
      additionalProperties: false,
      required: ["starting", "draining", "store"],
      properties: { starting: CheckResult, draining: CheckResult, store: CheckResult },
    },
    error: { const: "not_ready" },
    message: { type: "string", description: "The failing checks, when not ready." },
  },
} as const satisfies JSONSchema;

export interface HealthRoutesOptions {
  version: string;
  readiness: Readiness;
}

/** Probes are polled every few seconds, so they log only warnings. */
export const healthRoutes: FastifyPluginAsyncJsonSchemaToTs<{
  Options: HealthRoutesOptions;
}> = async function healthRoutes(app, { version, readiness }) {
  app.get(
    "/health",
    {
      logLevel: "warn",
      schema: {
        tags: ["operations"],
        summary: "Liveness",
        operationId: "getHealth",
        description: "200 while the process can answer at all; never depends on external systems.",
        response: { 200: { ...HealthResponse, description: "The process is alive." } },
      },
    },
    // Not async: the liveness probe is the hottest path and skips the promise round trip.
    function getHealth(_request, reply) {
      reply.send({
        status: "healthy",
        version,
        uptime_s: Math.round(process.uptime() * 1000) / 1000,
        timestamp: new Date().toISOString(),
      });
    },
  );

  app.get(
    "/ready",
    {
      logLevel: "warn",
      schema: {
        tags: ["operations"],
        summary: "Readiness",
        operationId: "getReadiness",
        description:
          "200 when the service can take traffic; 503 naming the failing checks while starting, while draining for shutdown, or while the task store is unreachable.",
        response: {
          200: { ...ReadyResponse, description: "Ready: every check passes." },
          503: { ...ReadyResponse, description: "Not ready: the failing checks say why." },
        },
      },
    },
    async function getReadiness(_request, reply) {
      const { ready, checks } = await readiness.report();
      if (ready) return { status: "ready" as const, checks };
      const failing = Object.entries(checks)
        .filter(([, check]) => check.status === "fail")
        .map(([name, check]) => `${name}: ${check.message}`);
      return reply.code(503).send({
        status: "not_ready",
        checks,
        error: "not_ready",
        message: failing.join("; "),
      });
    },
  );
};

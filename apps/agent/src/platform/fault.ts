import type { FastifyInstance } from "fastify";
import type { FaultConfig } from "../config.ts";
import { sendError } from "./errors.ts";

/**
 * Endpoints the platform calls (probes, Prometheus) keep answering: a faulty version must
 * look healthy to Kubernetes, as a quietly broken release does, so that only its own error
 * metrics can stop it.
 */
const PLATFORM_ROUTES = new Set(["/health", "/ready", "/metrics"]);

/**
 * FAULT_ERROR_RATIO: answers that share of API requests with a 500 before any handler runs.
 * The request metrics count them like any other 500. Nothing is registered when it is 0.
 */
export function registerFaultInjection(
  app: FastifyInstance,
  fault: FaultConfig,
  random: () => number = Math.random,
): void {
  if (fault.errorRatio <= 0) return;
  app.log.warn(
    { errorRatio: fault.errorRatio },
    "fault injection is on (FAULT_ERROR_RATIO): API requests are answered 500 on purpose",
  );
  app.addHook("onRequest", async (request, reply) => {
    if (PLATFORM_ROUTES.has(request.routeOptions.url ?? "")) return;
    if (random() >= fault.errorRatio) return;
    return sendError(
      reply,
      500,
      "fault_injected",
      "This error was injected on purpose (FAULT_ERROR_RATIO is set on this server).",
    );
  });
}

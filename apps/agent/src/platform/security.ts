import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";
import { ApiError } from "./errors.ts";

/**
 * The content security policy of every API answer: JSON is never a page, so it may load
 * nothing and be framed nowhere. The Swagger UI pages send their own (see openapi.ts).
 * No upgrade-insecure-requests: the service is reached over plain HTTP too (a port-forward,
 * a pod IP, an HTTP ingress), where upgraded requests would fail.
 */
export const API_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * Strict-Transport-Security is left to whatever terminates TLS in front of the service: sent
 * from here it would also bind every subdomain of the name the service is reached under.
 * Off too are the headers only old browsers or plugins read (X-DNS-Prefetch-Control,
 * X-Download-Options for IE 8, X-Permitted-Cross-Domain-Policies for Flash and Acrobat, and
 * X-XSS-Protection, whose only sane value turns off an auditor no current browser has): every
 * header is written on every answer, and these protect nothing an API or its docs page serves.
 */
const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * The headers helmet's middleware sets with these options. They do not depend on the request
 * (no nonces), so they are worked out once: helmet's middleware, and @fastify/helmet, which
 * builds a new one for every request, cost /health most of its throughput on the bench.
 */
export function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  return headers;
}

/**
 * Security headers for every answer, as helmet sets them: nosniff, no referrer, same-origin
 * opener and resource policies, frame protection, and the CSP above (Swagger UI's pages
 * replace it with their own). The app puts them on each reply as the request arrives (see
 * app.ts): set on the reply, not the raw response, they join the headers Fastify writes in
 * one go, where raw headers send Node's writeHead down its slow path (every header set
 * twice).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(helmetHeaders());

/** Probes and scrapes come every few seconds from the same addresses: never limited. */
const NOT_LIMITED = new Set(["/health", "/ready", "/metrics"]);

export interface RateLimitOptions {
  /** Requests one client address may make per window. */
  max: number;
  windowMs: number;
}

/**
 * An optional limit of requests per client address (@fastify/rate-limit, counted in this
 * process): past it, 429 in the API's error body with Retry-After. Off unless RATE_LIMIT_MAX
 * is set. Behind a proxy every client has the proxy's address: limit at the ingress there.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  const { default: rateLimit } = await import("@fastify/rate-limit");
  await app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    allowList: (request) => NOT_LIMITED.has(request.routeOptions.url ?? ""),
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        "too_many_requests",
        `More than ${context.max} requests from this address within ${options.windowMs} ms (RATE_LIMIT_MAX); retry after ${Math.ceil(context.ttl / 1000)} s.`,
      ),
  });
}

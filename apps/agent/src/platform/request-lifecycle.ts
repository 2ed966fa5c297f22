import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AccessLog } from "./access-log.ts";
import type { Metrics } from "./metrics.ts";
import { SECURITY_HEADERS } from "./security.ts";

/** An incoming x-request-id is kept when it looks like an id, so traces join up across services. */
const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/**
 * Fastify's `genReqId`: the caller's x-request-id when it looks like one, else a per-process
 * random prefix and a counter, unique across replicas and far cheaper per request than a
 * random UUID.
 */
export function requestIds(): (req: IncomingMessage) => string {
  const prefix = randomBytes(6).toString("base64url");
  let count = 0;
  return (req) => {
    const incoming = req.headers["x-request-id"];
    if (typeof incoming === "string" && REQUEST_ID.test(incoming)) return incoming;
    count += 1;
    return `${prefix}-${count.toString(36)}`;
  };
}

export interface RequestLifecycleOptions {
  readiness: { readonly draining: boolean };
  metrics: Pick<Metrics, "recordRequest">;
  /** Headers every answer carries: the security headers unless told otherwise. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * What every request gets besides its route, as Fastify's `logController`: the security
 * headers and its id on the answer, `connection: close` while draining, its line in the
 * access log and its count and duration in the metrics.
 */
export function requestLifecycle({
  readiness,
  metrics,
  headers = SECURITY_HEADERS,
}: RequestLifecycleOptions): AccessLog {
  return new AccessLog({
    started: (request, reply) => {
      reply.headers(headers);
      reply.header("x-request-id", request.id);
      // While draining, every answer ends its connection: clients reconnect to other
      // replicas, and the server is not left waiting for idle keep-alive sockets when it closes.
      if (readiness.draining) reply.header("connection", "close");
    },
    completed: metrics.recordRequest,
  });
}

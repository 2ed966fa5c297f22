import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";

/** What the service does at the start and end of every request besides logging. */
export interface RequestObserver {
  /** As the request arrives, before routing hooks: headers every answer carries. */
  started?(request: FastifyRequest, reply: FastifyReply): void;
  /** Once the response has finished or failed: metrics. */
  completed?(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * One log line per request, written when it completes and carrying everything needed to
 * read it alone (method, url, status, time, request id). Fastify's default writes two.
 * Answers below 400 are logged at debug, client and server errors at info, a failed
 * response at error: the metrics count every request, and at the default level the log
 * keeps what needs a look (the line cost about a tenth of the throughput of POST /tasks).
 * Routes with `logLevel: "warn"` (the probes) write none unless something goes wrong.
 *
 * Fastify calls this for every request anyway, so the per-request headers and metrics
 * ride along here: as onRequest/onResponse hooks they would make Fastify run its hook
 * machinery twice more per request.
 */
export class AccessLog extends LogController {
  readonly #observer: RequestObserver;

  constructor(observer: RequestObserver = {}) {
    super();
    this.#observer = observer;
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    this.#observer.started?.(request, reply);
    if (enabled(request.log, "trace")) {
      request.log.trace({ method: request.method, url: request.url }, "request received");
    }
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    this.#observer.completed?.(request, reply);
    const level = error ? "error" : reply.statusCode >= 400 ? "info" : "debug";
    // Most requests write nothing at the default level: build no line for them.
    if (!enabled(reply.log, level)) return;
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log[level](line, "request completed");
  }
}

/** Loggers without pino's `isLevelEnabled` are asked to write and decide themselves. */
function enabled(log: FastifyBaseLogger, level: string): boolean {
  const withCheck = log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };
  return withCheck.isLevelEnabled?.(level) ?? true;
}

import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/**
 * One log line per request, written when it completes and carrying everything needed to
 * read it alone (method, url, status, time, request id). Fastify's default writes two.
 * Routes with `logLevel: "warn"` (the probes) write none unless something goes wrong.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, "request received");
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}

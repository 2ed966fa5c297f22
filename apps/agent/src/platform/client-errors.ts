import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import type { ErrorBody } from "./errors.ts";

export interface ClientErrorOptions {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxHeaderSize: number;
}

interface Answer {
  status: number;
  reason: string;
  body: ErrorBody;
}

function answerFor(code: string | undefined, options: ClientErrorOptions): Answer {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      reason: "Request Timeout",
      body: {
        error: "request_timeout",
        message: `The request did not arrive in time: headers must arrive within ${options.headersTimeoutMs} ms and the whole request within ${options.requestTimeoutMs} ms; send it again.`,
      },
    };
  }
  if (code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      reason: "Request Header Fields Too Large",
      body: {
        error: "headers_too_large",
        message: `The request line and headers are larger than ${options.maxHeaderSize} bytes; send fewer or shorter headers, or a shorter URL.`,
      },
    };
  }
  return {
    status: 400,
    reason: "Bad Request",
    body: {
      error: "bad_request",
      message: `The request is not valid HTTP/1.1${code ? ` (${code})` : ""}; check the client or proxy that sent it.`,
    },
  };
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (malformed framing,
 * headers over the size limit, a request that did not arrive within its timeouts) in the
 * API's own error body, then closes the connection, as Node itself would.
 */
export function clientErrorHandler(options: ClientErrorOptions) {
  return function handle(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const { status, reason, body } = answerFor(err.code, options);
    this.log.debug({ err: err.message, code: err.code, status }, "client error");
    // Node's own rule: write nothing into a response that has already started.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const text = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroy(err);
  };
}

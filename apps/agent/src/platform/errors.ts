import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import type { AllowedMethods } from "./allowed-methods.ts";
import { truncate } from "./text.ts";

/** The one error body every endpoint returns. */
export const ErrorResponse = {
  $id: "ErrorResponse",
  title: "Error",
  type: "object",
  required: ["error", "message"],
  additionalProperties: false,
  properties: {
    error: {
      type: "string",
      description: "Short machine-readable code, such as validation_failed.",
    },
    message: { type: "string", description: "What was wrong and what to do about it." },
    details: {
      type: "array",
      items: {
        type: "object",
        required: ["field", "rule", "message"],
        additionalProperties: false,
        properties: {
          field: {
            type: "string",
            description: "Where the problem is: a body field, query parameter or path parameter.",
          },
          rule: {
            type: "string",
            description:
              "The rule that failed: required, unknown_field, type, maxLength, enum, ...",
          },
          message: { type: "string" },
        },
      },
    },
  },
} as const satisfies JSONSchema;

export type ErrorBody = FromSchema<typeof ErrorResponse>;

/** For text that must not contain U+0000 (the detail says so in words: rule no_nul). */
export const NO_NUL_PATTERN = "^[^\\u0000]*$";
/** For required text: at least one character that is not white space. */
export const NOT_BLANK_PATTERN = "\\S";
export type ErrorDetail = NonNullable<ErrorBody["details"]>[number];

/**
 * An error response for a route schema: the body is described once (components), each
 * status with what it means on that route.
 */
export function errorResponse<const Description extends string>(description: Description) {
  return { $ref: "ErrorResponse", description } as const;
}

/** What the statuses every route may answer mean, for errorResponse(). */
export const ERROR_STATUSES = {
  400: errorResponse(
    "A field or parameter is invalid: details names each one and the rule it broke.",
  ),
  413: errorResponse("The body is larger than BODY_LIMIT."),
  415: errorResponse("The body is not sent as application/json."),
} as const;

/** A client mistake found outside schema validation, answered as it says. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly statusCode: number;
  readonly error: string;
  readonly details: ErrorDetail[] | undefined;

  constructor(statusCode: number, error: string, message: string, details?: ErrorDetail[]) {
    super(message);
    this.statusCode = statusCode;
    this.error = error;
    this.details = details;
  }
}

export function sendError(
  reply: FastifyReply,
  statusCode: number,
  error: string,
  message: string,
  details?: ErrorDetail[],
): FastifyReply {
  const body: ErrorBody = details ? { error, message, details } : { error, message };
  return reply.code(statusCode).type("application/json; charset=utf-8").send(body);
}

/** One Ajv error, as Fastify hands it over in `error.validation`. */
interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const PART_NAMES: Record<string, string> = {
  body: "field",
  querystring: "query parameter",
  params: "path parameter",
  headers: "header",
};

function fieldName(context: string, instancePath: string, property?: unknown): string {
  const path = instancePath
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (typeof property === "string") path.push(property);
  return path.length > 0 ? path.join(".") : context;
}

const characters = (count: unknown) => `${count} character${count === 1 ? "" : "s"}`;
const article = (type: string) => (/^[aeiou]/.test(type) ? "an" : "a");

/** Ajv's message for a rule, in the words a person would use ("must not be empty"). */
function plainMessage(issue: ValidationIssue): string {
  const { limit, type, format } = issue.params;
  switch (issue.keyword) {
    case "minLength":
      return limit === 1 ? "must not be empty" : `must be at least ${characters(limit)} long`;
    case "maxLength":
      return `must be at most ${characters(limit)} long`;
    case "minimum":
      return `must be ${limit} or more`;
    case "maximum":
      return `must be ${limit} or less`;
    case "type": {
      // the query's own number check already says it plainly
      if (issue.params.digits === true && issue.message) return issue.message;
      const types = (Array.isArray(type) ? type : String(type).split(",")).map(String);
      return `must be ${types.map((each) => `${article(each)} ${each}`).join(" or ")}`;
    }
    case "format":
      return format === "uuid"
        ? "must be a UUID such as 0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70"
        : `must be a valid ${String(format)}`;
    default:
      return issue.message ?? "is invalid";
  }
}

function detailFor(context: string, issue: ValidationIssue): ErrorDetail {
  if (issue.keyword === "pattern" && issue.params.pattern === NO_NUL_PATTERN) {
    return {
      field: fieldName(context, issue.instancePath),
      rule: "no_nul",
      message: "must not contain the character U+0000 (NUL)",
    };
  }
  if (issue.keyword === "pattern" && issue.params.pattern === NOT_BLANK_PATTERN) {
    return {
      field: fieldName(context, issue.instancePath),
      rule: "blank",
      message: "must contain a character other than spaces",
    };
  }
  switch (issue.keyword) {
    case "required":
      return {
        field: fieldName(context, issue.instancePath, issue.params.missingProperty),
        rule: "required",
        message: "is required",
      };
    case "additionalProperties":
      return {
        field: fieldName(context, issue.instancePath, issue.params.additionalProperty),
        rule: "unknown_field",
        message: `is not a known ${PART_NAMES[context] ?? "field"}`,
      };
    case "enum":
      return {
        field: fieldName(context, issue.instancePath),
        rule: "enum",
        message: `must be one of ${(issue.params.allowedValues as unknown[]).join(", ")}`,
      };
    default:
      return {
        field: fieldName(context, issue.instancePath),
        rule: issue.keyword,
        message: plainMessage(issue),
      };
  }
}

/** Turns validator output into details naming each field and the rule it broke. */
export function validationDetails(
  context: string,
  issues: readonly ValidationIssue[],
): ErrorDetail[] {
  const details = new Map<string, ErrorDetail>();
  for (const issue of issues) {
    const detail = detailFor(context, issue);
    details.set(`${detail.field}\u0000${detail.rule}`, detail);
  }
  return [...details.values()];
}

/** Problems listed in `details` at most; the message still counts them all. */
export const MAX_DETAILS = 20;

function describe(details: readonly ErrorDetail[]): string {
  const first = details[0];
  if (!first) return "The request is invalid.";
  const more =
    details.length > 1
      ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})`
      : "";
  return `${first.field} ${first.message}${more}.`;
}

/** Fastify's own client-error codes and the short code plus advice we answer with. */
const FRAMEWORK_ERRORS: Record<
  string,
  { error: string; message: (err: FastifyError, limit: number) => string }
> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    error: "unsupported_media_type",
    message: () => "Send the body as JSON with the header Content-Type: application/json.",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    error: "payload_too_large",
    message: (_err, limit) => `The request body is larger than the limit of ${limit} bytes.`,
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    error: "bad_request",
    message: () => "The Content-Length header does not match the body that was sent.",
  },
};

const STATUS_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "request_timeout",
  409: "conflict",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  429: "too_many_requests",
};

function paramTooLong(reply: FastifyReply, param: string, length: number): FastifyReply {
  const detail = {
    field: param,
    rule: "maxLength",
    message: `is ${length} characters long, longer than any valid value`,
  };
  return sendError(reply, 400, "validation_failed", `${detail.field} ${detail.message}.`, [detail]);
}

/**
 * For Fastify's `frameworkErrors`: what its router refuses before any route runs, in the one
 * error format. Neither answer echoes the URL (it may be long, and the client has it).
 */
export function sendFrameworkError(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  routes: AllowedMethods,
): FastifyReply {
  if (err.code === "FST_ERR_MAX_PARAM_LENGTH") {
    const found = routes.match(request.method, request.url.split("?")[0] ?? "/");
    if (found.kind === "param_too_long") return paramTooLong(reply, found.param, found.length);
    return sendError(
      reply,
      400,
      "bad_request",
      "A part of the request path is longer than any route takes; check the URL.",
    );
  }
  return sendError(
    reply,
    400,
    "bad_request",
    "The request URL is malformed: a % is not followed by two hexadecimal digits, or they encode no valid UTF-8; percent-encode the URL correctly.",
  );
}

/**
 * Answers an error the service's own parts know (a store that is away, say), or returns
 * undefined to leave it to the next one.
 */
export type ErrorAnswer = (
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply | undefined;

/**
 * Installs the error handler, the 404 handler and the shared error schema: client
 * mistakes become 4xx bodies in the one error format, errors `answers` know get theirs,
 * anything else a 500 without internals (the log has them, under the request id).
 */
export function registerErrorHandling(
  app: FastifyInstance,
  options: { bodyLimit: number; routes: AllowedMethods; answers?: readonly ErrorAnswer[] },
): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err.validation) {
      const details = validationDetails(
        err.validationContext ?? "body",
        err.validation as ValidationIssue[],
      );
      // a body of thousands of unknown fields must not get an answer many times its size
      return sendError(
        reply,
        400,
        "validation_failed",
        describe(details),
        details.slice(0, MAX_DETAILS),
      );
    }
    if (err instanceof ApiError) {
      return sendError(reply, err.statusCode, err.error, err.message, err.details);
    }
    for (const answer of options.answers ?? []) {
      const answered = answer(err, request, reply);
      if (answered) return answered;
    }
    const known = err.code ? FRAMEWORK_ERRORS[err.code] : undefined;
    if (known) {
      return sendError(
        reply,
        err.statusCode ?? 400,
        known.error,
        known.message(err, options.bodyLimit),
      );
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, STATUS_CODES[status] ?? "bad_request", err.message);
    }
    request.log.error({ err }, "request failed");
    return sendError(
      reply,
      500,
      "internal_error",
      `Something went wrong on our side; report request id ${request.id} to the operators.`,
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    // a path is echoed only in part: it may be megabytes long
    const shown = truncate(path, 100);
    const found = options.routes.match(request.method, path);
    if (found.kind === "method_not_allowed") {
      reply.header("allow", found.allow);
      if (request.method === "OPTIONS") return reply.code(204).send();
      return sendError(
        reply,
        405,
        "method_not_allowed",
        `${request.method} is not allowed on ${shown}; it takes ${found.allow}.`,
      );
    }
    return sendError(
      reply,
      404,
      "not_found",
      `There is no route ${request.method} ${shown}; see /docs for the API.`,
    );
  });
}

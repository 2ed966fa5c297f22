/**
 * What the API answers about tasks when something is not as asked: a task that does not exist,
 * a move its status does not allow, and the store's own errors (away, a value it cannot keep,
 * a cursor it never gave out), each in the one error format.
 */
import type { FastifyReply } from "fastify";
import { type ErrorAnswer, errorResponse, sendError } from "../platform/errors.ts";
import {
  ALLOWED_TRANSITIONS,
  InvalidCursorError,
  StoreDataError,
  StoreUnavailableError,
  type TaskStatus,
} from "./store.ts";

/** What the task statuses mean on the task routes, for their response schemas. */
export const TASK_ERROR_STATUSES = {
  404: errorResponse("There is no task with this id."),
  409: errorResponse("The move is not allowed from the task's current status."),
  503: errorResponse("The task store is unreachable; retry after Retry-After seconds."),
} as const;

export const notFound = (reply: FastifyReply, id: string) =>
  sendError(reply, 404, "not_found", `There is no task with id ${id}.`);

/** 409 for a move ALLOWED_TRANSITIONS does not allow from the task's current status. */
export function invalidTransition(
  reply: FastifyReply,
  id: string,
  current: TaskStatus,
  to: TaskStatus,
): FastifyReply {
  const allowed = ALLOWED_TRANSITIONS[current];
  const next = allowed.length > 0 ? `it can only move to ${allowed.join(" or ")}` : "it is final";
  return sendError(
    reply,
    409,
    "invalid_transition",
    `Task ${id} is ${current}, so it cannot move to ${to}: ${next}.`,
    [{ field: "status", rule: "transition", message: `cannot move from ${current} to ${to}` }],
  );
}

/** The store's errors as answers: 503 while it is away, 400 for what it refused. */
export const answerStoreError: ErrorAnswer = (err, request, reply) => {
  if (err instanceof StoreUnavailableError) {
    request.log.warn({ err }, "task store unavailable");
    reply.header("retry-after", "5");
    return sendError(
      reply,
      503,
      "store_unavailable",
      "The task store is unreachable right now; retry in a few seconds.",
    );
  }
  if (err instanceof StoreDataError) {
    // the request's values passed validation but not the database: a gap in the schemas
    request.log.warn({ err }, "the task store refused a value");
    return sendError(
      reply,
      400,
      "invalid_value",
      `A value in the request cannot be stored (${err.message}); change it and send the request again.`,
    );
  }
  if (err instanceof InvalidCursorError) {
    return sendError(
      reply,
      400,
      "validation_failed",
      "cursor is not a next_cursor this API returned; start again without a cursor.",
      [{ field: "cursor", rule: "cursor", message: err.message }],
    );
  }
  return undefined;
};

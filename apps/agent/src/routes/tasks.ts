import type { FastifyPluginAsyncJsonSchemaToTs } from "@fastify/type-provider-json-schema-to-ts";
import type { FastifyReply } from "fastify";
import type { JSONSchema } from "json-schema-to-ts";
import {
  ERROR_STATUSES as E,
  NO_NUL_PATTERN,
  NOT_BLANK_PATTERN,
  sendError,
} from "../plugins/errors.ts";
import {
  ALLOWED_TRANSITIONS,
  TASK_STATUSES,
  type TaskStatus,
  type TaskStore,
} from "../tasks/store.ts";

const Status = {
  type: "string",
  enum: TASK_STATUSES,
  description: "created -> running -> completed | failed",
} as const satisfies JSONSchema;

export const Task = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "title",
    "description",
    "status",
    "attempts",
    "result",
    "error",
    "created_at",
    "updated_at",
  ],
  properties: {
    id: { type: "string", format: "uuid" },
    title: { type: "string" },
    description: { type: ["string", "null"] },
    status: Status,
    attempts: { type: "integer", description: "How many times a runner has picked the task up." },
    result: { description: "What the agent returned, once completed (any JSON value)." },
    error: { type: ["string", "null"], description: "Why the task failed." },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
} as const satisfies JSONSchema;

const CreateTaskBody = {
  type: "object",
  required: ["title"],
  additionalProperties: false,
  properties: {
    title: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      pattern: NO_NUL_PATTERN,
      allOf: [{ pattern: NOT_BLANK_PATTERN }],
      description: "1 to 200 characters, not only spaces, without U+0000.",
    },
    description: {
      type: "string",
      maxLength: 2000,
      pattern: NO_NUL_PATTERN,
      description: "Up to 2000 characters, without U+0000.",
    },
  },
  examples: [
    {
      title: "Summarise the incident report",
      description: "Two paragraphs: what failed, and what we changed so it does not happen again.",
    },
  ],
} as const satisfies JSONSchema;

const UpdateTaskBody = {
  type: "object",
  required: ["status"],
  additionalProperties: false,
  properties: { status: Status },
  examples: [{ status: "running" }],
} as const satisfies JSONSchema;

export const TaskParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: {
    id: { type: "string", format: "uuid", description: "The id returned on creation." },
  },
} as const satisfies JSONSchema;

export const DEFAULT_PAGE_SIZE = 20;

const ListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    limit: {
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: DEFAULT_PAGE_SIZE,
      description: "Page size, 1 to 100.",
    },
    cursor: {
      type: "string",
      minLength: 1,
      maxLength: 512,
      description: "next_cursor from the previous page.",
    },
    status: Status,
  },
} as const satisfies JSONSchema;

const TaskPage = {
  type: "object",
  additionalProperties: false,
  required: ["items", "next_cursor"],
  properties: {
    items: { type: "array", items: Task },
    next_cursor: {
      type: ["string", "null"],
      description: "Pass as cursor to get the next page; null on the last page.",
    },
  },
} as const satisfies JSONSchema;

export interface TaskRoutesOptions {
  store: TaskStore;
  onTaskCreated: () => void;
  /** A PATCH moved a task. */
  onTaskMoved?: (status: TaskStatus) => void;
}

export const notFound = (reply: FastifyReply, id: string) =>
  sendError(reply, 404, "not_found", `There is no task with id ${id}.`);

export const taskRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: TaskRoutesOptions }> = async (
  app,
  { store, onTaskCreated, onTaskMoved },
) => {
  app.post(
    "/tasks",
    {
      schema: {
        tags: ["tasks"],
        summary: "Create a task",
        operationId: "createTask",
        description: "201 with the task and a Location header pointing at it.",
        body: CreateTaskBody,
        response: {
          201: {
            ...Task,
            description: "The task, created.",
            headers: { location: { type: "string", description: "The task's URL: /tasks/{id}." } },
          },
          400: E[400],
          413: E[413],
          415: E[415],
          503: E[503],
        },
      },
    },
    async (request, reply) => {
      const task = await store.create(request.body);
      onTaskCreated();
      return reply.code(201).header("location", `/tasks/${task.id}`).send(task);
    },
  );

  app.get(
    "/tasks",
    {
      schema: {
        tags: ["tasks"],
        summary: "List tasks, newest first",
        operationId: "listTasks",
        description:
          "Pages stay consistent while tasks are being added: follow next_cursor until it is null.",
        querystring: ListQuery,
        response: {
          200: { ...TaskPage, description: "One page of tasks." },
          400: E[400],
          503: E[503],
        },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      return store.list({ limit, cursor, status });
    },
  );

  app.get(
    "/tasks/:id",
    {
      schema: {
        tags: ["tasks"],
        summary: "Get a task",
        operationId: "getTask",
        params: TaskParams,
        response: {
          200: { ...Task, description: "The task." },
          400: E[400],
          404: E[404],
          503: E[503],
        },
      },
    },
    async (request, reply) => {
      const task = await store.get(request.params.id);
      return task ?? notFound(reply, request.params.id);
    },
  );

  app.patch(
    "/tasks/:id",
    {
      schema: {
        tags: ["tasks"],
        summary: "Move a task to another status",
        operationId: "moveTask",
        description:
          "Allowed: created -> running, running -> completed or failed. Any other move, or losing a race with another client, is 409.",
        params: TaskParams,
        body: UpdateTaskBody,
        response: {
          200: { ...Task, description: "The task, moved." },
          400: E[400],
          404: E[404],
          409: E[409],
          413: E[413],
          415: E[415],
          503: E[503],
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const to = request.body.status;
      const outcome = await store.transition(id, to);
      if (outcome.ok) {
        onTaskMoved?.(to);
        return outcome.task;
      }
      if (outcome.reason === "not_found") return notFound(reply, id);
      const allowed = ALLOWED_TRANSITIONS[outcome.current];
      const next =
        allowed.length > 0 ? `it can only move to ${allowed.join(" or ")}` : "it is final";
      return sendError(
        reply,
        409,
        "invalid_transition",
        `Task ${id} is ${outcome.current}, so it cannot move to ${to}: ${next}.`,
        [
          {
            field: "status",
            rule: "transition",
            message: `cannot move from ${outcome.current} to ${to}`,
          },
        ],
      );
    },
  );

  app.delete(
    "/tasks/:id",
    {
      schema: {
        tags: ["tasks"],
        summary: "Delete a task",
        operationId: "deleteTask",
        params: TaskParams,
        response: {
          204: { type: "null", description: "Deleted." },
          400: E[400],
          404: E[404],
          503: E[503],
        },
      },
    },
    async (request, reply) => {
      const deleted = await store.delete(request.params.id);
      return deleted ? reply.code(204).send(null) : notFound(reply, request.params.id);
    },
  );
};

/**
 * The task routes: POST /tasks hands the body to store.create, and so on; each handler is a
 * named function doing one store call. Schemas live in ../schemas/task.ts, task error answers
 * in ../tasks/errors.ts.
 */
import type { FastifyPluginAsyncJsonSchemaToTs } from "@fastify/type-provider-json-schema-to-ts";
import { ERROR_STATUSES } from "../platform/errors.ts";
import {
  CreateTaskBody,
  ListQuery,
  Task,
  TaskPage,
  TaskParams,
  UpdateTaskBody,
} from "../schemas/task.ts";
import { invalidTransition, notFound, TASK_ERROR_STATUSES } from "../tasks/errors.ts";
import type { TaskApiStore, TaskStatus } from "../tasks/store.ts";

const E = { ...ERROR_STATUSES, ...TASK_ERROR_STATUSES };

export interface TaskRoutesOptions {
  store: TaskApiStore;
  onTaskCreated: () => void;
  /** A PATCH moved a task. */
  onTaskMoved?: (status: TaskStatus) => void;
}

export const taskRoutes: FastifyPluginAsyncJsonSchemaToTs<{
  Options: TaskRoutesOptions;
}> = async function taskRoutes(app, { store, onTaskCreated, onTaskMoved }) {
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
    async function createTask(request, reply) {
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
    async function listTasks(request) {
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
    async function getTask(request, reply) {
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
    async function moveTask(request, reply) {
      const { id } = request.params;
      const to = request.body.status;
      const outcome = await store.transition(id, to);
      if (outcome.ok) {
        onTaskMoved?.(to);
        return outcome.task;
      }
      if (outcome.reason === "not_found") return notFound(reply, id);
      return invalidTransition(reply, id, outcome.current, to);
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
    async function deleteTask(request, reply) {
      const deleted = await store.delete(request.params.id);
      return deleted ? reply.code(204).send(null) : notFound(reply, request.params.id);
    },
  );
};

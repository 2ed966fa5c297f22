import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncJsonSchemaToTs } from "@fastify/type-provider-json-schema-to-ts";
import { ERROR_STATUSES, errorResponse, sendError } from "../platform/errors.ts";
import { TaskParams } from "../schemas/task.ts";
import { notFound, TASK_ERROR_STATUSES } from "../tasks/errors.ts";
import type { Task, TaskApiStore } from "../tasks/store.ts";
import type { TaskDelta } from "../tasks/task-deltas.ts";

export interface TaskEventRoutesOptions {
  store: TaskApiStore;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  keepAliveMs: number;
  /** Streams served at once; past it, 503 (each holds a connection and a file descriptor). */
  maxStreams: number;
}

export const DEFAULT_KEEP_ALIVE_MS = 15_000;

const TERMINAL = new Set(["completed", "failed"]);

/**
 * Whether `candidate` comes after `last` in the task's history. A notification may arrive
 * after the snapshot that already contains it: those, and repeats, are dropped. Later
 * changes have a later updated_at; within one millisecond a new claim has more attempts.
 */
export function isNewer(candidate: Task, last: Task): boolean {
  if (candidate.status === last.status && candidate.attempts === last.attempts) return false;
  if (candidate.updated_at !== last.updated_at) return candidate.updated_at > last.updated_at;
  return candidate.attempts >= last.attempts;
}

/**
 * GET /tasks/:id/events: server-sent events of the task's status changes. The first event is
 * the task as it is now; the stream ends after a completed or failed event. The keep-alive
 * tick also re-reads the task, so a missed notification costs at most one interval, and a
 * deleted task ends the stream with a `deleted` event.
 */
export const taskEventRoutes: FastifyPluginAsyncJsonSchemaToTs<{
  Options: TaskEventRoutesOptions;
}> = async function taskEventRoutes(app, { store, keepAliveMs, maxStreams }) {
  const open = new Set<() => void>();
  /** Streams past the cap check that are still reading their first snapshot. */
  let starting = 0;
  // Open streams would hold the server's close until clients go away: end them first
  // (EventSource clients reconnect, to another replica).
  app.addHook("preClose", (done) => {
    for (const end of [...open]) end();
    done();
  });

  app.get(
    "/tasks/:id/events",
    {
      schema: {
        tags: ["tasks"],
        summary: "Follow a task's status changes (server-sent events)",
        operationId: "followTask",
        description:
          'A text/event-stream of `status` events whose data is the task as returned by GET /tasks/{id}. The first event is the current state; one follows each status change, in order; the stream ends after a completed or failed event (EventSource clients should then call close(), or they reconnect and get the final state again). While an agent that streams its answer (AGENT=model) runs the task (in this process, or with PostgreSQL in any process sharing the database), `delta` events carry each piece of text as it arrives: data `{"id":"...","attempt":1,"text":"..."}`, in order, between the `running` and the final status event; a retry starts its text again with a higher `attempt`. Deltas are live only: the complete text is in the task\'s result. A comment line keeps quiet streams open. A task deleted meanwhile ends the stream with a `deleted` event.',
        params: TaskParams,
        response: {
          200: {
            description: "The event stream.",
            content: {
              "text/event-stream": {
                schema: {
                  type: "string",
                  description:
                    'Events such as `id: 1\\nevent: status\\ndata: {"id":"...","status":"running",...}` and `id: 2\\nevent: delta\\ndata: {"id":"...","attempt":1,"text":"Hel"}`.',
                },
              },
            },
          },
          400: ERROR_STATUSES[400],
          404: TASK_ERROR_STATUSES[404],
          503: errorResponse(
            "The task store is unreachable, or this replica serves EVENTS_MAX_STREAMS streams already; retry after Retry-After seconds.",
          ),
        },
      },
    },
    async function followTask(request, reply) {
      const { id } = request.params;
      if (open.size + starting >= maxStreams) {
        // the connection goes too: an idle one left open would count against the file limit
        reply.header("retry-after", "5").header("connection", "close");
        return sendError(
          reply,
          503,
          "too_many_streams",
          `This server already serves ${maxStreams} event streams (EVENTS_MAX_STREAMS); retry in a few seconds, or poll GET /tasks/${id} instead.`,
        );
      }
      // Subscribed before reading, so no change falls between the snapshot and the stream.
      const early: Array<Task | TaskDelta> = [];
      let deliver = (task: Task) => {
        early.push(task);
      };
      let deliverDelta = (delta: TaskDelta) => {
        early.push(delta);
      };
      const unsubscribeStatus = store.subscribe((task) => {
        if (task.id === id) deliver(task);
      });
      const unsubscribeDeltas = store.subscribeDeltas(id, (delta) => deliverDelta(delta));
      const unsubscribe = () => {
        unsubscribeStatus();
        unsubscribeDeltas();
      };
      let current: Task | undefined;
      starting += 1;
      try {
        current = await store.get(id);
      } catch (error) {
        unsubscribe();
        throw error;
      } finally {
        // from here on the stream is counted in `open` (nothing awaits in between)
        starting -= 1;
      }
      if (!current) {
        unsubscribe();
        return notFound(reply, id);
      }

      const body = new PassThrough();
      let last: Task | undefined;
      let sequence = 0;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(keepAlive);
        unsubscribe();
        open.delete(end);
        body.end();
      };
      const send = (task: Task) => {
        if (ended || (last && !isNewer(task, last))) return;
        last = task;
        sequence += 1;
        body.write(`id: ${sequence}\nevent: status\ndata: ${JSON.stringify(task)}\n\n`);
        if (TERMINAL.has(task.status)) end();
      };
      const sendDelta = (delta: TaskDelta) => {
        if (ended) return;
        sequence += 1;
        body.write(`id: ${sequence}\nevent: delta\ndata: ${JSON.stringify(delta)}\n\n`);
      };
      const keepAlive = setInterval(async () => {
        if (ended) return;
        body.write(": keep-alive\n\n");
        try {
          const now = await store.get(id);
          if (!now) {
            body.write(`event: deleted\ndata: ${JSON.stringify({ id })}\n\n`);
            end();
          } else send(now);
        } catch {
          // the store is away for now: the stream stays, the next tick looks again
        }
      }, keepAliveMs);
      open.add(end);
      reply.raw.on("close", end);

      send(current);
      for (const item of early) {
        if ("text" in item) sendDelta(item);
        else send(item);
      }
      deliver = send;
      deliverDelta = sendDelta;

      return reply
        .code(200)
        .header("content-type", "text/event-stream; charset=utf-8")
        .header("cache-control", "no-cache, no-transform")
        .header("x-accel-buffering", "no")
        .send(body as never);
    },
  );
};

/**
 * Task deltas between processes sharing one PostgreSQL: the process running a task sends
 * each piece of text with pg_notify, and every process (itself included) LISTENs and hands it
 * to the clients following the task there. Notifications arrive in commit order, and this
 * module sends one at a time, so each task's text arrives in the order it was published.
 */
import type { TaskDelta } from "./task-deltas.ts";

/** The LISTEN/NOTIFY channel that carries deltas (task changes have their own). */
export const DELTAS_CHANNEL = "agent_task_deltas";

/**
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; deltas are packed into payloads
 * of at most this many bytes (UTF-8, as JSON), and a longer text is split across several.
 */
export const MAX_DELTA_PAYLOAD_BYTES = 7_900;

/** Characters of text waiting to be sent at most (a slow database must not grow the queue without end). */
export const MAX_QUEUED_CHARS = 1 << 20;

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * Pieces of `text` whose JSON string encodings take at most `budget` bytes each, cut between
 * code points (never inside a surrogate pair), so every piece is valid text on its own.
 */
export function splitText(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let used = 0;
  for (const point of text) {
    // the character as JSON writes it: escapes for quotes, backslashes and control characters
    const size = bytes(JSON.stringify(point)) - 2;
    if (used + size > budget && piece !== "") {
      pieces.push(piece);
      piece = "";
      used = 0;
    }
    piece += point;
    used += size;
  }
  if (piece !== "" || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/**
 * The notification payloads that carry `deltas`, in order: each a JSON array of deltas of at
 * most `maxBytes` bytes.
 */
export function packDeltas(
  deltas: readonly TaskDelta[],
  maxBytes = MAX_DELTA_PAYLOAD_BYTES,
): string[] {
  const payloads: string[] = [];
  let batch: string[] = [];
  // "[" and "]", and a comma before each delta after the first
  let batchBytes = 2;
  const add = (encoded: string, size: number) => {
    const extra = batch.length === 0 ? size : size + 1;
    if (batch.length > 0 && batchBytes + extra > maxBytes) {
      payloads.push(`[${batch.join(",")}]`);
      batch = [];
      batchBytes = 2;
      return add(encoded, size);
    }
    batch.push(encoded);
    batchBytes += extra;
  };
  for (const delta of deltas) {
    const encoded = JSON.stringify(delta);
    const size = bytes(encoded);
    if (size + 2 <= maxBytes) {
      add(encoded, size);
      continue;
    }
    const envelope = bytes(JSON.stringify({ ...delta, text: "" }));
    for (const text of splitText(delta.text, maxBytes - 2 - envelope)) {
      const piece = JSON.stringify({ ...delta, text });
      add(piece, bytes(piece));
    }
  }
  if (batch.length > 0) payloads.push(`[${batch.join(",")}]`);
  return payloads;
}

const isDelta = (value: unknown): value is TaskDelta => {
  const delta = value as TaskDelta | null;
  return (
    typeof delta === "object" &&
    delta !== null &&
    typeof delta.id === "string" &&
    Number.isInteger(delta.attempt) &&
    typeof delta.text === "string"
  );
};

/** The deltas of one payload; throws on a payload that is not a list of deltas. */
export function unpackDeltas(payload: string): TaskDelta[] {
  const parsed: unknown = JSON.parse(payload);
  if (!Array.isArray(parsed) || !parsed.every(isDelta)) {
    throw new Error("the payload is not a list of task deltas");
  }
  return parsed.map(({ id, attempt, text }) => ({ id, attempt, text }));
}

export interface DeltaSenderOptions {
  /** Sends one payload (pg_notify); rejects when the database did not take it. */
  send(payload: string): Promise<void>;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  maxPayloadBytes?: number;
  maxQueuedChars?: number;
}

/**
 * Sends published deltas one notification at a time, in order; what is published while one
 * is on its way goes together in the next. Deltas are live only: when the database does not
 * take a payload, its text is dropped (the task's result still holds the whole answer).
 */
export class DeltaSender {
  readonly #options: DeltaSenderOptions;
  #queue: TaskDelta[] = [];
  #queuedChars = 0;
  /** The send that will carry what is queued now, once one is scheduled. */
  #next: Promise<void> | undefined;
  /** The send scheduled last (resolved when idle). */
  #tail: Promise<void> = Promise.resolve();
  #failing = false;
  #dropping = false;

  constructor(options: DeltaSenderOptions) {
    this.#options = options;
  }

  publish(delta: TaskDelta): void {
    const size = delta.text.length;
    if (this.#queuedChars + size > (this.#options.maxQueuedChars ?? MAX_QUEUED_CHARS)) {
      if (!this.#dropping) {
        this.#options.logger?.warn(
          { task: delta.id, queuedChars: this.#queuedChars },
          "the database is not keeping up with the agent's streamed text; dropping deltas (the task's result keeps the whole text)",
        );
      }
      this.#dropping = true;
      return;
    }
    this.#queue.push(delta);
    this.#queuedChars += size;
    if (!this.#next) {
      this.#next = this.#tail.then(() => this.#sendQueued());
      this.#tail = this.#next;
    }
  }

  /** Resolves once every delta published so far has been sent (or dropped). */
  sent(): Promise<void> {
    return this.#next ?? this.#tail;
  }

  async #sendQueued(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#queuedChars = 0;
    this.#next = undefined;
    this.#dropping = false;
    for (const payload of packDeltas(batch, this.#options.maxPayloadBytes)) {
      try {
        await this.#options.send(payload);
        if (this.#failing) {
          this.#options.logger?.info({}, "task deltas reach other processes again");
          this.#failing = false;
        }
      } catch (error) {
        if (!this.#failing) {
          this.#options.logger?.warn(
            { err: error instanceof Error ? error.message : String(error) },
            "could not send task deltas through the database; clients following those tasks miss that text (the task's result keeps it)",
          );
        }
        this.#failing = true;
      }
    }
  }
}

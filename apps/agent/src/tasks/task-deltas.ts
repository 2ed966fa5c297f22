/**
 * Text an agent streams while it works on a task, handed to the clients following the task
 * (GET /tasks/:id/events). Deltas are live only: they are not stored (the final text is the
 * task's result), and a client connecting later sees only what follows.
 */
export interface TaskDelta {
  /** The task's id. */
  id: string;
  /** The run the text belongs to: a retry starts its text again with a higher attempt. */
  attempt: number;
  text: string;
}

/** Where an agent hands each piece of text it streams. */
export interface DeltaSink {
  publish(delta: TaskDelta): void;
}

type Listener = (delta: TaskDelta) => void;

/** Deltas handed from publisher to listeners within this process. */
export class TaskDeltas implements DeltaSink {
  readonly #listeners = new Map<string, Set<Listener>>();

  publish(delta: TaskDelta): void {
    const listeners = this.#listeners.get(delta.id);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(delta);
      } catch {
        // one faulty listener must not keep the text from the others
      }
    }
  }

  /** Listens to one task's deltas; returns the function that stops listening. */
  subscribe(id: string, listener: Listener): () => void {
    let listeners = this.#listeners.get(id);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(id, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(id);
    };
  }
}

/** Reads a server-sent events stream the way a client would, for the tests. */

export interface ServerEvent {
  id?: string;
  event: string;
  data: string;
}

export interface EventStream {
  status: number;
  headers: Headers;
  events: ServerEvent[];
  /** Comment lines received (keep-alives). */
  comments: number;
  /** Resolves true when the server ended the stream, false when `close()` came first. */
  ended: Promise<boolean>;
  /** Resolves once `count` events have arrived (rejects when the stream ends before). */
  waitFor(count: number, timeoutMs?: number): Promise<ServerEvent[]>;
  /** Drops the connection, as a client going away does. */
  close(): void;
}

export async function openEvents(url: string): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const events: ServerEvent[] = [];
  let comments = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  let finished = false;
  const ended = (async () => {
    if (!response.body) return true;
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let split = buffer.indexOf("\n\n");
        while (split !== -1) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments += 1;
            else {
              const at = line.indexOf(": ");
              fields[line.slice(0, at)] = line.slice(at + 2);
            }
          }
          if (fields.data !== undefined) {
            events.push({ id: fields.id, event: fields.event ?? "message", data: fields.data });
          }
          split = buffer.indexOf("\n\n");
        }
        notify();
      }
      return true;
    } catch {
      return false;
    } finally {
      finished = true;
      notify();
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    get comments() {
      return comments;
    },
    ended,
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${events.length} of ${count} events after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (events.length >= count) resolve(events.slice(0, count));
          else if (finished) reject(new Error(`stream ended after ${events.length} events`));
          else return;
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}

export const statuses = (events: ServerEvent[]) =>
  events.map((event) => (JSON.parse(event.data) as { status: string }).status);

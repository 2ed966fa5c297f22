import pg from "pg";

export interface ListenerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ChangeListenerOptions {
  clientConfig: pg.ClientConfig;
  /** Channels LISTENed on one connection: their notifications arrive in commit order. */
  channels: readonly string[];
  onPayload(channel: string, payload: string): void;
  logger?: ListenerLogger | undefined;
  /** First and longest wait between reconnection attempts. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

export interface ChangeListener {
  /** Resolves once LISTEN is active, or after `timeoutMs` (it keeps trying in the background). */
  waitUntilListening(timeoutMs: number): Promise<boolean>;
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries). When the
 * connection drops it reconnects with backoff until the database is back or close() is called.
 */
export function startChangeListener(options: ChangeListenerOptions): ChangeListener {
  const retryMinMs = options.retryMinMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let lostConnection = false;
  let retryMs = retryMinMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];

  const scheduleReconnect = (): void => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, retryMaxMs);
  };

  const dropped = (dead: pg.Client, error?: Error): void => {
    if (client !== dead) return;
    client = undefined;
    listening = false;
    if (!lostConnection && !closed) {
      options.logger?.warn(
        { err: error?.message ?? "connection ended" },
        "task change listener lost the database; reconnecting",
      );
    }
    lostConnection = true;
    dead.end().catch(() => undefined);
    scheduleReconnect();
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client(options.clientConfig);
    client = next;
    next.on("error", (error) => dropped(next, error));
    next.on("end", () => dropped(next));
    next.on("notification", (message) => {
      if (options.channels.includes(message.channel) && message.payload !== undefined) {
        options.onPayload(message.channel, message.payload);
      }
    });
    try {
      await next.connect();
      for (const channel of options.channels) {
        await next.query(`listen ${next.escapeIdentifier(channel)}`);
      }
    } catch (error) {
      dropped(next, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (closed || client !== next) {
      await next.end().catch(() => undefined);
      return;
    }
    listening = true;
    retryMs = retryMinMs;
    if (lostConnection) {
      options.logger?.info({}, "task change listener reconnected");
      lostConnection = false;
    }
    for (const wake of waiters) wake();
    waiters = [];
  };

  void connect();

  return {
    get listening() {
      return listening;
    },
    waitUntilListening(timeoutMs) {
      if (listening) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      listening = false;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}

import { readFileSync } from "node:fs";

/**
 * File descriptors kept for everything that is not a client connection: stdio, the listening
 * socket, libuv's own, log and static files, and the database pool (plus its LISTEN client).
 */
const RESERVED_FDS = 48;
/** Connections kept free of event streams, so probes and ordinary requests still get in. */
const HEADROOM_CONNECTIONS = 32;

/** The soft limit on open files (Linux), or undefined where it cannot be read. */
export function openFileLimit(limitsFile = "/proc/self/limits"): number | undefined {
  try {
    const line = readFileSync(limitsFile, "utf8")
      .split("\n")
      .find((each) => each.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    const value = Number(soft);
    return soft && Number.isSafeInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface Capacity {
  /** Client connections the server accepts at most (Node's server.maxConnections). */
  maxConnections: number | undefined;
  /** Concurrent event streams served; past it, 503. */
  maxStreams: number;
  /** Set when EVENTS_MAX_STREAMS was lowered to fit the file limit. */
  lowered?: { configured: number; fileLimit: number };
}

/**
 * How many connections and event streams fit in the process's file limit: without a bound,
 * enough open streams make every accept fail with EMFILE, and the liveness probe with it.
 * Streams stay HEADROOM_CONNECTIONS below the connection bound, which stays clear of the
 * descriptors the process needs for itself and the database.
 */
export function connectionCapacity(
  options: { eventsMaxStreams: number; databasePoolMax: number },
  fileLimit: number | undefined,
): Capacity {
  if (fileLimit === undefined) {
    return { maxConnections: undefined, maxStreams: options.eventsMaxStreams };
  }
  const maxConnections = Math.max(
    HEADROOM_CONNECTIONS + 1,
    fileLimit - RESERVED_FDS - options.databasePoolMax,
  );
  const fits = maxConnections - HEADROOM_CONNECTIONS;
  if (options.eventsMaxStreams <= fits) {
    return { maxConnections, maxStreams: options.eventsMaxStreams };
  }
  return {
    maxConnections,
    maxStreams: fits,
    lowered: { configured: options.eventsMaxStreams, fileLimit },
  };
}

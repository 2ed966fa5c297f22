import { StoreDataError, StoreUnavailableError } from "./store.ts";

/**
 * SQLSTATE classes meaning "the database cannot serve right now" rather than "this query is
 * wrong": connection exceptions (08), insufficient resources (53), operator intervention such
 * as shutdown or statement timeout (57), system errors (58), authentication (28) and a
 * database that does not exist (3D).
 */
const UNAVAILABLE_CLASSES = new Set(["08", "53", "57", "58", "28", "3D"]);
/** Data exceptions: the value given is wrong for its column (encoding, range, format). */
const DATA_CLASS = "22";

/** A migration the database refused: a deployment problem to fix, not an outage to wait out. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Errors from the network or the server's availability become StoreUnavailableError (the
 * routes answer 503); values the database refused become StoreDataError (400, or a failed
 * attempt); errors that a query itself caused stay as they are (a bug, a 500).
 */
export function toStoreError(error: unknown): Error {
  if (
    error instanceof StoreUnavailableError ||
    error instanceof StoreDataError ||
    error instanceof MigrationError
  ) {
    return error;
  }
  const state = sqlState(error);
  if (state?.startsWith(DATA_CLASS)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new StoreDataError(`the task database refused a value: ${reason}`, { cause: error });
  }
  if (state === undefined || UNAVAILABLE_CLASSES.has(state.slice(0, 2))) {
    const reason = error instanceof Error ? error.message : String(error);
    // the cause alone: whoever reports it already says the store is unreachable
    return new StoreUnavailableError(reason, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Runs `work` with an overall deadline, so a caller never waits longer than `timeoutMs` even
 * when connecting and querying each take almost their own timeout.
 */
export async function withDeadline<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const pending = work();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // the abandoned work still settles later; keep its rejection from going unhandled
      pending.catch(() => undefined);
      reject(new StoreUnavailableError(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([pending, deadline]);
  } catch (error) {
    throw toStoreError(error);
  } finally {
    clearTimeout(timer);
  }
}

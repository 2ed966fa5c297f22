/**
 * How an agent says whether a failure is worth retrying. Errors of any other kind count as
 * transient: a network blip or a rate limit usually passes, and RUNNER_MAX_ATTEMPTS bounds
 * the retries of one that does not.
 */

/** Worth another attempt later, optionally not before `retryAfterMs` (a rate limit's hint). */
export class TransientError extends Error {
  override readonly name = "TransientError";
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Retrying cannot help (bad input, a refused request): the task fails at once. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  readonly retryable = false;
}

/**
 * Decided by the `retryable` property rather than instanceof, so errors from an agent module
 * that bundles its own copy of these classes are understood too.
 */
export function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

/** The retry delay an error asks for, if it names a sane one. */
export function requestedRetryDelay(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

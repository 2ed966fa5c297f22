/** Retries never wait longer than this, however many attempts came before. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Exponential backoff with jitter: the delay after `attempt` failed runs is `baseMs` doubled
 * for each run after the first, capped, then spread over its upper half so that tasks which
 * failed together (an outage) do not all come back at the same moment.
 */
export function retryDelay(attempt: number, baseMs: number, random: () => number = Math.random) {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

import { APICallError } from "ai";
import { PermanentError, TransientError } from "./errors.ts";
import type { ModelCallOutcome } from "./model-metrics.ts";

/** A Retry-After longer than this is taken as this: a task should not sleep for days. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * The delay a 429 or 503 asks for: `retry-after-ms` (OpenAI's), else `Retry-After` in
 * seconds or as an HTTP date. Undefined when neither header says something sane.
 */
export function retryAfterMs(
  headers: Record<string, string> | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const find = (name: string) =>
    Object.entries(headers)
      .find(([key]) => key.toLowerCase() === name)?.[1]
      ?.trim();
  const ms = find("retry-after-ms");
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) {
    return Math.min(Math.ceil(Number(ms)), MAX_RETRY_AFTER_MS);
  }
  const value = find("retry-after");
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value))
    return Math.min(Math.ceil(Number(value) * 1000), MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** Why a 4xx was refused, in words a reader can act on; the body is never echoed. */
function refusalHint(status: number): string {
  if (status === 401 || status === 403) return "check MODEL_API_KEY and its permissions";
  if (status === 404) return "check MODEL_BASE_URL and MODEL_NAME";
  if (status === 413) return "the prompt is too large for the model";
  return "the endpoint refused the request; retrying cannot help";
}

export interface ClassifiedError {
  error: Error;
  outcome: ModelCallOutcome;
}

/**
 * Turns what the model client threw into the runner's terms: 429 and 503 are transient with
 * the delay the endpoint asked for, other 4xx permanent (naming the status), 5xx and
 * network failures transient with the runner's backoff. Messages name the status and the
 * endpoint's host, never the key or the response body (which may quote the key).
 */
export function classifyModelError(error: unknown, baseUrl: string): ClassifiedError {
  const host = new URL(baseUrl).host;
  // a status below 400 means the answer started and broke off: a network failure
  if (APICallError.isInstance(error) && error.statusCode !== undefined && error.statusCode >= 400) {
    const status = error.statusCode;
    if (status === 429 || status === 503) {
      const delay = retryAfterMs(error.responseHeaders);
      const wait = delay === undefined ? "" : `; retrying after ${delay} ms as it asked`;
      return {
        outcome: status === 429 ? "rate_limited" : "server_error",
        error: new TransientError(
          `the model endpoint ${host} answered ${status} (${status === 429 ? "rate limited" : "unavailable"})${wait}`,
          { cause: error, retryAfterMs: delay },
        ),
      };
    }
    if (status >= 400 && status < 500) {
      return {
        outcome: "refused",
        error: new PermanentError(
          `the model endpoint ${host} answered ${status}: ${refusalHint(status)}`,
          { cause: error },
        ),
      };
    }
    return {
      outcome: "server_error",
      error: new TransientError(`the model endpoint ${host} answered ${status}`, { cause: error }),
    };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return {
    outcome: "network_error",
    error: new TransientError(`the call to the model endpoint ${host} failed: ${reason}`, {
      cause: error,
    }),
  };
}

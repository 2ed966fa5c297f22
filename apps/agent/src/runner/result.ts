/** The longest error message kept on a task; agents' errors can carry whole responses. */
export const MAX_ERROR_LENGTH = 2000;

export type CheckedResult = { ok: true; value: unknown } | { ok: false; problem: string };

function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("\u0000")) return `${path} (a key)`;
      const found = findNul(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * What an agent returned, as it will be stored: its JSON form (dates become strings,
 * `undefined` becomes null), the same in every store. Refused when it has no JSON form, or
 * contains U+0000, which PostgreSQL cannot store in text or jsonb.
 */
export function checkResult(value: unknown): CheckedResult {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problem: `the agent's result cannot be stored as JSON (${reason}); return plain objects, arrays, strings, numbers, booleans or null`,
    };
  }
  if (json === undefined) return { ok: true, value: null };
  const parsed: unknown = JSON.parse(json);
  const at = findNul(parsed, "result");
  if (at) {
    return {
      ok: false,
      problem: `the agent's result contains the character U+0000 (NUL) at ${at}, which cannot be stored; remove it, or encode binary data (e.g. base64)`,
    };
  }
  return { ok: true, value: parsed };
}

/** An error as a task's `error` text: its message, storable (no NUL) and bounded. */
export function describeError(error: unknown): string {
  const raw =
    error instanceof Error
      ? error.message || error.name
      : typeof error === "string"
        ? error
        : `a non-error value was thrown: ${safeString(error)}`;
  const clean = raw.replaceAll("\u0000", "\uFFFD");
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH - 1)}…` : clean;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

import { truncate, wellFormed } from "../platform/text.ts";

/** The longest error message kept on a task; agents' errors can carry whole responses. */
export const MAX_ERROR_LENGTH = 2000;

export type CheckedResult = { ok: true; value: unknown } | { ok: false; problem: string };

interface Problem {
  what: string;
  fix: string;
}

const NUL: Problem = {
  what: "the character U+0000 (NUL)",
  fix: "remove it, or encode binary data (e.g. base64)",
};
const LONE_SURROGATE: Problem = {
  what: "half of a surrogate pair (a character such as an emoji cut in two)",
  fix: "cut text by code point (e.g. Array.from(text).slice(...)), not with String.prototype.slice",
};

/** Text PostgreSQL cannot store: U+0000, or an unpaired surrogate (jsonb refuses both). */
function unstorable(text: string): Problem | undefined {
  if (text.includes("\u0000")) return NUL;
  if (!text.isWellFormed()) return LONE_SURROGATE;
  return undefined;
}

interface Found extends Problem {
  at: string;
}

/** The first string or key in `value` that cannot be stored, walked without recursion. */
function findUnstorable(value: unknown): Found | undefined {
  const pending: Array<[unknown, string]> = [[value, "result"]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === "string") {
      const problem = unstorable(item);
      if (problem) return { ...problem, at: path };
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) {
        pending.push([item[index], `${path}[${index}]`]);
      }
    } else if (typeof item === "object" && item !== null) {
      for (const [key, child] of Object.entries(item).reverse()) {
        const problem = unstorable(key);
        if (problem) return { ...problem, at: `${path} (a key)` };
        pending.push([child, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

/**
 * What an agent returned, as it will be stored: its JSON form (dates become strings,
 * `undefined` becomes null), the same in every store. Refused when it has no JSON form, or
 * contains U+0000 or an unpaired surrogate, which PostgreSQL cannot store in jsonb.
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
  const found = findUnstorable(parsed);
  if (found) {
    return {
      ok: false,
      problem: `the agent's result contains ${found.what} at ${found.at}, which cannot be stored; ${found.fix}`,
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
  return truncate(wellFormed(raw.replaceAll("\u0000", "\uFFFD")), MAX_ERROR_LENGTH);
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

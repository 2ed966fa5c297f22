import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "./errors.ts";
import { truncate } from "./text.ts";

/** The API's bodies are flat objects: anything nested deeper is refused before validation. */
export const MAX_BODY_DEPTH = 32;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** Keys that could change an object's prototype once the body is merged into another object. */
function forbiddenKey(key: string, value: unknown): boolean {
  if (key === "__proto__") return true;
  return (
    key === "constructor" && typeof value === "object" && value !== null && "prototype" in value
  );
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/**
 * Checks a parsed body without recursion (a 64 kb body can nest thousands of levels deep):
 * depth, prototype keys, and text that is not valid Unicode (a \ud83d escape without its
 * other half), which PostgreSQL would refuse or store as U+FFFD.
 */
function inspect(body: unknown): ApiError | undefined {
  const pending: Array<[unknown, string, number]> = [[body, "", 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path, depth] = next;
    if (typeof value === "string") {
      if (!value.isWellFormed()) {
        return new ApiError(
          400,
          "invalid_unicode",
          `The body's ${path || "value"} holds half of a surrogate pair (a \\ud800-\\udfff escape without its other half); send whole characters.`,
        );
      }
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      return new ApiError(
        400,
        "too_deeply_nested",
        `The body is nested more than ${MAX_BODY_DEPTH} levels deep; this API takes flat JSON objects.`,
      );
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        pending.push([item, pathOf(path, index), depth + 1]);
      });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const at = pathOf(path, truncate(key, 64));
      if (forbiddenKey(key, item)) {
        return new ApiError(
          400,
          "forbidden_key",
          `The body has a key named ${key} (at ${at}), which is refused because it could change the prototype of objects; remove it.`,
        );
      }
      if (!key.isWellFormed()) {
        return new ApiError(
          400,
          "invalid_unicode",
          `A key of the body (at ${at}) holds half of a surrogate pair; send whole characters.`,
        );
      }
      pending.push([item, at, depth + 1]);
    }
  }
  return undefined;
}

/** What the parser does with the raw bytes of an application/json body. */
export function parseJsonBody(request: FastifyRequest, raw: Buffer): unknown {
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `The body is sent with Content-Encoding: ${truncate(encoding, 40)}, which this API does not accept; send it uncompressed.`,
    );
  }
  const charset = CHARSET.exec(request.headers["content-type"] ?? "")?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `The body is declared as charset=${truncate(charset, 40)}; send it as UTF-8 (Content-Type: application/json; charset=utf-8).`,
    );
  }
  if (raw.length === 0) {
    // DELETE and the other routes without a body may still carry a JSON content type
    if (!request.routeOptions.schema?.body) return undefined;
    throw new ApiError(
      400,
      "malformed_json",
      "The body is empty although Content-Type is application/json: send a JSON object.",
    );
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new ApiError(
      400,
      "invalid_utf8",
      "The body is not valid UTF-8; send JSON text encoded as UTF-8.",
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? truncate(error.message, 120) : "unreadable";
    throw new ApiError(
      400,
      "malformed_json",
      `The body is not valid JSON (${reason}): check its quotes, commas and brackets.`,
    );
  }
  const problem = inspect(body);
  if (problem) throw problem;
  return body;
}

/**
 * application/json bodies as this API takes them: UTF-8 only (other charsets 415, invalid
 * bytes 400), uncompressed (a Content-Encoding is 415 rather than gzip read as text),
 * nested at most MAX_BODY_DEPTH levels, without prototype keys, in whole characters.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, raw, done) => {
    try {
      done(null, parseJsonBody(request, raw as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

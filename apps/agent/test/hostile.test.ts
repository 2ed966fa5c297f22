/**
 * Hostile and odd input against the API, one case per line: each must get one clear answer
 * in the API's error format (or be served correctly), store nothing it refused, and leave
 * the service answering /health. In-process cases use inject(); what only a socket can send
 * (framing, header sizes, slow clients) goes to a real process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./support/app.ts";
import { rawExchange, tricklingPost, useServer } from "./support/http.ts";

interface Case {
  name: string;
  method?: "GET" | "POST" | "PATCH" | "DELETE" | "PUT" | "OPTIONS" | "HEAD" | "TRACE";
  url?: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  status: number;
  /** The `error` code expected in the body (4xx and 5xx). */
  error?: string;
}

const JSON_TYPE = { "content-type": "application/json" };
const post = (payload: string | Buffer, headers: Record<string, string> = JSON_TYPE) => ({
  method: "POST" as const,
  url: "/tasks",
  headers,
  payload,
});
const utf8Then = (bytes: number[]) =>
  Buffer.concat([Buffer.from('{"title": "'), Buffer.from(bytes), Buffer.from('"}')]);
const deep = (depth: number) => `{"title": "d", "x": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
const UUID = "0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70";

const BODIES: Case[] = [
  { name: "truncated JSON", ...post('{"title": '), status: 400, error: "malformed_json" },
  {
    name: "JSON with trailing text",
    ...post('{"title": "a"} x'),
    status: 400,
    error: "malformed_json",
  },
  { name: "empty JSON body", ...post(""), status: 400, error: "malformed_json" },
  { name: "JSON null", ...post("null"), status: 400, error: "validation_failed" },
  { name: "JSON number", ...post("42"), status: 400, error: "validation_failed" },
  { name: "JSON string", ...post('"title"'), status: 400, error: "validation_failed" },
  { name: "JSON array", ...post('[{"title": "a"}]'), status: 400, error: "validation_failed" },
  {
    name: "body over BODY_LIMIT",
    ...post(JSON.stringify({ title: "a", description: "x".repeat(70_000) })),
    status: 413,
    error: "payload_too_large",
  },
  {
    name: "array nested 10000 deep",
    ...post(deep(10_000)),
    status: 400,
    error: "too_deeply_nested",
  },
  { name: "array nested 33 deep", ...post(deep(33)), status: 400, error: "too_deeply_nested" },
  {
    name: "5000 unknown fields",
    ...post(
      JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))),
    ),
    status: 400,
    error: "validation_failed",
  },
  {
    name: "__proto__ key",
    ...post('{"title": "a", "__proto__": {"admin": true}}'),
    status: 400,
    error: "forbidden_key",
  },
  {
    name: "constructor.prototype key",
    ...post('{"title": "a", "constructor": {"prototype": {"admin": true}}}'),
    status: 400,
    error: "forbidden_key",
  },
  {
    name: "__proto__ nested in an array",
    ...post('{"title": "a", "x": [[{"__proto__": null}]]}'),
    status: 400,
    error: "forbidden_key",
  },
  {
    name: "constructor as a plain field",
    ...post('{"title": "a", "constructor": "x"}'),
    status: 400,
    error: "validation_failed",
  },
  {
    name: "NUL in the title",
    ...post('{"title": "a\\u0000b"}'),
    status: 400,
    error: "validation_failed",
  },
  {
    name: "unpaired high surrogate",
    ...post('{"title": "\\ud83d"}'),
    status: 400,
    error: "invalid_unicode",
  },
  {
    name: "unpaired low surrogate",
    ...post('{"title": "\\ude00x"}'),
    status: 400,
    error: "invalid_unicode",
  },
  {
    name: "unpaired surrogate in a key",
    ...post('{"title": "a", "\\ud800": 1}'),
    status: 400,
    error: "invalid_unicode",
  },
  { name: "Latin-1 byte in UTF-8", ...post(utf8Then([0xe9])), status: 400, error: "invalid_utf8" },
  {
    name: "overlong UTF-8 (C0 AF)",
    ...post(utf8Then([0xc0, 0xaf])),
    status: 400,
    error: "invalid_utf8",
  },
  {
    name: "UTF-8-encoded surrogate (CESU)",
    ...post(utf8Then([0xed, 0xa0, 0xbd])),
    status: 400,
    error: "invalid_utf8",
  },
  {
    name: "UTF-16 body",
    ...post(Buffer.from('\ufeff{"title": "a"}', "utf16le")),
    status: 400,
    error: "invalid_utf8",
  },
  {
    name: "charset=iso-8859-1",
    ...post('{"title": "a"}', { "content-type": "application/json; charset=iso-8859-1" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "charset=utf-16",
    ...post('{"title": "a"}', { "content-type": "application/json; charset=utf-16" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "text/plain",
    ...post('{"title": "a"}', { "content-type": "text/plain" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "form-encoded",
    ...post("title=a", { "content-type": "application/x-www-form-urlencoded" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "multipart",
    ...post("--x\r\n\r\n--x--", { "content-type": "multipart/form-data; boundary=x" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "no content type",
    ...post('{"title": "a"}', {}),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "Content-Encoding: gzip",
    ...post('{"title": "a"}', { ...JSON_TYPE, "content-encoding": "gzip" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "Content-Encoding: br",
    ...post('{"title": "a"}', { ...JSON_TYPE, "content-encoding": "br" }),
    status: 415,
    error: "unsupported_media_type",
  },
  { name: "title of spaces", ...post('{"title": "   "}'), status: 400, error: "validation_failed" },
  {
    name: "title of 201 characters",
    ...post(JSON.stringify({ title: "t".repeat(201) })),
    status: 400,
    error: "validation_failed",
  },
  {
    name: "description of 2001 characters",
    ...post(JSON.stringify({ title: "a", description: "d".repeat(2001) })),
    status: 400,
    error: "validation_failed",
  },
  { name: "number as title", ...post('{"title": 42}'), status: 400, error: "validation_failed" },
  {
    name: "object as title",
    ...post('{"title": {"a": 1}}'),
    status: 400,
    error: "validation_failed",
  },
  {
    name: "huge number field",
    ...post('{"title": "a", "n": 1e999}'),
    status: 400,
    error: "validation_failed",
  },
  // served correctly
  {
    name: "200 emoji as title (400 UTF-16 units)",
    ...post(JSON.stringify({ title: "😀".repeat(200) })),
    status: 201,
  },
  {
    name: "bidi overrides and zero-width characters",
    ...post(JSON.stringify({ title: "\u202eabc\u200b\u2066x\u2069" })),
    status: 201,
  },
  {
    name: "combining characters",
    ...post(JSON.stringify({ title: "e\u0301".repeat(100) })),
    status: 201,
  },
  { name: "UTF-8 with a BOM", ...post(Buffer.from('\ufeff{"title": "bom"}')), status: 201 },
  { name: "duplicate keys (the last wins)", ...post('{"title": "a", "title": "b"}'), status: 201 },
];

const REQUESTS: Case[] = [
  { name: "limit=Infinity", url: "/tasks?limit=Infinity", status: 400, error: "validation_failed" },
  {
    name: "limit=-Infinity",
    url: "/tasks?limit=-Infinity",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "limit=%2BInfinity",
    url: "/tasks?limit=%2BInfinity",
    status: 400,
    error: "validation_failed",
  },
  { name: "limit=9e999", url: "/tasks?limit=9e999", status: 400, error: "validation_failed" },
  { name: "limit=0x10", url: "/tasks?limit=0x10", status: 400, error: "validation_failed" },
  { name: "limit=+5", url: "/tasks?limit=%2B5", status: 400, error: "validation_failed" },
  { name: "limit=-1", url: "/tasks?limit=-1", status: 400, error: "validation_failed" },
  { name: "limit=1.5", url: "/tasks?limit=1.5", status: 400, error: "validation_failed" },
  {
    name: "limit of 20 digits",
    url: "/tasks?limit=99999999999999999999",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "limit given twice",
    url: "/tasks?limit=1&limit=2",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "SQL in status",
    url: "/tasks?status='%20or%201=1--",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "cursor of garbage",
    url: "/tasks?cursor=%00%01garbage",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "cursor of 5000 characters",
    url: `/tasks?cursor=${"a".repeat(5000)}`,
    status: 400,
    error: "validation_failed",
  },
  {
    name: "unknown query parameter",
    url: "/tasks?sort=asc",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "__proto__ query parameter",
    url: "/tasks?__proto__=x",
    status: 400,
    error: "validation_failed",
  },
  {
    name: "1000 query parameters",
    url: `/tasks?${Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join("&")}`,
    status: 400,
    error: "validation_failed",
  },
  {
    name: "id of 5000 characters",
    url: `/tasks/${"a".repeat(5000)}`,
    status: 400,
    error: "validation_failed",
  },
  {
    name: "id with a path traversal",
    url: "/tasks/..%2F..%2Fetc%2Fpasswd",
    status: 400,
    error: "validation_failed",
  },
  { name: "id with SQL", url: "/tasks/'%20or%201=1--", status: 400, error: "validation_failed" },
  {
    name: "nil UUID",
    url: "/tasks/00000000-0000-0000-0000-000000000000",
    status: 404,
    error: "not_found",
  },
  {
    name: "upper-case UUID of no task",
    url: `/tasks/${UUID.toUpperCase()}`,
    status: 404,
    error: "not_found",
  },
  { name: "malformed percent-encoding", url: "/tasks/%E0%A4%A", status: 400, error: "bad_request" },
  {
    name: "path of 10000 characters",
    url: `/${"x".repeat(10_000)}`,
    status: 404,
    error: "not_found",
  },
  { name: "missing docs page", url: "/docs/static/nothing.js", status: 404, error: "not_found" },
  {
    name: "PUT /tasks/:id",
    method: "PUT",
    url: `/tasks/${UUID}`,
    status: 405,
    error: "method_not_allowed",
  },
  {
    name: "DELETE /tasks",
    method: "DELETE",
    url: "/tasks",
    status: 405,
    error: "method_not_allowed",
  },
  {
    name: "TRACE /tasks",
    method: "TRACE",
    url: "/tasks",
    status: 405,
    error: "method_not_allowed",
  },
  { name: "OPTIONS /tasks", method: "OPTIONS", url: "/tasks", status: 204 },
  { name: "HEAD /tasks", method: "HEAD", url: "/tasks", status: 200 },
  { name: "HEAD /health", method: "HEAD", url: "/health", status: 200 },
  {
    name: "PATCH with text/plain",
    method: "PATCH",
    url: `/tasks/${UUID}`,
    headers: { "content-type": "text/plain" },
    payload: "running",
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "DELETE with a JSON content type and no body",
    method: "DELETE",
    url: `/tasks/${UUID}`,
    headers: JSON_TYPE,
    status: 404,
    error: "not_found",
  },
  {
    name: "x-request-id with a line break and 1000 characters",
    url: "/health",
    headers: { "x-request-id": `a\tb${"c".repeat(1000)}` },
    status: 200,
  },
];

describe("hostile input, in process", () => {
  let current: TestApp;
  beforeAll(async () => {
    current = await createTestApp({ env: { RUNNER: "off" } });
  });
  afterAll(async () => {
    await current.app.close();
  });

  for (const each of [...BODIES, ...REQUESTS]) {
    it(`${each.name}: ${each.status}${each.error ? ` ${each.error}` : ""}`, async () => {
      const { app, store } = current;
      const before = (await store.list({ limit: 100 })).items.length;
      const res = await app.inject({
        method: each.method ?? (each.payload === undefined ? "GET" : "POST"),
        url: each.url ?? "/tasks",
        headers: each.headers,
        payload: each.payload,
      });
      expect(res.statusCode).toBe(each.status);
      if (each.error) {
        const body = res.json();
        expect(body.error).toBe(each.error);
        expect(body.message).toEqual(expect.any(String));
        // one line, bounded: nothing of a long input comes back in full
        expect(body.message).not.toContain("\n");
        expect(res.body.length).toBeLessThan(2000);
      }
      const after = (await store.list({ limit: 100 })).items.length;
      expect(after).toBe(each.status === 201 ? before + 1 : before);
      if (each.status === 201) {
        const created = res.json();
        // stored and returned exactly as sent
        const sent = JSON.parse(String(each.payload).replace(/^\ufeff/, "")) as { title: string };
        expect(created.title).toBe(sent.title);
        expect(await store.get(created.id)).toEqual(created);
      }
      expect((await app.inject("/health")).statusCode).toBe(200);
    });
  }
});

interface RawCase {
  name: string;
  chunks: Array<string | Buffer>;
  gapMs?: number;
  status: number;
  error?: string;
}

const RAW: RawCase[] = [
  { name: "not HTTP at all", chunks: ["HELLO\r\n\r\n"], status: 400, error: "bad_request" },
  {
    name: "unknown method",
    chunks: ["BREW /tasks HTTP/1.1\r\nHost: x\r\n\r\n"],
    status: 400,
    error: "bad_request",
  },
  {
    name: "control character in a header",
    chunks: ["GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n"],
    status: 400,
    error: "bad_request",
  },
  {
    name: "Content-Length with Transfer-Encoding (smuggling)",
    chunks: [
      "POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
    status: 400,
    error: "bad_request",
  },
  {
    name: "two different Content-Lengths",
    chunks: [
      "POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    ],
    status: 400,
    error: "bad_request",
  },
  {
    name: "a 20 kB header",
    chunks: [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"x".repeat(20_000)}\r\n\r\n`],
    status: 431,
    error: "headers_too_large",
  },
  {
    name: "a 20 kB URL",
    chunks: [`GET /tasks?cursor=${"x".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    status: 431,
    error: "headers_too_large",
  },
  {
    name: "500 small headers",
    chunks: [
      `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Array.from({ length: 500 }, (_, i) => `x-${i}: ${i}\r\n`).join("")}\r\n`,
    ],
    status: 200,
  },
  {
    name: "headers that trickle in",
    chunks: ["GET /health HTTP/1.1\r\n", ...Array.from({ length: 50 }, (_, i) => `x-${i}: y\r\n`)],
    gapMs: 100,
    status: 408,
    error: "request_timeout",
  },
  {
    name: "a body that trickles in",
    chunks: tricklingPost(),
    gapMs: 50,
    status: 408,
    error: "request_timeout",
  },
];

describe("hostile input, over a socket", () => {
  const server = useServer({
    RUNNER: "off",
    HEADERS_TIMEOUT_MS: "300",
    REQUEST_TIMEOUT_MS: "600",
  });

  for (const each of RAW) {
    it(`${each.name}: ${each.status}${each.error ? ` ${each.error}` : ""}`, async () => {
      const answer = await rawExchange(server.baseUrl, each.chunks, { gapMs: each.gapMs ?? 0 });
      expect(answer.status).toBe(each.status);
      if (each.error) expect(answer.json?.error).toBe(each.error);
      const health = await rawExchange(server.baseUrl, [
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      ]);
      expect(health.status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    });
  }
});

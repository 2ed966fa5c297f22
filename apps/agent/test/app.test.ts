import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryTaskStore } from "../src/tasks/memory-store.ts";
import { StoreDataError, StoreUnavailableError, type TaskStore } from "../src/tasks/store.ts";
import { createTestApp, json, type TestApp } from "./support/app.ts";

let current: TestApp | undefined;
async function setup(options?: Parameters<typeof createTestApp>[0]): Promise<TestApp> {
  current = await createTestApp(options);
  return current;
}
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("GET /health", () => {
  it("answers healthy with the version, uptime and time", async () => {
    const { app } = await setup({ env: { APP_VERSION: "abc1234" } });
    const res = await app.inject("/health");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    const body = res.json();
    expect(body).toEqual({
      status: "healthy",
      version: "abc1234",
      uptime_s: expect.any(Number),
      timestamp: expect.any(String),
    });
    expect(body.uptime_s).toBeGreaterThan(0);
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 10_000);
  });

  it("falls back to the package version and stays up while the store is down", async () => {
    const store = new MemoryTaskStore();
    await store.close();
    const { app } = await setup({ store });
    const res = await app.inject("/health");
    expect(res.statusCode).toBe(200);
    expect(res.json().version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("GET /ready", () => {
  it("is ready with every check passing", async () => {
    const { app } = await setup();
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: "ready",
      checks: {
        starting: { status: "pass" },
        draining: { status: "pass" },
        store: { status: "pass" },
      },
    });
  });

  it("is 503 naming the starting check until the server listens", async () => {
    const { app } = await setup({ started: false });
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe("not_ready");
    expect(body.error).toBe("not_ready");
    expect(body.checks.starting).toEqual({
      status: "fail",
      message: "the server has not finished starting",
    });
    expect(body.message).toBe("starting: the server has not finished starting");
  });

  it("is 503 naming the draining check once shutdown began", async () => {
    const { app, readiness } = await setup();
    readiness.startDraining();
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.draining.status).toBe("fail");
    expect(res.json().message).toContain("draining");
  });

  it("is 503 naming the store check while the store is unreachable, and recovers", async () => {
    let down = true;
    const store = new MemoryTaskStore();
    const original = store.check.bind(store);
    store.check = async () => {
      if (down) throw new StoreUnavailableError("connection refused");
      return original();
    };
    const { app, logs } = await setup({ store });
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.store).toEqual({
      status: "fail",
      message: "the memory task store is unreachable: connection refused",
    });
    expect(logs.some((line) => line.level === "warn" && line.check === "store")).toBe(true);
    down = false;
    expect((await app.inject("/ready")).statusCode).toBe(200);
    expect(logs.some((line) => line.msg === "the task store is reachable again")).toBe(true);
  });

  it("counts a store check that hangs as failed after the timeout", async () => {
    const store = new MemoryTaskStore();
    store.check = () => new Promise(() => {});
    const { app } = await setup({ store, checkTimeoutMs: 50 });
    const res = await app.inject("/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.store.message).toContain("no answer within 50 ms");
  });

  it("reuses a store check within the interval and shares one check between concurrent probes", async () => {
    const store = new MemoryTaskStore();
    let calls = 0;
    store.check = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const { app } = await setup({ store, checkIntervalMs: 60_000 });
    const answers = await Promise.all([
      app.inject("/ready"),
      app.inject("/ready"),
      app.inject("/ready"),
    ]);
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 200]);
    await app.inject("/ready");
    expect(calls).toBe(1);
  });
});

describe("POST /tasks", () => {
  it("creates a task: 201, Location header, and the task", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "Summarise the report", description: "Two paragraphs" },
    });
    expect(res.statusCode).toBe(201);
    const task = res.json();
    expect(task).toMatchObject({
      title: "Summarise the report",
      description: "Two paragraphs",
      status: "created",
    });
    expect(task.id).toMatch(UUID);
    expect(Date.parse(task.created_at)).not.toBeNaN();
    expect(res.headers.location).toBe(`/tasks/${task.id}`);
    expect((await app.inject(res.headers.location as string)).json()).toEqual(task);
  });

  it("accepts a missing description, stored as null, and a JSON content type with charset", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { "content-type": "application/json; charset=utf-8" },
      payload: JSON.stringify({ title: "x" }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().description).toBeNull();
  });

  it("accepts exactly 200 title and 2000 description characters, counting characters not bytes", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "é".repeat(200), description: "d".repeat(2000) },
    });
    expect(res.statusCode).toBe(201);
  });

  const invalid: Array<[string, unknown, { field: string; rule: string }]> = [
    ["a missing title", { description: "no title" }, { field: "title", rule: "required" }],
    ["an empty title", { title: "" }, { field: "title", rule: "minLength" }],
    [
      "a title over 200 characters",
      { title: "t".repeat(201) },
      { field: "title", rule: "maxLength" },
    ],
    [
      "a description over 2000 characters",
      { title: "ok", description: "d".repeat(2001) },
      { field: "description", rule: "maxLength" },
    ],
    ["a number as title (no coercion)", { title: 42 }, { field: "title", rule: "type" }],
    ["a boolean as title", { title: true }, { field: "title", rule: "type" }],
    [
      "null as description",
      { title: "ok", description: null },
      { field: "description", rule: "type" },
    ],
    [
      "an unknown field",
      { title: "ok", priority: "high" },
      { field: "priority", rule: "unknown_field" },
    ],
    ["an array body", [{ title: "ok" }], { field: "body", rule: "type" }],
    ["a string body", "just text", { field: "body", rule: "type" }],
  ];
  for (const [name, payload, expected] of invalid) {
    it(`rejects ${name} with 400 naming the field and rule`, async () => {
      const { app, store } = await setup();
      const res = await app.inject({
        method: "POST",
        url: "/tasks",
        headers: json,
        payload: JSON.stringify(payload),
      });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.error).toBe("validation_failed");
      expect(body.details).toContainEqual(expect.objectContaining(expected));
      expect(body.message).toContain(expected.field);
      expect((await store.list({ limit: 10 })).items).toEqual([]);
    });
  }

  it("refuses a title of only spaces", async () => {
    const { app, store } = await setup();
    for (const title of ["   ", "\t\n", "\u00a0\u2003"]) {
      const res = await app.inject({
        method: "POST",
        url: "/tasks",
        headers: json,
        payload: { title },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([
        { field: "title", rule: "blank", message: "must contain a character other than spaces" },
      ]);
    }
    expect((await store.list({ limit: 10 })).items).toEqual([]);
  });

  it("words each rule plainly", async () => {
    const { app } = await setup();
    const post = async (payload: unknown) =>
      (
        await app.inject({
          method: "POST",
          url: "/tasks",
          headers: json,
          payload: JSON.stringify(payload),
        })
      ).json().details;
    expect(await post({ title: "" })).toContainEqual({
      field: "title",
      rule: "minLength",
      message: "must not be empty",
    });
    expect(await post({ title: "t".repeat(201) })).toEqual([
      { field: "title", rule: "maxLength", message: "must be at most 200 characters long" },
    ]);
    expect(await post({ title: 42 })).toEqual([
      { field: "title", rule: "type", message: "must be a string" },
    ]);
    expect(await post([])).toEqual([{ field: "body", rule: "type", message: "must be an object" }]);
    const query = (await app.inject("/tasks?limit=0")).json();
    expect(query.message).toBe("limit must be 1 or more.");
    expect((await app.inject("/tasks?limit=101")).json().details).toEqual([
      { field: "limit", rule: "maximum", message: "must be 100 or less" },
    ]);
    expect(JSON.stringify(query)).not.toMatch(/must NOT|must match/);
  });

  it("lists at most 20 problems, counting the rest, however many the body has", async () => {
    const { app } = await setup();
    const fields = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: JSON.stringify({ title: "a", ...fields }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toHaveLength(20);
    expect(res.json().message).toBe("k0 is not a known field (and 4999 more problems).");
    expect(res.body.length).toBeLessThan(2000);
  });

  it("reports every problem at once", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { description: 5, extra: 1, more: 2 },
    });
    expect(res.statusCode).toBe(400);
    const fields = res
      .json()
      .details.map((d: { field: string; rule: string }) => `${d.field}:${d.rule}`);
    expect(fields.sort()).toEqual([
      "description:type",
      "extra:unknown_field",
      "more:unknown_field",
      "title:required",
    ]);
    expect(res.json().message).toMatch(/and 3 more problems/);
  });

  it("rejects malformed JSON with 400", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: '{"title": "a",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "malformed_json",
      message: expect.stringContaining("not valid JSON"),
    });
  });

  it("rejects an empty body declared as JSON with 400", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "POST", url: "/tasks", headers: json, payload: "" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("malformed_json");
  });

  it("rejects a body with prototype poisoning with 400 naming the key", async () => {
    const { app, store } = await setup();
    for (const [payload, key] of [
      ['{"title": "a", "__proto__": {"admin": true}}', "__proto__"],
      ['{"title": "a", "constructor": {"prototype": {"admin": true}}}', "constructor"],
      ['{"title": "a", "nested": [{"__proto__": 1}]}', "__proto__"],
    ] as const) {
      const res = await app.inject({ method: "POST", url: "/tasks", headers: json, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe("forbidden_key");
      expect(res.json().message).toContain(`a key named ${key}`);
    }
    expect((await store.list({ limit: 10 })).items).toEqual([]);
  });

  it("says where malformed JSON breaks", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: '{"title": "a",',
    });
    expect(res.json().message).toBe(
      "The body is not valid JSON (Expected double-quoted property name in JSON at position 14 (line 1 column 15)): check its quotes, commas and brackets.",
    );
  });

  it("refuses a charset other than UTF-8 with 415, and takes UTF-8 however it is spelt", async () => {
    const { app, store } = await setup();
    const latin1 = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { "content-type": "application/json; charset=iso-8859-1" },
      payload: Buffer.from('{"title": "café"}', "latin1"),
    });
    expect(latin1.statusCode).toBe(415);
    expect(latin1.json()).toEqual({
      error: "unsupported_media_type",
      message:
        "The body is declared as charset=iso-8859-1; send it as UTF-8 (Content-Type: application/json; charset=utf-8).",
    });
    expect((await store.list({ limit: 10 })).items).toEqual([]);
    for (const contentType of [
      'application/json; charset="UTF-8"',
      "application/json;charset=utf8",
    ]) {
      const res = await app.inject({
        method: "POST",
        url: "/tasks",
        headers: { "content-type": contentType },
        payload: '{"title": "café"}',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().title).toBe("café");
    }
  });

  it("refuses bytes that are not UTF-8 with 400 instead of storing U+FFFD", async () => {
    const { app, store } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: Buffer.concat([
        Buffer.from('{"title": "caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "invalid_utf8",
      message: "The body is not valid UTF-8; send JSON text encoded as UTF-8.",
    });
    expect((await store.list({ limit: 10 })).items).toEqual([]);
  });

  it("refuses a compressed body with 415 rather than reading gzip as JSON", async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { ...json, "content-encoding": "gzip" },
      payload: gzipSync('{"title": "zipped"}'),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().message).toBe(
      "The body is sent with Content-Encoding: gzip, which this API does not accept; send it uncompressed.",
    );
  });

  it("refuses half of a surrogate pair in a field with 400", async () => {
    const { app, store } = await setup();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: '{"title": "half \\ud83d an emoji"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("invalid_unicode");
    expect(res.json().message).toContain("The body's title holds half of a surrogate pair");
    expect((await store.list({ limit: 10 })).items).toEqual([]);
    const whole = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: '{"title": "whole \\ud83d\\ude00 emoji"}',
    });
    expect(whole.statusCode).toBe(201);
    expect(whole.json().title).toBe("whole \u{1F600} emoji");
  });

  it("refuses a deeply nested body with 400 without overflowing the stack", async () => {
    const { app } = await setup();
    const depth = 20_000;
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: `{"title": "deep", "x": ${"[".repeat(depth)}${"]".repeat(depth)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "too_deeply_nested",
      message: "The body is nested more than 32 levels deep; this API takes flat JSON objects.",
    });
    expect((await app.inject("/health")).statusCode).toBe(200);
  });

  for (const contentType of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
  ]) {
    it(`rejects ${contentType} with 415`, async () => {
      const { app } = await setup();
      const res = await app.inject({
        method: "POST",
        url: "/tasks",
        headers: { "content-type": contentType },
        payload: "title=hello",
      });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({
        error: "unsupported_media_type",
        message: expect.stringContaining("Content-Type: application/json"),
      });
    });
  }

  it("rejects a body over BODY_LIMIT with 413 naming the limit", async () => {
    const { app } = await setup({ env: { BODY_LIMIT: "1kb" } });
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: JSON.stringify({ title: "a", description: "x".repeat(2000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: "payload_too_large",
      message: expect.stringContaining("1024 bytes"),
    });
  });

  it("counts created tasks in the metrics", async () => {
    const { app } = await setup();
    for (let i = 0; i < 3; i++) {
      await app.inject({
        method: "POST",
        url: "/tasks",
        headers: json,
        payload: { title: `t${i}` },
      });
    }
    const metrics = (await app.inject("/metrics")).body;
    expect(sample(metrics, "tasks_created_total", {})).toBe(3);
  });
});

describe("GET /tasks/:id", () => {
  it("is 404 for an unknown id", async () => {
    const { app } = await setup();
    const id = "0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70";
    const res = await app.inject(`/tasks/${id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: "not_found", message: `There is no task with id ${id}.` });
  });

  it("finds a task by its id written in upper case", async () => {
    const { app } = await setup();
    const created = (
      await app.inject({ method: "POST", url: "/tasks", headers: json, payload: { title: "t" } })
    ).json();
    const res = await app.inject(`/tasks/${created.id.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it("is 400 naming the id when it is not a UUID", async () => {
    const { app } = await setup();
    const res = await app.inject("/tasks/not-a-uuid");
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([
      {
        field: "id",
        rule: "format",
        message: "must be a UUID such as 0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70",
      },
    ]);
  });
});

describe("GET /tasks", () => {
  async function seed(app: TestApp["app"], count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await app.inject({
        method: "POST",
        url: "/tasks",
        headers: json,
        payload: { title: `task ${i}` },
      });
      ids.push(res.json().id);
    }
    return ids;
  }

  it("lists newest first, 20 per page by default", async () => {
    const { app } = await setup();
    const ids = await seed(app, 25);
    const page = (await app.inject("/tasks")).json();
    expect(page.items).toHaveLength(20);
    expect(page.items.map((t: { id: string }) => t.id)).toEqual(ids.slice(-20).reverse());
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it("pages with limit (given as text) and cursor until next_cursor is null", async () => {
    const { app } = await setup();
    const ids = await seed(app, 7);
    const seen: string[] = [];
    let url = "/tasks?limit=3";
    for (;;) {
      const page = (await app.inject(url)).json();
      seen.push(...page.items.map((t: { id: string }) => t.id));
      if (page.next_cursor === null) break;
      url = `/tasks?limit=3&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by status", async () => {
    const { app } = await setup();
    const ids = await seed(app, 4);
    for (const id of [ids[0], ids[2]]) {
      await app.inject({
        method: "PATCH",
        url: `/tasks/${id}`,
        headers: json,
        payload: { status: "running" },
      });
    }
    const page = (await app.inject("/tasks?status=running")).json();
    expect(page.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[0]]);
    expect(page.items.every((t: { status: string }) => t.status === "running")).toBe(true);
  });

  const invalid: Array<[string, string, string]> = [
    ["limit=0", "limit", "minimum"],
    ["limit=101", "limit", "maximum"],
    ["limit=ten", "limit", "type"],
    ["limit=2.5", "limit", "type"],
    ["status=done", "status", "enum"],
    ["sort=asc", "sort", "unknown_field"],
    ["cursor=", "cursor", "minLength"],
    ["cursor=bm90LWEtY3Vyc29y", "cursor", "cursor"],
    // numbers Ajv's coercion would read, and repeated parameters
    ["limit=Infinity", "limit", "type"],
    ["limit=-Infinity", "limit", "type"],
    ["limit=%2BInfinity", "limit", "type"],
    ["limit=9e999", "limit", "type"],
    ["limit=1e1", "limit", "type"],
    ["limit=0x10", "limit", "type"],
    ["limit=%2B5", "limit", "type"],
    ["limit=%205", "limit", "type"],
    ["limit=-5", "limit", "type"],
    ["limit=", "limit", "type"],
    ["limit=5&limit=6", "limit", "repeated"],
    ["cursor=a&cursor=b", "cursor", "repeated"],
    ["status=created&status=failed", "status", "repeated"],
  ];
  for (const [query, field, rule] of invalid) {
    it(`rejects ?${query} with 400 naming ${field}`, async () => {
      const { app } = await setup();
      const res = await app.inject(`/tasks?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe("validation_failed");
      expect(res.json().details).toContainEqual(expect.objectContaining({ field, rule }));
    });
  }

  it("says plainly what a number in the query must look like, and that a parameter repeats", async () => {
    const { app } = await setup();
    expect((await app.inject("/tasks?limit=Infinity")).json()).toEqual({
      error: "validation_failed",
      message: "limit must be a whole number written in digits, such as 20.",
      details: [
        {
          field: "limit",
          rule: "type",
          message: "must be a whole number written in digits, such as 20",
        },
      ],
    });
    expect((await app.inject("/tasks?limit=5&limit=6")).json().details).toEqual([
      { field: "limit", rule: "repeated", message: "is given more than once; give it once" },
    ]);
  });

  it("still takes a limit written with leading zeros as the number", async () => {
    const { app } = await setup();
    expect((await app.inject("/tasks?limit=007")).statusCode).toBe(200);
  });
});

describe("PATCH /tasks/:id", () => {
  async function create(app: TestApp["app"]): Promise<string> {
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "t" },
    });
    return res.json().id;
  }
  const patch = (app: TestApp["app"], id: string, payload: unknown) =>
    app.inject({
      method: "PATCH",
      url: `/tasks/${id}`,
      headers: json,
      payload: JSON.stringify(payload),
    });

  it("moves created -> running -> completed", async () => {
    const { app } = await setup();
    const id = await create(app);
    const running = await patch(app, id, { status: "running" });
    expect(running.statusCode).toBe(200);
    expect(running.json().status).toBe("running");
    const done = await patch(app, id, { status: "completed" });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ id, status: "completed" });
    expect(Date.parse(done.json().updated_at)).toBeGreaterThanOrEqual(
      Date.parse(done.json().created_at),
    );
  });

  it("moves running -> failed", async () => {
    const { app } = await setup();
    const id = await create(app);
    await patch(app, id, { status: "running" });
    expect((await patch(app, id, { status: "failed" })).json().status).toBe("failed");
  });

  it("answers 409 for an illegal transition, saying what is allowed", async () => {
    const { app } = await setup();
    const id = await create(app);
    const skip = await patch(app, id, { status: "completed" });
    expect(skip.statusCode).toBe(409);
    expect(skip.json()).toEqual({
      error: "invalid_transition",
      message: `Task ${id} is created, so it cannot move to completed: it can only move to running.`,
      details: [
        { field: "status", rule: "transition", message: "cannot move from created to completed" },
      ],
    });
    await patch(app, id, { status: "running" });
    await patch(app, id, { status: "completed" });
    const back = await patch(app, id, { status: "running" });
    expect(back.statusCode).toBe(409);
    expect(back.json().message).toContain("it is final");
    expect((await patch(app, id, { status: "created" })).statusCode).toBe(409);
  });

  it("lets exactly one of two racing requests win; the other gets 409", async () => {
    const { app } = await setup();
    const id = await create(app);
    const results = await Promise.all([
      patch(app, id, { status: "running" }),
      patch(app, id, { status: "running" }),
    ]);
    expect(results.map((res) => res.statusCode).sort()).toEqual([200, 409]);
  });

  it("is 404 for an unknown task", async () => {
    const { app } = await setup();
    const res = await patch(app, "0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70", { status: "running" });
    expect(res.statusCode).toBe(404);
  });

  it("rejects bad bodies with 400 naming the field", async () => {
    const { app } = await setup();
    const id = await create(app);
    const cases: Array<[unknown, string, string]> = [
      [{}, "status", "required"],
      [{ status: "paused" }, "status", "enum"],
      [{ status: "running", title: "renamed" }, "title", "unknown_field"],
      [{ status: 1 }, "status", "type"],
    ];
    for (const [payload, field, rule] of cases) {
      const res = await patch(app, id, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toContainEqual(expect.objectContaining({ field, rule }));
    }
    expect((await app.inject(`/tasks/${id}`)).json().status).toBe("created");
  });

  it("rejects a non-JSON body with 415", async () => {
    const { app } = await setup();
    const id = await create(app);
    const res = await app.inject({
      method: "PATCH",
      url: `/tasks/${id}`,
      headers: { "content-type": "text/plain" },
      payload: "running",
    });
    expect(res.statusCode).toBe(415);
  });
});

describe("DELETE /tasks/:id", () => {
  it("deletes with 204 and no body, then 404", async () => {
    const { app } = await setup();
    const id = (
      await app.inject({ method: "POST", url: "/tasks", headers: json, payload: { title: "t" } })
    ).json().id;
    const res = await app.inject({ method: "DELETE", url: `/tasks/${id}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await app.inject(`/tasks/${id}`)).statusCode).toBe(404);
    expect((await app.inject({ method: "DELETE", url: `/tasks/${id}` })).statusCode).toBe(404);
  });

  it("is 400 for an id that is not a UUID", async () => {
    const { app } = await setup();
    expect((await app.inject({ method: "DELETE", url: "/tasks/1" })).statusCode).toBe(400);
  });

  it("takes a JSON content type without a body, as some clients send on every request", async () => {
    const { app } = await setup();
    const id = (
      await app.inject({ method: "POST", url: "/tasks", headers: json, payload: { title: "t" } })
    ).json().id;
    const res = await app.inject({ method: "DELETE", url: `/tasks/${id}`, headers: json });
    expect(res.statusCode).toBe(204);
  });
});

describe("errors", () => {
  it("answers unknown routes with 404 in the error format", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "PUT", url: "/nothing/here?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: "not_found",
      message: "There is no route PUT /nothing/here; see /docs for the API.",
    });
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const { app } = await setup();
    const id = "0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70";
    for (const [method, url, allow] of [
      ["PUT", "/tasks", "GET, HEAD, OPTIONS, POST"],
      ["DELETE", "/tasks?limit=5", "GET, HEAD, OPTIONS, POST"],
      ["PUT", `/tasks/${id}`, "DELETE, GET, HEAD, OPTIONS, PATCH"],
      ["POST", `/tasks/${id}/events`, "GET, HEAD, OPTIONS"],
      ["POST", "/health", "GET, HEAD, OPTIONS"],
      ["DELETE", "/docs/static/index.html", "GET, HEAD, OPTIONS"],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json()).toEqual({
        error: "method_not_allowed",
        message: `${method} is not allowed on ${url.split("?")[0]}; it takes ${allow}.`,
      });
    }
  });

  it("answers OPTIONS with 204 and the methods a path takes", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "OPTIONS", url: "/tasks" });
    expect(res.statusCode).toBe(204);
    expect(res.headers.allow).toBe("GET, HEAD, OPTIONS, POST");
    expect(res.body).toBe("");
    expect((await app.inject({ method: "OPTIONS", url: "/nothing" })).statusCode).toBe(404);
  });

  it("answers HEAD like GET without a body", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "HEAD", url: "/tasks" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.body).toBe("");
  });

  it("names an over-long id without echoing it back in full", async () => {
    const { app } = await setup();
    const long = "a".repeat(5000);
    const res = await app.inject(`/tasks/${long}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "validation_failed",
      message: "id is 5000 characters long, longer than any valid value.",
      details: [
        {
          field: "id",
          rule: "maxLength",
          message: "is 5000 characters long, longer than any valid value",
        },
      ],
    });
    const unknown = await app.inject(`/nothing/${long}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.length).toBeLessThan(300);
  });

  it("answers a malformed URL with 400 in the error format, without echoing it", async () => {
    const { app } = await setup();
    const res = await app.inject("/tasks/%E0%A4%A-secret");
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("bad_request");
    expect(res.json().message).toContain("percent-encode the URL correctly");
    expect(res.body).not.toContain("secret");
  });

  it("answers 503 store_unavailable with Retry-After when the store is down", async () => {
    const store = new MemoryTaskStore();
    await store.close();
    const { app, logs } = await setup({ store });
    for (const request of [
      { method: "POST" as const, url: "/tasks", headers: json, payload: { title: "t" } },
      { method: "GET" as const, url: "/tasks" },
      { method: "GET" as const, url: "/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70" },
      { method: "DELETE" as const, url: "/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70" },
    ]) {
      const res = await app.inject(request);
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.json()).toEqual({
        error: "store_unavailable",
        message: expect.stringContaining("retry"),
      });
    }
    expect(logs.some((line) => line.msg === "task store unavailable")).toBe(true);
  });

  it("answers an unexpected failure with 500, no stack trace, and logs it under the request id", async () => {
    const store = new MemoryTaskStore();
    store.get = async () => {
      throw new Error("disk on fire at /srv/secret/path");
    };
    const { app, logs } = await setup({ store: store as TaskStore });
    const res = await app.inject({
      url: "/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70",
      headers: { "x-request-id": "req-500" },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: "internal_error",
      message: "Something went wrong on our side; report request id req-500 to the operators.",
    });
    expect(res.body).not.toContain("disk on fire");
    expect(res.body).not.toContain("at ");
    const logged = logs.find((line) => line.msg === "request failed");
    expect(logged).toMatchObject({ level: "error", reqId: "req-500" });
    expect(JSON.stringify(logged)).toContain("disk on fire");
  });
});

describe("request ids and logs", () => {
  it("keeps a sane incoming x-request-id, echoes it and logs with it", async () => {
    const { app, logs } = await setup({ env: { LOG_LEVEL: "debug" } });
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { ...json, "x-request-id": "trace-42" },
      payload: { title: "t" },
    });
    expect(res.headers["x-request-id"]).toBe("trace-42");
    const line = logs.find((entry) => entry.msg === "request completed");
    expect(line).toMatchObject({
      level: "debug",
      reqId: "trace-42",
      method: "POST",
      url: "/tasks",
      statusCode: 201,
      service: "agent",
    });
    expect(line?.responseTime).toEqual(expect.any(Number));
    expect(typeof line?.time).toBe("string");
  });

  it("gives requests without a plausible x-request-id a new unique one", async () => {
    const { app } = await setup();
    const first = (await app.inject("/health")).headers["x-request-id"];
    const second = (
      await app.inject({ url: "/health", headers: { "x-request-id": "bad id with spaces" } })
    ).headers["x-request-id"];
    const other = await createTestApp();
    const elsewhere = (await other.app.inject("/health")).headers["x-request-id"];
    await other.app.close();
    for (const id of [first, second, elsewhere]) expect(id).toMatch(/^[\w-]{8}-[0-9a-z]+$/);
    expect(new Set([first, second, elsewhere]).size).toBe(3);
  });

  it("logs successful requests at debug and client errors at info", async () => {
    const quiet = await setup();
    await quiet.app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "t" },
    });
    await quiet.app.inject({ url: "/tasks/not-a-uuid", headers: { "x-request-id": "bad-1" } });
    expect(quiet.logs.filter((line) => line.msg === "request completed")).toEqual([
      expect.objectContaining({ level: "info", reqId: "bad-1", statusCode: 400 }),
    ]);
    await quiet.app.close();

    const verbose = await setup({ env: { LOG_LEVEL: "debug" } });
    await verbose.app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "t" },
    });
    await verbose.app.inject("/tasks/00000000-0000-4000-8000-000000000000");
    expect(
      verbose.logs
        .filter((line) => line.msg === "request completed")
        .map((line) => [line.level, line.statusCode]),
    ).toEqual([
      ["debug", 201],
      ["info", 404],
    ]);
  });

  it("keeps the probes out of the info log", async () => {
    const { app, logs } = await setup();
    await app.inject("/health");
    await app.inject("/ready");
    await app.inject("/metrics");
    expect(logs.filter((line) => line.msg === "request completed")).toEqual([]);
  });
});

/** The value of the one sample of `name` carrying all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value))
      return Number(match[3]);
  }
  return undefined;
}

describe("GET /metrics", () => {
  it("serves Prometheus text with request counts and durations by route template and status", async () => {
    const { app } = await setup();
    const id = (
      await app.inject({ method: "POST", url: "/tasks", headers: json, payload: { title: "t" } })
    ).json().id;
    await app.inject(`/tasks/${id}`);
    await app.inject("/tasks/0b6f3a52-9c1e-4d7a-8f3b-2a1c4e5d6f70");
    await app.inject("/no/such/route");
    const res = await app.inject("/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    const text = res.body;
    const requests = (labels: Record<string, string>) =>
      sample(text, "http_requests_total", labels);
    expect(requests({ method: "POST", route: "/tasks", status_code: "201" })).toBe(1);
    expect(requests({ method: "GET", route: "/tasks/:id", status_code: "200" })).toBe(1);
    expect(requests({ method: "GET", route: "/tasks/:id", status_code: "404" })).toBe(1);
    expect(requests({ method: "GET", route: "unmatched", status_code: "404" })).toBe(1);
    const created = { method: "POST", route: "/tasks", status_code: "201" };
    expect(sample(text, "http_request_duration_seconds_count", created)).toBe(1);
    expect(sample(text, "http_request_duration_seconds_bucket", { ...created, le: "+Inf" })).toBe(
      1,
    );
    expect(sample(text, "http_request_duration_seconds_sum", created)).toBeGreaterThan(0);
    expect(text).toContain("process_resident_memory_bytes");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).not.toContain(id);
  });
});

describe("OpenAPI and docs", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const { app } = await setup({ env: { APP_VERSION: "1.2.3" } });
    const res = await app.inject("/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe("1.2.3");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/health",
      "/metrics",
      "/ready",
      "/tasks",
      "/tasks/{id}",
      "/tasks/{id}/events",
    ]);
    const post = doc.paths["/tasks"].post;
    const body = post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["title"]);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.title).toMatchObject({ type: "string", minLength: 1, maxLength: 200 });
    expect(Object.keys(post.responses).sort()).toEqual(["201", "400", "413", "415", "503"]);
    expect(post.responses["400"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/ErrorResponse",
    );
    expect(doc.components.schemas.ErrorResponse.properties.details.items.required).toEqual([
      "field",
      "rule",
      "message",
    ]);
    expect(Object.keys(doc.paths["/tasks/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.paths["/tasks"].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      "cursor",
      "limit",
      "status",
    ]);
    // every operation can be named by generated clients; no two share a name
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>),
    );
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/tasks"].post.operationId).toBe("createTask");
    // Prometheus' text format, not JSON
    expect(Object.keys(doc.paths["/metrics"].get.responses["200"].content)).toEqual(["text/plain"]);
    // Try it out starts from an example, not from a string made up from the NUL pattern
    expect(post.requestBody.content["application/json"].example).toEqual({
      title: "Summarise the incident report",
      description: "Two paragraphs: what failed, and what we changed so it does not happen again.",
    });
    expect(doc.paths["/tasks/{id}"].patch.requestBody.content["application/json"].example).toEqual({
      status: "running",
    });
    // the same document on the second call (built once)
    expect((await app.inject("/openapi.json")).json()).toEqual(doc);
  });

  it("serves Swagger UI at /docs, including its assets", async () => {
    const { app } = await setup();
    const page = await app.inject("/docs");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain("swagger-initializer.js");
    const bundle = await app.inject("/docs/static/swagger-ui-bundle.js");
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers["content-type"]).toContain("javascript");
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const redirect = await app.inject("/docs/static/index.html");
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe("/docs/");
    const init = await app.inject("/docs/static/swagger-initializer.js");
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain("./json");
    const spec = await app.inject("/docs/json");
    expect(spec.json().paths["/tasks"]).toBeDefined();
    const missing = await app.inject("/docs/static/nothing-here.js");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: "not_found",
      message:
        "There is no documentation page /docs/static/nothing-here.js; open /docs for the API documentation.",
    });
  });
});

describe("values the store refuses", () => {
  it("answers 400 invalid_value with the store's reason, not 500 or 503", async () => {
    const store = new MemoryTaskStore();
    store.create = async () => {
      throw new StoreDataError("the task database refused a value: invalid byte sequence");
    };
    const { app } = await setup({ store });
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: json,
      payload: { title: "t" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "invalid_value",
      message:
        "A value in the request cannot be stored (the task database refused a value: invalid byte sequence); change it and send the request again.",
    });
  });
});

describe("security headers", () => {
  it("puts helmet's headers and a locked-down CSP on every API answer, errors included", async () => {
    const { app } = await setup();
    for (const url of ["/health", "/tasks", "/tasks/not-a-uuid", "/nothing"]) {
      const res = await app.inject(url);
      expect(res.headers["content-security-policy"], url).toBe(
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(res.headers["cross-origin-resource-policy"]).toBe("same-origin");
      // left to whatever terminates TLS in front of the service
      expect(res.headers["strict-transport-security"]).toBeUndefined();
      // read only by old browsers and plugins
      for (const legacy of ["x-xss-protection", "x-download-options", "x-dns-prefetch-control"]) {
        expect(res.headers[legacy], legacy).toBeUndefined();
      }
    }
  });

  it("serves Swagger UI with its own CSP, which works over plain HTTP on any address", async () => {
    const { app } = await setup();
    for (const url of ["/docs", "/docs/static/swagger-initializer.js"]) {
      const res = await app.inject(url);
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, url).not.toContain("upgrade-insecure-requests");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    // everything the page loads comes from the same origin, by relative URLs
    const page = (await app.inject("/docs")).body;
    for (const [, src] of page.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect(src).toMatch(/^\.\/|^\/docs\//);
    }
  });
});

describe("rate limit", () => {
  it("is off by default", async () => {
    const { app } = await setup();
    const answers = await Promise.all(Array.from({ length: 150 }, () => app.inject("/tasks")));
    expect(answers.every((res) => res.statusCode === 200)).toBe(true);
  });

  it("with RATE_LIMIT_MAX, answers 429 in the API's error body with Retry-After, never for the probes", async () => {
    const { app } = await setup({ env: { RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_MS: "60000" } });
    expect((await app.inject("/tasks")).statusCode).toBe(200);
    expect((await app.inject("/tasks")).statusCode).toBe(200);
    const limited = await app.inject("/tasks");
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBe("60");
    expect(limited.json()).toEqual({
      error: "too_many_requests",
      message:
        "More than 2 requests from this address within 60000 ms (RATE_LIMIT_MAX); retry after 60 s.",
    });
    for (const probe of ["/health", "/ready", "/metrics", "/health"]) {
      expect((await app.inject(probe)).statusCode, probe).toBe(200);
    }
  });
});

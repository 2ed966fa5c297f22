import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { appPerTest, json, type TestApp } from "../support/app.ts";
import { sample } from "../support/metrics.ts";

const setup = appPerTest();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

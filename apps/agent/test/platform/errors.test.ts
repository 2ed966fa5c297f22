import { describe, expect, it } from "vitest";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import type { TaskStore } from "../../src/tasks/store.ts";
import { appPerTest, createTestApp } from "../support/app.ts";

const setup = appPerTest();

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

describe("error handler", () => {
  it("passes other client errors through in the error format", async () => {
    const { app } = await createTestApp();
    app.get("/teapot", async () => {
      throw Object.assign(new Error("I am short and stout"), { statusCode: 418 });
    });
    app.get("/gone", async () => {
      throw Object.assign(new Error("moved away"), { statusCode: 410 });
    });
    const teapot = await app.inject("/teapot");
    expect(teapot.statusCode).toBe(418);
    expect(teapot.json()).toEqual({ error: "bad_request", message: "I am short and stout" });
    expect((await app.inject("/gone")).json()).toEqual({
      error: "bad_request",
      message: "moved away",
    });
    await app.close();
  });

  it("names a Content-Length that does not match the body", async () => {
    const { app } = await createTestApp();
    const res = await app.inject({
      method: "POST",
      url: "/tasks",
      headers: { "content-type": "application/json", "content-length": "1000" },
      payload: '{"title":"x"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("bad_request");
    await app.close();
  });
});

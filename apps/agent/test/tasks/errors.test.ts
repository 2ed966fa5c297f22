import { describe, expect, it } from "vitest";
import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import { StoreDataError } from "../../src/tasks/store.ts";
import { appPerTest, json } from "../support/app.ts";

const setup = appPerTest();

describe("errors of the task store", () => {
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

import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/tasks/postgres-cursor.ts";
import { toStoreError, withDeadline } from "../../src/tasks/postgres-errors.ts";
import { isUuid, uuidv7 } from "../../src/tasks/postgres-ids.ts";
import { StoreUnavailableError } from "../../src/tasks/store.ts";

describe("uuidv7", () => {
  it("makes version 7 RFC 9562 UUIDs carrying the time", () => {
    const id = uuidv7(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe("7");
    expect(["8", "9", "a", "b"]).toContain(id[19]);
    expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(
      Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    );
  });

  it("stays strictly increasing within one millisecond, past the counter's end", () => {
    const now = Date.now() + 60_000;
    const ids = Array.from({ length: 5_000 }, () => uuidv7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("stays increasing when the clock steps back", () => {
    const first = uuidv7(Date.now() + 120_000);
    const second = uuidv7(Date.now());
    expect(second > first).toBe(true);
  });

  it("recognises UUIDs only", () => {
    expect(isUuid("0190b6d0-0000-7000-8000-000000000000")).toBe(true);
    expect(isUuid("0190b6d0-0000-7000-8000-00000000000")).toBe(false);
    expect(isUuid("' or 1=1 --")).toBe(false);
  });
});

describe("cursor", () => {
  it("round-trips a position as base64url", () => {
    const position = {
      createdAt: "2026-01-02T03:04:05.006Z",
      id: "0190b6d0-0000-7000-8000-000000000000",
    };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it("refuses anything else", () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    for (const bad of [
      "",
      "%%%",
      b64("{}"),
      b64("[1]"),
      b64('["a","b"]'),
      b64('[1,"b"]'),
      b64('["2026-01-01",2]'),
      // well-shaped, with times the database refuses or reads otherwise
      b64('["1","0190b6d0-0000-7000-8000-000000000000"]'),
      b64('["2026-02-30T00:00:00.000Z","0190b6d0-0000-7000-8000-000000000000"]'),
      b64('["0000-01-01T00:00:00.000Z","0190b6d0-0000-7000-8000-000000000000"]'),
      b64('["+275760-09-13T00:00:00.000Z","0190b6d0-0000-7000-8000-000000000000"]'),
      b64('["2026-01-01T00:00:00Z","0190b6d0-0000-7000-8000-000000000000"]'),
      b64('["2026-01-01T00:00:00.000+01:00","0190b6d0-0000-7000-8000-000000000000"]'),
    ]) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });
});

describe("store errors", () => {
  it("treats network failures and server availability states as unavailable", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    for (const error of [
      refused,
      new Error("Connection terminated unexpectedly"),
      Object.assign(new Error("terminating connection due to administrator command"), {
        code: "57P01",
      }),
      Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
      Object.assign(new Error("too many connections"), { code: "53300" }),
      Object.assign(new Error("password authentication failed"), { code: "28P01" }),
      "a string",
    ]) {
      const mapped = toStoreError(error);
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      // the cause itself, once: the readiness check and the logs say "unreachable"
      expect(mapped.message).toBe(error instanceof Error ? error.message : error);
    }
  });

  it("keeps errors a query caused as they are", () => {
    const unique = Object.assign(new Error("duplicate key"), { code: "23505" });
    expect(toStoreError(unique)).toBe(unique);
    const unavailable = new StoreUnavailableError("down");
    expect(toStoreError(unavailable)).toBe(unavailable);
  });

  it("bounds slow work by the deadline and maps failures", async () => {
    const started = Date.now();
    const never = new Promise<never>(() => undefined);
    await expect(withDeadline(50, () => never)).rejects.toThrow(
      new StoreUnavailableError("no answer within 50 ms"),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(withDeadline(1_000, async () => 7)).resolves.toBe(7);
    await expect(
      withDeadline(1_000, async () => {
        throw Object.assign(new Error("gone"), { code: "08006" });
      }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    // work that fails after the deadline passed does not surface as an unhandled rejection
    await expect(
      withDeadline(
        10,
        () => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 30)),
      ),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});

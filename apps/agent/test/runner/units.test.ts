import { describe, expect, it } from "vitest";
import { MAX_RETRY_DELAY_MS, retryDelay } from "../../src/runner/backoff.ts";
import { checkResult, describeError, MAX_ERROR_LENGTH } from "../../src/runner/result.ts";

describe("retryDelay", () => {
  it("doubles per attempt, spread over the upper half by the jitter", () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, 1000, () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect([1, 2, 3].map((attempt) => retryDelay(attempt, 1000, () => 0))).toEqual([
      500, 1000, 2000,
    ]);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelay(3, 100);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it("never waits longer than the cap", () => {
    expect(retryDelay(40, 1000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelay(1, 0, () => 1)).toBe(0);
  });
});

describe("checkResult", () => {
  it("keeps the JSON form of what the agent returned", () => {
    expect(checkResult({ at: new Date("2026-11-26T12:00:00Z"), skip: undefined, n: 1 })).toEqual({
      ok: true,
      value: { at: "2026-11-26T12:00:00.000Z", n: 1 },
    });
    expect(checkResult(undefined)).toEqual({ ok: true, value: null });
    expect(checkResult("text")).toEqual({ ok: true, value: "text" });
    // a backslash followed by u0000 is text, not NUL
    expect(checkResult(["\\u0000"])).toEqual({ ok: true, value: ["\\u0000"] });
  });

  it("refuses NUL anywhere, naming where", () => {
    expect(checkResult({ items: [{ text: "ok" }, { text: "a\u0000" }] })).toMatchObject({
      ok: false,
      problem: expect.stringContaining("at result.items[1].text"),
    });
    expect(checkResult({ "bad\u0000key": 1 })).toMatchObject({
      ok: false,
      problem: expect.stringContaining("at result (a key)"),
    });
  });

  it("refuses half of a surrogate pair anywhere, naming where", () => {
    expect(checkResult({ list: ["ok", "\uD83D"] })).toMatchObject({
      ok: false,
      problem: expect.stringContaining("half of a surrogate pair"),
    });
    expect(checkResult({ list: ["ok", "\uD83D"] })).toMatchObject({
      problem: expect.stringContaining("at result.list[1]"),
    });
    expect(checkResult({ "\uDE00": 1 })).toMatchObject({
      problem: expect.stringContaining("at result (a key)"),
    });
    expect(checkResult({ whole: "\u{1F600}" })).toEqual({
      ok: true,
      value: { whole: "\u{1F600}" },
    });
  });

  it("refuses values without a JSON form", () => {
    expect(checkResult({ big: 10n })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^the agent's result cannot be stored as JSON \(.*BigInt/),
    });
  });
});

describe("describeError", () => {
  it("keeps the message, storable and bounded", () => {
    expect(describeError(new Error("timeout"))).toBe("timeout");
    expect(describeError(Object.assign(new Error(""), { name: "AbortError" }))).toBe("AbortError");
    expect(describeError("plain text")).toBe("plain text");
    expect(describeError({ code: 42 })).toBe('a non-error value was thrown: {"code":42}');
    expect(describeError(undefined)).toBe("a non-error value was thrown: undefined");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError(cyclic)).toBe("a non-error value was thrown: [object Object]");
    expect(describeError(new Error("a\u0000b"))).toBe("a\uFFFDb");
    const long = describeError(new Error("x".repeat(5000)));
    expect(long).toHaveLength(MAX_ERROR_LENGTH);
    expect(long.endsWith("…")).toBe(true);
  });

  it("cuts by code point and repairs half surrogate pairs", () => {
    const emoji = "\u{1F600}";
    const cut = describeError(new Error(`${"x".repeat(MAX_ERROR_LENGTH - 2)}${emoji.repeat(10)}`));
    expect(cut.isWellFormed()).toBe(true);
    expect([...cut]).toHaveLength(MAX_ERROR_LENGTH);
    expect(cut.endsWith(`${emoji}…`)).toBe(true);
    expect(describeError(new Error("half \uD83D"))).toBe("half \uFFFD");
  });
});

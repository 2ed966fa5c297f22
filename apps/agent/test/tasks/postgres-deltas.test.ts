import { describe, expect, it } from "vitest";
import {
  DeltaSender,
  MAX_DELTA_PAYLOAD_BYTES,
  packDeltas,
  splitText,
  unpackDeltas,
} from "../../src/tasks/postgres-deltas.ts";
import type { TaskDelta } from "../../src/tasks/task-deltas.ts";

const ID = "0190a6f4-7d1c-7b2e-9f3a-5c6d7e8f9a0b";
const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const unpackAll = (payloads: string[]) => payloads.flatMap(unpackDeltas);

describe("packDeltas", () => {
  it("packs small deltas into one payload, in order", () => {
    const deltas = ["Hel", "lo, ", "world."].map((text) => ({ id: ID, attempt: 1, text }));
    const payloads = packDeltas(deltas);
    expect(payloads).toHaveLength(1);
    expect(unpackAll(payloads)).toEqual(deltas);
  });

  it("starts a new payload before one would pass the limit, keeping the order", () => {
    const deltas = Array.from({ length: 500 }, (_, n) => ({ id: ID, attempt: 2, text: `w${n} ` }));
    const payloads = packDeltas(deltas, 1_000);
    expect(payloads.length).toBeGreaterThan(10);
    for (const payload of payloads) expect(bytes(payload)).toBeLessThanOrEqual(1_000);
    expect(unpackAll(payloads)).toEqual(deltas);
  });

  it("splits a text longer than a payload, multi-byte characters, escapes and pairs kept whole", () => {
    // 4-byte emoji (a surrogate pair), 3-byte CJK, 2-byte accents, quotes and control
    // characters that JSON writes as escapes of 2 and 6 bytes
    const text = `${'😀漢é"\\\n\u0001a'.repeat(2_000)}end`;
    const payloads = packDeltas([{ id: ID, attempt: 1, text }]);
    expect(payloads.length).toBeGreaterThan(3);
    for (const payload of payloads) {
      expect(bytes(payload)).toBeLessThanOrEqual(MAX_DELTA_PAYLOAD_BYTES);
    }
    const pieces = unpackAll(payloads);
    expect(pieces.map((piece) => piece.text).join("")).toBe(text);
    for (const piece of pieces) {
      expect(piece).toMatchObject({ id: ID, attempt: 1 });
      // no piece starts or ends inside a surrogate pair
      expect(piece.text).toBe(Buffer.from(piece.text, "utf8").toString("utf8"));
    }
  });

  it("keeps deltas of different tasks apart and in order around a split one", () => {
    const deltas: TaskDelta[] = [
      { id: "a", attempt: 1, text: "before" },
      { id: "b", attempt: 1, text: "x".repeat(20_000) },
      { id: "a", attempt: 1, text: "after" },
    ];
    const pieces = unpackAll(packDeltas(deltas));
    expect(pieces[0]).toEqual(deltas[0]);
    expect(pieces.at(-1)).toEqual(deltas[2]);
    expect(
      pieces
        .slice(1, -1)
        .map((piece) => {
          expect(piece.id).toBe("b");
          return piece.text;
        })
        .join(""),
    ).toBe(deltas[1]?.text);
  });
});

describe("splitText", () => {
  it("cuts between code points within the budget, and keeps an empty text as one piece", () => {
    expect(splitText("😀😀😀", 8)).toEqual(["😀😀", "😀"]);
    expect(splitText("abc", 100)).toEqual(["abc"]);
    expect(splitText("", 10)).toEqual([""]);
  });
});

describe("unpackDeltas", () => {
  it("refuses payloads that are not lists of deltas", () => {
    expect(() => unpackDeltas("not json")).toThrow();
    expect(() => unpackDeltas('{"id":"a"}')).toThrow(/not a list of task deltas/);
    expect(() => unpackDeltas('[{"id":"a","attempt":"1","text":"x"}]')).toThrow(/task deltas/);
    expect(unpackDeltas('[{"id":"a","attempt":1,"text":"x","extra":true}]')).toEqual([
      { id: "a", attempt: 1, text: "x" },
    ]);
  });
});

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    warn: (_obj: object, msg?: string) => lines.push(`warn ${msg}`),
    info: (_obj: object, msg?: string) => lines.push(`info ${msg}`),
  };
}

describe("DeltaSender", () => {
  it("sends one payload at a time, and what is published meanwhile together in the next", async () => {
    const sent: string[] = [];
    let release = () => {};
    const sender = new DeltaSender({
      send: async (payload) => {
        sent.push(payload);
        if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    sender.publish({ id: ID, attempt: 1, text: "1" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
    sender.publish({ id: ID, attempt: 1, text: "2" });
    sender.publish({ id: ID, attempt: 1, text: "3" });
    const done = sender.sent();
    let settled = false;
    void done.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await done;
    expect(sent.map((payload) => unpackDeltas(payload).map((delta) => delta.text))).toEqual([
      ["1"],
      ["2", "3"],
    ]);
    await sender.sent();
  });

  it("drops text the database did not take, says so once, and says when it works again", async () => {
    const logger = recordingLogger();
    let failing = true;
    const sent: string[] = [];
    const sender = new DeltaSender({
      send: async (payload) => {
        if (failing) throw new Error("connection refused");
        sent.push(payload);
      },
      logger,
    });
    sender.publish({ id: ID, attempt: 1, text: "lost 1" });
    await sender.sent();
    sender.publish({ id: ID, attempt: 1, text: "lost 2" });
    await sender.sent();
    failing = false;
    sender.publish({ id: ID, attempt: 1, text: "kept" });
    await sender.sent();
    expect(unpackAll(sent).map((delta) => delta.text)).toEqual(["kept"]);
    expect(logger.lines).toEqual([
      expect.stringMatching(/^warn could not send task deltas through the database/),
      "info task deltas reach other processes again",
    ]);
  });

  it("bounds the text waiting for a slow database, dropping what does not fit", async () => {
    const logger = recordingLogger();
    let release = () => {};
    const sent: string[] = [];
    const sender = new DeltaSender({
      send: async (payload) => {
        sent.push(payload);
        if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      logger,
      maxQueuedChars: 10,
    });
    sender.publish({ id: ID, attempt: 1, text: "first" });
    await new Promise((resolve) => setImmediate(resolve));
    for (const text of ["12345", "67890", "dropped", "dropped too"]) {
      sender.publish({ id: ID, attempt: 1, text });
    }
    release();
    await sender.sent();
    expect(unpackAll(sent).map((delta) => delta.text)).toEqual(["first", "12345", "67890"]);
    expect(logger.lines).toEqual([expect.stringMatching(/^warn the database is not keeping up/)]);
  });
});

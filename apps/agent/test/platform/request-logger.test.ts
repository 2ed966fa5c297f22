import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { LazyRequestLogger } from "../../src/platform/request-logger.ts";

function capture(level = "info") {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, parent: pino({ level, base: null, timestamp: false }, sink) };
}

describe("LazyRequestLogger", () => {
  it("builds no pino child for lines below its level", () => {
    const { lines, parent } = capture("info");
    const child = vi.spyOn(parent, "child");
    const log = LazyRequestLogger.over(parent).child({ reqId: "r1" });
    log.debug({ a: 1 }, "hidden");
    log.trace("hidden too");
    log.silent();
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it("writes through one pino child carrying the bindings, at every level", () => {
    const { lines, parent } = capture("trace");
    const child = vi.spyOn(parent, "child");
    const log = LazyRequestLogger.over(parent).child({ reqId: "r2" });
    log.trace("t");
    log.debug("d");
    log.info({ n: 1 }, "i");
    log.warn("w");
    log.error("e");
    log.fatal("f");
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((line) => [line.level, line.reqId, line.msg])).toEqual([
      [10, "r2", "t"],
      [20, "r2", "d"],
      [30, "r2", "i"],
      [40, "r2", "w"],
      [50, "r2", "e"],
      [60, "r2", "f"],
    ]);
    expect(lines[2]).toMatchObject({ n: 1 });
  });

  it("follows a route's level (Fastify's logLevel) and a level set later", () => {
    const { lines, parent } = capture("info");
    const log = LazyRequestLogger.over(parent).child({ reqId: "r3" }, { level: "warn" });
    expect(log.level).toBe("warn");
    log.info("quiet route");
    log.warn("still told");
    log.level = "debug";
    log.debug("now shown");
    expect(lines.map((line) => line.msg)).toEqual(["still told", "now shown"]);
    expect(log.level).toBe("debug");
    expect(parent.level).toBe("info");
  });

  it("answers isLevelEnabled as pino does, following its own level", () => {
    const { parent } = capture("info");
    const log = LazyRequestLogger.over(parent).child({ reqId: "r5" }, { level: "warn" });
    expect(
      ["trace", "debug", "info", "warn", "error", "fatal"].map((level) =>
        log.isLevelEnabled(level),
      ),
    ).toEqual([false, false, false, true, true, true]);
    log.level = "debug";
    expect([log.isLevelEnabled("trace"), log.isLevelEnabled("debug")]).toEqual([false, true]);
    expect(log.isLevelEnabled("verbose")).toBe(false);
  });

  it("gives lazy children of its own that keep the request's bindings", () => {
    const { lines, parent } = capture("info");
    const child = vi.spyOn(parent, "child");
    const log = LazyRequestLogger.over(parent).child({ reqId: "r4" });
    const nested = log.child({ task: "t1" });
    nested.debug("hidden");
    expect(child).not.toHaveBeenCalled();
    nested.info("nested");
    log.info("outer");
    // one pino child for the request, one for the nested logger (pino's children inherit the spy)
    expect(child).toHaveBeenCalledTimes(2);
    expect(lines).toEqual([
      expect.objectContaining({ reqId: "r4", task: "t1", msg: "nested" }),
      expect.objectContaining({ reqId: "r4", msg: "outer" }),
    ]);
    expect(lines[1]).not.toHaveProperty("task");
  });

  it("writes the root's own lines through the logger it was given", () => {
    const { lines, parent } = capture("info");
    const child = vi.spyOn(parent, "child");
    const root = LazyRequestLogger.over(parent);
    root.info("from the root");
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.objectContaining({ msg: "from the root" })]);
    expect(root.level).toBe("info");
  });
});

import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/platform/logger.ts";
import { exitOnCrash } from "../../src/service.ts";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, sink };
}

describe("createLogger", () => {
  it("writes JSON lines with level names, ISO times, service and version", () => {
    const { lines, sink } = capture();
    const logger = createLogger({ logLevel: "info", logPretty: false, appVersion: "v9" }, sink);
    logger.debug("hidden");
    logger.info({ task: "t1" }, "hello");
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        service: "agent",
        version: "v9",
        task: "t1",
        msg: "hello",
      }),
    ]);
    expect(Number.isNaN(Date.parse(String(lines[0]?.time)))).toBe(false);
  });

  it("logs pretty through pino-pretty when asked", () => {
    const logger = createLogger({ logLevel: "warn", logPretty: true, appVersion: "dev" });
    expect(logger.level).toBe("warn");
    expect(logger.isLevelEnabled("info")).toBe(false);
  });

  it("falls back to JSON, saying so, when the pretty printer is not installed", () => {
    const { lines, sink } = capture();
    createLogger(
      { logLevel: "info", logPretty: true, appVersion: "dev" },
      sink,
      "no-such-pretty-printer",
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "LOG_PRETTY is set but no-such-pretty-printer is not installed; logging JSON",
      }),
    ]);
  });
});

describe("exitOnCrash", () => {
  it("turns an uncaught exception or rejection into one fatal JSON line and exit 1", () => {
    const proc = new EventEmitter();
    const written: string[] = [];
    const exits: number[] = [];
    exitOnCrash(proc, { write: (text: string) => written.push(text) > 0 }, (code) =>
      exits.push(code),
    );
    proc.emit("uncaughtException", new Error("boom"));
    proc.emit("unhandledRejection", "just a string");
    expect(exits).toEqual([1, 1]);
    const [first, second] = written.map((line) => JSON.parse(line));
    expect(first).toMatchObject({ level: "fatal", msg: "uncaughtException", service: "agent" });
    expect(first.err).toContain("Error: boom");
    expect(second).toMatchObject({ msg: "unhandledRejection", err: "just a string" });
  });
});

import { EventEmitter } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { BatchedStdout } from "../../src/platform/log-destination.ts";

function file() {
  const path = join(mkdtempSync(join(tmpdir(), "agent-log-")), "out.log");
  return { path, fd: openSync(path, "w"), read: () => readFileSync(path, "utf8") };
}

describe("BatchedStdout", () => {
  it("writes the lines of one event-loop turn together at the end of the turn", async () => {
    const out = file();
    const batched = new BatchedStdout(out.fd, new EventEmitter());
    batched.write("one\n");
    batched.write("two\n");
    expect(out.read()).toBe("");
    await nextTurn();
    expect(out.read()).toBe("one\ntwo\n");
    batched.write("three\n");
    await nextTurn();
    expect(out.read()).toBe("one\ntwo\nthree\n");
    closeSync(out.fd);
  });

  it("writes pending lines synchronously when the process exits or pino flushes", () => {
    const out = file();
    const proc = new EventEmitter();
    const batched = new BatchedStdout(out.fd, proc);
    batched.write("last words\n");
    proc.emit("exit", 1);
    expect(out.read()).toBe("last words\n");
    batched.write("flushed\n");
    let flushed = false;
    batched.flush(() => {
      flushed = true;
    });
    expect(flushed).toBe(true);
    expect(out.read()).toBe("last words\nflushed\n");
    closeSync(out.fd);
  });

  it("stops logging instead of crashing when the output is gone", async () => {
    const out = file();
    closeSync(out.fd);
    const batched = new BatchedStdout(out.fd, new EventEmitter());
    batched.write("into the void\n");
    await nextTurn();
    expect(batched.write("still fine\n")).toBe(true);
    await nextTurn();
    expect(out.read()).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import { AccessLog } from "../../src/platform/access-log.ts";

describe("AccessLog", () => {
  it("logs a request that ended in an error at error level with the error", () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const log = {
      error: (obj: Record<string, unknown>, msg: string) => lines.push(["error", obj, msg]),
      info: (obj: Record<string, unknown>, msg: string) => lines.push(["info", obj, msg]),
    };
    const request = { method: "GET", url: "/x", log } as never;
    const reply = { statusCode: 500, elapsedTime: 1.2345, log } as never;
    new AccessLog().requestCompleted(new Error("socket broke"), request, reply);
    expect(lines).toEqual([
      [
        "error",
        { method: "GET", url: "/x", statusCode: 500, responseTime: 1.23, err: expect.any(Error) },
        "request errored",
      ],
    ]);
  });

  it("asks a logger with isLevelEnabled first and builds no line it would drop", () => {
    const asked: string[] = [];
    const written: string[] = [];
    const log = {
      isLevelEnabled: (level: string) => {
        asked.push(level);
        return level === "info";
      },
      trace: () => written.push("trace"),
      debug: () => written.push("debug"),
      info: (_obj: unknown, msg: string) => written.push(`info ${msg}`),
    };
    const request = { method: "POST", url: "/tasks", log } as never;
    const access = new AccessLog();
    access.incomingRequest(request, {} as never);
    access.requestCompleted(null, request, { statusCode: 201, elapsedTime: 1, log } as never);
    access.requestCompleted(null, request, { statusCode: 409, elapsedTime: 1, log } as never);
    expect(asked).toEqual(["trace", "debug", "info"]);
    expect(written).toEqual(["info request completed"]);
  });
});

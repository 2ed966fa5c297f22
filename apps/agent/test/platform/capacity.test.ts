import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectionCapacity, openFileLimit } from "../../src/platform/capacity.ts";

describe("connection capacity", () => {
  it("reads the soft limit on open files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "limits-"));
    const file = join(dir, "limits");
    await writeFile(
      file,
      "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n",
    );
    expect(openFileLimit(file)).toBe(1024);
    await writeFile(
      file,
      "Max open files            unlimited            unlimited            files\n",
    );
    expect(openFileLimit(file)).toBeUndefined();
    expect(openFileLimit(join(dir, "missing"))).toBeUndefined();
    await rm(dir, { recursive: true });
  });

  it("keeps streams and connections inside the file limit, with headroom for probes", () => {
    expect(connectionCapacity({ eventsMaxStreams: 1000, databasePoolMax: 10 }, 1_048_576)).toEqual({
      maxConnections: 1_048_518,
      maxStreams: 1000,
    });
    expect(connectionCapacity({ eventsMaxStreams: 1000, databasePoolMax: 10 }, 256)).toEqual({
      maxConnections: 198,
      maxStreams: 166,
      lowered: { configured: 1000, fileLimit: 256 },
    });
    expect(connectionCapacity({ eventsMaxStreams: 1000, databasePoolMax: 10 }, undefined)).toEqual({
      maxConnections: undefined,
      maxStreams: 1000,
    });
  });
});

import { describe, expect, it } from "vitest";
import { insertPathPart } from "../src/transformers/value-add.ts";

describe("ValueAddTransformer's path insertion", () => {
  it("puts the part at its position, relative or absolute, clamped at both ends", () => {
    expect(insertPathPart("", 3, "v")).toBe("v");
    expect(insertPathPart("/", 0, "v")).toBe("/v");
    expect(insertPathPart("pie", 0, "v")).toBe("v/pie");
    expect(insertPathPart("/pie", -1, "v")).toBe("/v/pie");
    expect(insertPathPart("raw", 1, "v")).toBe("raw/v");
    expect(insertPathPart("/raw", 5, "v")).toBe("/raw/v");
    expect(insertPathPart("a/nice/warm/pie", 3, "v")).toBe("a/nice/warm/v/pie");
    expect(insertPathPart("/a/nice/warm/pie", 3, "v")).toBe("/a/nice/warm/v/pie");
    expect(insertPathPart("a/b", 1, "")).toBe("a/b");
    expect(insertPathPart("a//b/./c", 1, "v")).toBe("a/v/b/c");
  });
});

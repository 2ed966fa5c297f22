import { formatImageReference } from "@repo/kustomize-ts";
import { describe, expect, it } from "vitest";
import {
  findAppImage,
  imageEdit,
  pulledImage,
  readImages,
  sameImage,
} from "../src/deploy/image.ts";

describe("overlay image entries", () => {
  it("reads the images list, and names the file and entry when it is malformed", () => {
    expect(
      readImages("images:\n  - name: a\n    newTag: 1.0\n    digest: null\n", "k.yaml"),
    ).toEqual([{ name: "a", newTag: "1.0" }]);
    expect(readImages("resources: []\n", "k.yaml")).toEqual([]);
    expect(() => readImages("images: [\n", "k.yaml")).toThrow("k.yaml is not valid YAML");
    expect(() => readImages("images: nginx\n", "k.yaml")).toThrow(
      'k.yaml: key "images" must be a list',
    );
    expect(() => readImages("images:\n  - newTag: x\n", "k.yaml")).toThrow(
      'k.yaml: images[0] needs a "name"',
    );
  });

  it("finds the app's entry among several", () => {
    const images = [
      { name: "postgres", newTag: "16" },
      { name: "ghcr.io/o/r/agent", newTag: "t" },
      { name: "worker", newName: "ghcr.io/o/r/worker" },
    ];
    expect(findAppImage(images, "agent", "ghcr.io/o/r/agent")).toBe(images[1]);
    expect(findAppImage(images, "worker", "ghcr.io/o/r/worker")).toBe(images[2]);
    expect(findAppImage(images, "agent", undefined)).toBe(images[1]);
    expect(findAppImage(images, "postgres", undefined)).toBe(images[0]);
    expect(findAppImage(images, "other", undefined)).toBeUndefined();
    expect(findAppImage([images[0]!], "anything", undefined)).toBe(images[0]);
  });

  it("writes kustomize edit set image entries that replace the whole entry", () => {
    expect(imageEdit("app", { newTag: "1", digest: "sha256:x" })).toEqual({
      name: "app",
      newTag: "1",
      digest: "sha256:x",
    });
    expect(imageEdit("app", { newName: "reg/app", newTag: "1", digest: "" })).toEqual({
      name: "app",
      newName: "reg/app",
      newTag: "1",
    });
    expect(imageEdit("app", {})).toEqual({ name: "app", newName: "app" });
    expect(
      formatImageReference(pulledImage({ name: "app", newName: "reg/app", digest: "sha256:x" })),
    ).toBe("reg/app@sha256:x");
    expect(formatImageReference(pulledImage({ name: "localhost:5000/o/app", newTag: "1" }))).toBe(
      "localhost:5000/o/app:1",
    );
    expect(sameImage({ name: "a", newTag: "1" }, { name: "b", newName: "a", newTag: "1" })).toBe(
      true,
    );
    expect(sameImage(undefined, { name: "a" })).toBe(false);
    expect(sameImage(undefined, undefined)).toBe(true);
  });
});

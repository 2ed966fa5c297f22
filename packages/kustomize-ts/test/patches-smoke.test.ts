import { describe, expect, it } from "vitest";
import { applyJson6902 } from "../src/patches/json6902.ts";
import { strategicMerge } from "../src/patches/strategic-merge.ts";
import { applyReplacements } from "../src/transformers/replacements.ts";

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d" },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          { name: "a", image: "a" },
          { name: "b", image: "b" },
          { name: "c", image: "c" },
        ],
      },
    },
  },
});

describe("strategicMerge", () => {
  it("merges containers by name, patch elements first", () => {
    const out = strategicMerge(deployment(), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {
        template: {
          spec: {
            containers: [
              { name: "c", image: "c2" },
              { name: "new", image: "n" },
            ],
          },
        },
      },
    });
    expect(out?.spec).toEqual({
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: "c", image: "c2" },
            { name: "new", image: "n" },
            { name: "a", image: "a" },
            { name: "b", image: "b" },
          ],
        },
      },
    });
  });

  it("returns null for $patch: delete", () => {
    expect(
      strategicMerge(deployment(), {
        kind: "Deployment",
        metadata: { name: "d" },
        $patch: "delete",
      }),
    ).toBeNull();
  });
});

describe("applyJson6902", () => {
  it("replaces and adds", () => {
    const out = applyJson6902(
      deployment(),
      [
        { op: "replace", path: "/spec/replicas", value: 3 },
        { op: "add", path: "/spec/template/spec/containers/-", value: { name: "z" } },
      ],
      "patch.yaml",
    );
    expect(out.spec).toMatchObject({ replicas: 3 });
  });

  it("names the failing operation", () => {
    expect(() =>
      applyJson6902(deployment(), [{ op: "remove", path: "/spec/foo" }], "patch.yaml"),
    ).toThrow("error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo");
  });
});

describe("applyReplacements", () => {
  it("copies a value into targets, keeping the target's type", () => {
    const objects = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "src" }, data: { num: "5" } },
      deployment(),
    ];
    applyReplacements(
      objects,
      [
        {
          source: { kind: "ConfigMap", name: "src", fieldPath: "data.num" },
          targets: [{ select: { kind: "Deployment" }, fieldPaths: ["spec.replicas"] }],
        },
      ],
      "kustomization.yaml",
    );
    expect((objects[1] as ReturnType<typeof deployment>).spec.replicas).toBe(5);
  });
});

import { describe, expect, it } from "vitest";
import { KustomizeError } from "../src/api.ts";
import { applyJson6902 } from "../src/patches/json6902.ts";

const widget = () => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", labels: { app: "x", "a/b": "y", "t~": "z" } },
  spec: {
    replicas: 1,
    nothing: null,
    list: ["p", "q"],
    items: [{ name: "a" }, { name: "b" }],
  },
});

function apply(ops: unknown[]) {
  return applyJson6902(widget(), ops, "patch.yaml") as unknown as ReturnType<typeof widget> & {
    spec: Record<string, unknown>;
  };
}

function failure(ops: unknown): string {
  try {
    applyJson6902(widget(), ops, "patch.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(KustomizeError);
    return (error as Error).message;
  }
  throw new Error("expected the patch to fail");
}

describe("applyJson6902: operations as kustomize's json-patch library applies them", () => {
  it("does not modify its input", () => {
    const target = widget();
    applyJson6902(target, [{ op: "replace", path: "/spec/replicas", value: 3 }], "p");
    expect(target.spec.replicas).toBe(1);
  });

  it("adds to objects (overwriting) and inserts into arrays", () => {
    const out = apply([
      { op: "add", path: "/spec/replicas", value: 2 },
      { op: "add", path: "/spec/list/0", value: "first" },
      { op: "add", path: "/spec/list/-", value: "last" },
      { op: "add", path: "/spec/list/3", value: "at-end" },
    ]);
    expect(out.spec.replicas).toBe(2);
    expect(out.spec.list).toEqual(["first", "p", "q", "at-end", "last"]);
  });

  it("counts negative indexes from the end, -1 appending on add", () => {
    expect(apply([{ op: "add", path: "/spec/list/-1", value: "z" }]).spec.list).toEqual([
      "p",
      "q",
      "z",
    ]);
    expect(apply([{ op: "add", path: "/spec/list/-3", value: "z" }]).spec.list).toEqual([
      "z",
      "p",
      "q",
    ]);
    expect(apply([{ op: "remove", path: "/spec/list/-1" }]).spec.list).toEqual(["p"]);
    expect(apply([{ op: "replace", path: "/spec/list/-2", value: "P" }]).spec.list).toEqual([
      "P",
      "q",
    ]);
  });

  it("treats a missing value as null", () => {
    expect(apply([{ op: "add", path: "/spec/extra" }]).spec.extra).toBeNull();
  });

  it("replaces a missing object key by adding it", () => {
    expect(apply([{ op: "replace", path: "/spec/extra", value: 1 }]).spec.extra).toBe(1);
  });

  it("replaces the whole document with an object", () => {
    const out = applyJson6902(
      widget(),
      [
        {
          op: "replace",
          path: "",
          value: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
        },
      ],
      "p",
    );
    expect(out).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
  });

  it("decodes ~1 and ~0 in pointers", () => {
    const out = apply([
      { op: "replace", path: "/metadata/labels/a~1b", value: "slash" },
      { op: "remove", path: "/metadata/labels/t~0" },
    ]);
    expect(out.metadata.labels).toEqual({ app: "x", "a/b": "slash" });
  });

  it("moves and copies values", () => {
    const out = apply([
      { op: "copy", from: "/spec/items/0", path: "/spec/items/-" },
      { op: "move", from: "/spec/list", path: "/spec/moved" },
      { op: "move", from: "/spec/nothing", path: "/spec/wasNull" },
    ]);
    expect(out.spec.items).toEqual([{ name: "a" }, { name: "b" }, { name: "a" }]);
    expect(out.spec.moved).toEqual(["p", "q"]);
    expect(out.spec.list).toBeUndefined();
    expect(out.spec.wasNull).toBeNull();
  });

  it("copies are independent of their source", () => {
    const out = apply([
      { op: "copy", from: "/spec/items/0", path: "/spec/copy" },
      { op: "replace", path: "/spec/copy/name", value: "changed" },
    ]);
    expect(out.spec.items).toEqual([{ name: "a" }, { name: "b" }]);
  });

  it("passes tests on equal values, including null against a missing value", () => {
    expect(() =>
      apply([
        { op: "test", path: "/spec/items", value: [{ name: "a" }, { name: "b" }] },
        { op: "test", path: "/spec/nothing", value: null },
        { op: "test", path: "/spec/absent" },
        { op: "test", path: "/metadata/labels/app", value: "x" },
      ]),
    ).not.toThrow();
  });

  it.each([
    [
      [{ op: "remove", path: "/spec/foo" }],
      "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value",
    ],
    [
      [{ op: "add", path: "/spec/foo/bar", value: 1 }],
      'add operation does not apply: doc is missing path: "/spec/foo/bar": missing value',
    ],
    [
      [{ op: "add", path: "/spec/list/5", value: 1 }],
      "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced",
    ],
    [
      [{ op: "add", path: "/spec/list/-4", value: 1 }],
      "error in add for path: '/spec/list/-4': Unable to access invalid index: -4: invalid index referenced",
    ],
    [
      [{ op: "add", path: "/spec/list/x", value: 1 }],
      "error in add for path: '/spec/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
    ],
    [
      [{ op: "remove", path: "/spec/list/x" }],
      "error in remove for path: '/spec/list/x': strconv.Atoi: parsing \"x\": invalid syntax",
    ],
    [
      [{ op: "remove", path: "/spec/list/2" }],
      "error in remove for path: '/spec/list/2': Unable to access invalid index: 2: invalid index referenced",
    ],
    [
      [{ op: "remove", path: "/spec/list/-3" }],
      "Unable to access invalid index: -3: invalid index referenced",
    ],
    [
      [{ op: "remove", path: "/spec/missing/x" }],
      'remove operation does not apply: doc is missing path: "/spec/missing/x": missing value',
    ],
    [
      [{ op: "replace", path: "/spec/list/-", value: 1 }],
      "replace operation does not apply: doc is missing key: /spec/list/-: missing value",
    ],
    [
      [{ op: "replace", path: "/spec/nothing/x", value: 1 }],
      "replace operation does not apply: doc is missing path: /spec/nothing/x: missing value",
    ],
    [[{ op: "replace", path: "", value: 1 }], "replace operation value must be object or array"],
    [
      [{ op: "test", path: "/spec/replicas", value: 2 }],
      "testing value /spec/replicas failed: test failed",
    ],
    [[{ op: "test", path: "", value: {} }], "testing value  failed: test failed"],
    [
      [{ op: "test", path: "/spec/list/9", value: 1 }],
      "error in test for path: '/spec/list/9': Unable to access invalid index: 9",
    ],
    [
      [{ op: "test", path: "/nope/x", value: 1 }],
      "test operation does not apply: is missing path: /nope/x: missing value",
    ],
    [
      [{ op: "move", from: "/spec/x", path: "/spec/y" }],
      "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
    ],
    [
      [{ op: "move", from: "/nope/x", path: "/spec/y" }],
      "move operation does not apply: doc is missing from path: /nope/x: missing value",
    ],
    [
      [{ op: "move", from: "/spec/replicas", path: "/nope/y" }],
      "move operation does not apply: doc is missing destination path: /nope/y: missing value",
    ],
    [
      [{ op: "move", from: "/spec/replicas", path: "/spec/list/7" }],
      "error in move for path: '/spec/list/7': Unable to access invalid index: 7",
    ],
    [
      [{ op: "copy", from: "/nope/x", path: "/spec/y" }],
      "copy operation does not apply: doc is missing from path: /nope/x: missing value",
    ],
    [
      [{ op: "copy", from: "/spec/list/4", path: "/spec/y" }],
      "error in copy for from: '/spec/list/4': Unable to access invalid index: 4",
    ],
    [
      [{ op: "copy", from: "/spec/replicas", path: "/nope/y" }],
      "copy operation does not apply: doc is missing destination path: /nope/y: missing value",
    ],
    [
      [{ op: "copy", from: "/spec/replicas", path: "/spec/list/x" }],
      "error while adding value during copy: value was not a proper array index: 'x'",
    ],
    [[{ op: "merge", path: "/spec" }], "Unexpected kind: merge"],
    [[{ path: "/spec" }], "Unexpected kind: unknown"],
    [[{ op: "add", value: 1 }], "add operation failed to decode path: missing value"],
    [
      [{ op: "remove", path: 5 }],
      "remove operation failed to decode path: json: cannot unmarshal number into Go value of type string",
    ],
    [[{ op: "move", path: "/a" }], "move operation failed to decode from: missing value"],
    [
      [{ op: "add", path: "/spec/list/99999999999999999999", value: 1 }],
      'strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
  ])("fails like kustomize: %j", (ops, message) => {
    const text = failure(ops);
    expect(text).toContain(message);
    expect(text).toContain("patch.yaml");
  });

  it("refuses a patch that is not a list of operations", () => {
    expect(failure({ op: "add" })).toMatch(/must be a list of operations/);
    expect(failure(null)).toMatch(/got null/);
    expect(failure(["add"])).toMatch(/not an object/);
  });

  it("refuses to turn the resource into a non-object", () => {
    expect(failure([{ op: "replace", path: "", value: [1] }])).toMatch(/other than an object/);
    expect(
      failure([
        { op: "replace", path: "", value: [1] },
        { op: "add", path: "/a", value: 1 },
      ]),
    ).toMatch(/error in add for path: '\/a': value was not a proper array index/);
  });
});

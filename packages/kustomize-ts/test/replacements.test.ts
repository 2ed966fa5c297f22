/**
 * `replacements` as kustomize 5.5 applies them; expectations checked against
 * `kubectl kustomize`.
 */
import { describe, expect, it } from "vitest";
import { type KubernetesObject, KustomizeError } from "../src/api.ts";
import { applyReplacements } from "../src/transformers/replacements.ts";

type Obj = Record<string, unknown>;

function objects(): KubernetesObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "src", namespace: "default" },
      data: { num: "5", word: "abc", flag: "false", empty: "", list: "a,b,c" },
      spec: { n: 7, b: true, m: { k: "v" }, l: [1, 2] },
    },
    {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", labels: { app: "w" } },
      spec: {
        nul: null,
        str: "hello",
        int: 3,
        bool: true,
        float: 1.5,
        list: [
          { name: "a", v: 1 },
          { name: "b", v: 2 },
        ],
        prims: ["x", "y", "xy"],
        map: { k: "v" },
      },
    },
  ] as KubernetesObject[];
}

function replace(
  fieldPath: string,
  targetPaths: string[],
  options?: Obj,
  extraTarget: Obj = {},
): Obj {
  const objs = objects();
  applyReplacements(
    objs,
    [
      {
        source: { kind: "ConfigMap", fieldPath },
        targets: [{ select: { kind: "Widget" }, fieldPaths: targetPaths, options, ...extraTarget }],
      },
    ],
    "kustomization.yaml",
  );
  return objs[1]!.spec as Obj;
}

function failure(replacements: unknown[], objs = objects()): string {
  try {
    applyReplacements(objs, replacements, "kustomization.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(KustomizeError);
    return (error as Error).message;
  }
  throw new Error("expected the replacement to fail");
}

function failureOf(fieldPath: string, targetPaths: string[], options?: Obj): string {
  return failure([
    {
      source: { kind: "ConfigMap", fieldPath },
      targets: [{ select: { kind: "Widget" }, fieldPaths: targetPaths, options }],
    },
  ]);
}

describe("applyReplacements: values keep the target field's type", () => {
  it.each([
    ["data.num", "spec.int", 5],
    ["data.flag", "spec.bool", false],
    ["spec.n", "spec.str", "7"],
    ["spec.n", "spec.float", 7],
    ["data.empty", "spec.str", ""],
    ["spec.m", "spec.str", ""],
  ])("%s into %s", (from, to, expected) => {
    expect(replace(from, [to])[to.split(".")[1]!]).toEqual(expected);
  });

  it("replaces maps and lists whole", () => {
    expect(replace("spec.l", ["spec.map"]).map).toEqual([1, 2]);
    expect(replace("spec.m", ["spec.list.0"]).list).toEqual([{ k: "v" }, { name: "b", v: 2 }]);
  });

  it.each([
    ["data.num", "spec.nul", "cannot decode !!int `5` as a !!null"],
    ["data.word", "spec.bool", "cannot decode !!str `abc` as a !!bool"],
    ["spec.b", "spec.int", "cannot decode !!bool `true` as a !!int"],
    ["data.word", "spec.float", "cannot decode !!str `abc` as a !!float"],
  ])("refuses %s into %s", (from, to, message) => {
    expect(failureOf(from, [to])).toContain(message);
  });
});

describe("applyReplacements: target paths", () => {
  it("matches list entries by unanchored regular expression", () => {
    expect(replace("data.num", ["spec.prims.[=x]"]).prims).toEqual(["5", "y", "5"]);
    expect(replace("data.num", ["spec.list.[v=1].v"]).list).toEqual([
      { name: "a", v: 5 },
      { name: "b", v: 2 },
    ]);
  });

  it("visits every list element with *", () => {
    expect(replace("data.num", ["spec.list.*.v"]).list).toEqual([
      { name: "a", v: 5 },
      { name: "b", v: 5 },
    ]);
  });

  it("creates missing fields and entries, typed by the text they get", () => {
    const spec = replace(
      "data.num",
      ["spec.x.y", "spec.prims.[=z]", "spec.list.[name=c].name", "spec.new.0"],
      { create: true },
    );
    expect(spec.x).toEqual({ y: 5 });
    expect(spec.prims).toEqual(["x", "y", "xy", 5]);
    expect(spec.list).toEqual([{ name: "a", v: 1 }, { name: "b", v: 2 }, { name: 5 }]);
    expect(spec.new).toEqual([5]);
    expect(replace("data.num", ["spec.list.2"], { create: true }).list).toEqual([
      { name: "a", v: 1 },
      { name: "b", v: 2 },
      5,
    ]);
  });

  it("creates nested maps from a map value", () => {
    expect(replace("spec.m", ["spec.new.deep"], { create: true }).new).toEqual({
      deep: { k: "v" },
    });
  });

  it("splices values with a delimiter", () => {
    expect(replace("data.num", ["spec.str"], { delimiter: "l", index: 1 }).str).toBe("hel5lo");
    expect(replace("data.num", ["spec.str"], { delimiter: "l", index: -1 }).str).toBe("5lhello");
    expect(replace("data.num", ["spec.str"], { delimiter: "l", index: 9 }).str).toBe("hellol5");
    expect(replace("data.list", ["spec.new"], { create: true, delimiter: ",", index: 1 }).new).toBe(
      ",a,b,c",
    );
  });

  it("reads sources by index, last element and exact list entry", () => {
    expect(replace("spec.l.1", ["spec.str"]).str).toBe("2");
    expect(replace("spec.l.-", ["spec.str"]).str).toBe("2");
    expect(replace("spec.l.[=2]", ["spec.str"]).str).toBe("2");
  });

  it("reads a piece of the source with a delimiter", () => {
    const objs = objects();
    applyReplacements(
      objs,
      [
        {
          source: {
            kind: "ConfigMap",
            fieldPath: "data.list",
            options: { delimiter: ",", index: 2 },
          },
          targets: [{ select: { kind: "Widget" }, fieldPaths: ["spec.str"] }],
        },
      ],
      "k",
    );
    expect((objs[1]!.spec as Obj).str).toBe("c");
  });

  it.each([
    ["spec.nope", undefined, 'unable to find field "spec.nope" in replacement target'],
    ["spec.map.*", undefined, "expected SequenceNode but got MappingNode"],
    ["spec.str.x", undefined, "expected MappingNode but got ScalarNode"],
    ["spec.list.x", undefined, "expected MappingNode but got SequenceNode"],
    ["spec.list.-1", undefined, "expected MappingNode but got SequenceNode"],
    ["spec.map.[k]", undefined, "list path element must contain fieldName=fieldValue"],
    ["spec.list.[name=(].v", undefined, "error parsing regexp"],
    ["spec.list.5", undefined, "index 5 specified but only 2 elements found"],
    ["spec.map.0", undefined, "expected SequenceNode but got MappingNode"],
    ["spec.str.[a=b]", undefined, "expected SequenceNode but got ScalarNode"],
    ["spec.map", { delimiter: "," }, "delimiter option can only be used with scalar nodes"],
    ["spec.nope", { create: false }, "unable to find field"],
  ])("fails on target %s", (path, options, message) => {
    expect(failureOf("data.word", [path], options)).toContain(message);
  });
});

describe("applyReplacements: selecting sources and targets", () => {
  it("uses metadata.name when no field path is given", () => {
    const objs = objects();
    applyReplacements(
      objs,
      [
        {
          source: { kind: "ConfigMap" },
          targets: [{ select: { kind: "Widget" }, fieldPaths: ["spec.str"] }],
        },
      ],
      "k",
    );
    expect((objs[1]!.spec as Obj).str).toBe("src");
    applyReplacements(
      objs,
      [{ source: { kind: "ConfigMap" }, targets: [{ select: { kind: "Widget" } }] }],
      "k",
    );
    expect(objs[1]!.metadata.name).toBe("src");
  });

  it("treats the default namespace as no namespace", () => {
    const objs = objects();
    applyReplacements(
      objs,
      [
        {
          source: { kind: "ConfigMap", namespace: "default", fieldPath: "data.word" },
          targets: [{ select: { namespace: "default", kind: "Widget" }, fieldPaths: ["spec.str"] }],
        },
      ],
      "k",
    );
    expect((objs[1]!.spec as Obj).str).toBe("abc");
  });

  it("selects by labels and rejects by id or labels", () => {
    const run = (target: Obj) => {
      const objs = objects();
      applyReplacements(
        objs,
        [
          {
            source: { kind: "ConfigMap", fieldPath: "data.word" },
            targets: [{ fieldPaths: ["spec.str"], ...target }],
          },
        ],
        "k",
      );
      return (objs[1]!.spec as Obj).str;
    };
    expect(run({ select: { labelSelector: "app in (w,x)" } })).toBe("abc");
    expect(run({ select: { labelSelector: "app = w , x notin (a, b),!zz" } })).toBe("abc");
    expect(run({ select: { annotationSelector: "missing" } })).toBe("hello");
    expect(run({ select: { name: "w" }, reject: [{ kind: "Widget" }] })).toBe("hello");
    expect(run({ select: { group: "example.com" }, reject: [{ labelSelector: "app=w" }] })).toBe(
      "hello",
    );
    expect(run({ select: { version: "v1", kind: "Widget" }, reject: [{}] })).toBe("abc");
  });

  it("matches resources by the ids they had before renames", () => {
    const objs = objects();
    applyReplacements(
      objs,
      [
        {
          source: { kind: "ConfigMap", name: "old-src", fieldPath: "data.word" },
          targets: [{ select: { name: "old-w" }, fieldPaths: ["spec.str"] }],
        },
      ],
      "k",
      (obj) => [{ kind: obj.kind, name: `old-${obj.metadata.name}`, namespace: "" }],
    );
    expect((objs[1]!.spec as Obj).str).toBe("abc");
  });

  it("matches resources by kustomize's previous-name annotations", () => {
    const objs = objects();
    objs[0]!.metadata.annotations = {
      "config.kubernetes.io/previousNames": "first,second",
      "config.kubernetes.io/previousKinds": "ConfigMap,ConfigMap",
      "config.kubernetes.io/previousNamespaces": "default,default",
    };
    applyReplacements(
      objs,
      [
        {
          source: { name: "first", fieldPath: "data.word" },
          targets: [{ select: { kind: "Widget" }, fieldPaths: ["spec.str"] }],
        },
      ],
      "k",
    );
    expect((objs[1]!.spec as Obj).str).toBe("abc");
  });

  it.each([
    [
      [{ source: { kind: "ConfigMap", name: "nope", fieldPath: "data.word" }, targets: [] }],
      "nothing selected by ConfigMap.[noVer].[noGrp]/nope.[noNs]:data.word",
    ],
    [
      [{ source: { version: "v1", fieldPath: "data.word" }, targets: [] }],
      "multiple matches for selector [noKind].v1.[noGrp]/[noName].[noNs]:data.word",
    ],
    [
      [{ source: { kind: "ConfigMap", fieldPath: "data.nope" }, targets: [] }],
      "fieldPath `data.nope` is missing for replacement source ConfigMap.[noVer].[noGrp]/[noName].[noNs]",
    ],
    [
      [{ source: { kind: "ConfigMap", fieldPath: "spec.m.k.x" }, targets: [] }],
      "error looking up replacement source",
    ],
    [
      [
        {
          source: {
            kind: "ConfigMap",
            fieldPath: "data.list",
            options: { delimiter: ",", index: 3 },
          },
          targets: [],
        },
      ],
      "options.index 3 is out of bounds for value a,b,c",
    ],
    [
      [
        {
          source: { kind: "ConfigMap", fieldPath: "spec.m", options: { delimiter: "," } },
          targets: [],
        },
      ],
      "delimiter option can only be used with scalar nodes",
    ],
    [
      [{ source: { kind: "ConfigMap" } }],
      "replacements must specify a source and at least one target",
    ],
    [[{ targets: [] }], "replacements must specify a source and at least one target"],
    [
      [{ source: { kind: "ConfigMap" }, targets: [{ fieldPaths: ["a"] }] }],
      "target must specify resources to select",
    ],
    [[{ source: { kind: "ConfigMap", bogus: 1 }, targets: [] }], 'unknown field "bogus"'],
    [[{ path: "r.yaml" }], "must be loaded before"],
    [["text"], "each replacement must be a map"],
    [[{ source: [], targets: [] }], '"source" must be a map'],
    [[{ source: { kind: "ConfigMap" }, targets: {} }], '"targets" must be a list'],
    [[{ source: { kind: "ConfigMap" }, targets: ["x"] }], "each target must be a map"],
    [[{ source: { kind: "ConfigMap" }, targets: [{ select: "x" }] }], '"select" must be a map'],
    [
      [{ source: { kind: "ConfigMap" }, targets: [{ select: {}, reject: {} }] }],
      '"reject" must be a list',
    ],
    [
      [{ source: { kind: "ConfigMap" }, targets: [{ select: {}, fieldPaths: "a" }] }],
      '"fieldPaths" must be a list',
    ],
    [[{ source: { kind: "ConfigMap", options: [] }, targets: [] }], '"options" must be a map'],
    [
      [{ source: { kind: "ConfigMap", options: { index: "1" } }, targets: [] }],
      '"options.index" must be an integer',
    ],
    [
      [{ source: { kind: "ConfigMap", options: { create: "yes" } }, targets: [] }],
      '"options.create" must be a boolean',
    ],
    [[{ source: { kind: { a: 1 } }, targets: [] }], 'field "kind" must be a string'],
    [
      [
        {
          source: { kind: "ConfigMap" },
          targets: [{ select: { labelSelector: "app in (w" }, fieldPaths: ["a"] }],
        },
      ],
      "unable to parse requirement",
    ],
  ])("fails: %j", (replacements, message) => {
    const text = failure(replacements);
    expect(text).toContain(message);
    expect(text).toContain("kustomization.yaml");
  });
});

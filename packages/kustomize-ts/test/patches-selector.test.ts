import { describe, expect, it } from "vitest";
import { hasMergeStrategy, Schema } from "../src/patches/schema.ts";
import {
  isClusterScoped,
  matchesLabelSelector,
  matchesSelector,
  parseGroupVersion,
  resIdString,
  resIdsOf,
} from "../src/patches/selector.ts";

const id = (
  over: Partial<Record<"group" | "version" | "kind" | "name" | "namespace", string>> = {},
) => ({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  name: "c",
  namespace: "",
  ...over,
});
const any = { group: "", version: "", kind: "", name: "", namespace: "" };

describe("resource ids", () => {
  it("splits apiVersion into group and version", () => {
    expect(parseGroupVersion("apps/v1")).toEqual(["apps", "v1"]);
    expect(parseGroupVersion("v1")).toEqual(["", "v1"]);
  });

  it("prints ids as kustomize does", () => {
    expect(resIdString(id())).toBe("ConfigMap.v1.[noGrp]/c.[noNs]");
    expect(resIdString(any)).toBe("[noKind].[noVer].[noGrp]/[noName].[noNs]");
    expect(resIdString(id({ group: "apps", namespace: "n" }))).toBe("ConfigMap.v1.apps/c.n");
  });

  it("lists previous ids recorded in build annotations", () => {
    const annotations = {
      "config.kubernetes.io/previousNames": "a,b",
      "config.kubernetes.io/previousKinds": "ConfigMap,Secret",
      "config.kubernetes.io/previousNamespaces": "x,",
    };
    const ids = resIdsOf({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", annotations },
    });
    expect(ids.map(resIdString)).toEqual([
      "ConfigMap.v1.[noGrp]/c.[noNs]",
      "ConfigMap.v1.[noGrp]/a.x",
      "Secret.v1.[noGrp]/b.[noNs]",
    ]);
    const broken = { ...annotations, "config.kubernetes.io/previousKinds": "ConfigMap" };
    expect(
      resIdsOf({ kind: "ConfigMap", metadata: { name: "c", annotations: broken } }),
    ).toHaveLength(1);
    expect(resIdsOf({ metadata: { name: 5 as unknown as string } })[0]!.name).toBe("5");
  });

  it("selects with empty fields as wildcards and default as no namespace", () => {
    expect(matchesSelector(id(), any)).toBe(true);
    expect(matchesSelector(id(), { ...any, namespace: "default" })).toBe(true);
    expect(matchesSelector(id({ namespace: "default" }), { ...any, namespace: "default" })).toBe(
      true,
    );
    expect(matchesSelector(id({ namespace: "x" }), { ...any, namespace: "default" })).toBe(false);
    expect(matchesSelector(id(), { ...any, group: "apps" })).toBe(false);
    expect(matchesSelector(id(), { ...any, version: "v2" })).toBe(false);
    expect(matchesSelector(id(), { ...any, kind: "Secret" })).toBe(false);
    expect(matchesSelector(id(), { ...any, name: "d" })).toBe(false);
  });

  it("ignores namespaces of cluster-scoped kinds", () => {
    expect(isClusterScoped("ClusterRole")).toBe(true);
    expect(
      matchesSelector(id({ kind: "ClusterRole", namespace: "a" }), {
        ...any,
        kind: "ClusterRole",
        namespace: "b",
      }),
    ).toBe(true);
  });
});

describe("label selectors", () => {
  const labels = { app: "web", tier: "2", empty: "" };
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["missing!=x", true],
    ["app in (web, api)", true],
    ["app in (api)", false],
    ["missing in (x)", false],
    ["app notin (api)", true],
    ["missing notin (x)", true],
    ["app notin (web)", false],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["tier>1", true],
    ["tier<1", false],
    ["app>1", false],
    ["missing>1", false],
    ["app=web,tier=2", true],
    ["app=web,tier=3", false],
    ["empty=", true],
  ])("%s -> %s", (selector, expected) => {
    expect(matchesLabelSelector(labels, selector)).toBe(expected);
  });

  it("matches an empty selector against missing labels", () => {
    expect(matchesLabelSelector(undefined, "")).toBe(true);
    expect(matchesLabelSelector(undefined, "a")).toBe(false);
  });

  it("refuses what it cannot parse", () => {
    expect(() => matchesLabelSelector(labels, "app in (web")).toThrow(
      /unable to parse requirement/,
    );
    expect(() => matchesLabelSelector(labels, "tier>x")).toThrow(/invalid label selector/);
  });
});

describe("merge schema", () => {
  it("knows built-in kinds by apiVersion and kind", () => {
    expect(Schema.builtIn.forType("apps/v1", "Deployment")).toBeDefined();
    expect(Schema.builtIn.forType("v1", "ConfigMap")).toBeDefined();
    expect(Schema.builtIn.forType("example.com/v1", "Widget")).toBeUndefined();
    expect(Schema.builtIn.forType("", "Deployment")).toBeUndefined();
    expect(Schema.builtIn.forType(1, "Deployment")).toBeUndefined();
  });

  it("walks to the containers list and its merge key", () => {
    const spec = Schema.builtIn.field(
      Schema.builtIn.field(
        Schema.builtIn.field(Schema.builtIn.forType("apps/v1", "Deployment"), "spec"),
        "template",
      ),
      "spec",
    );
    const containers = Schema.builtIn.field(spec, "containers");
    expect(hasMergeStrategy(containers)).toBe(true);
    expect(hasMergeStrategy(Schema.builtIn.field(spec, "tolerations"))).toBe(false);
    expect(hasMergeStrategy(Schema.builtIn.field(Schema.builtIn.element(containers), "args"))).toBe(
      false,
    );
    expect(Schema.builtIn.field(undefined, "x")).toBeUndefined();
    expect(Schema.builtIn.element(undefined)).toBeUndefined();
    expect(Schema.builtIn.element(Schema.builtIn.field(spec, "tolerations"))).toBeDefined();
  });
});

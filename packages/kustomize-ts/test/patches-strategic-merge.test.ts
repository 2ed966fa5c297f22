/**
 * Strategic merge as kustomize 5.5 does it. Every expectation here was checked against
 * `kubectl kustomize` (kustomize v5.5.0), including its surprising list behaviours.
 */
import { describe, expect, it } from "vitest";
import { type KubernetesObject, KustomizeError } from "../src/api.ts";
import { strategicMerge } from "../src/patches/strategic-merge.ts";

type Obj = Record<string, unknown>;

function deployment(podSpec: Obj, extra: Obj = {}): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: { template: { spec: podSpec } },
    ...extra,
  } as KubernetesObject;
}

function podSpecOf(obj: KubernetesObject | null): Obj {
  if (!obj) throw new Error("the patch deleted the object");
  return ((obj.spec as Obj).template as Obj).spec as Obj;
}

function mergePod(target: Obj, patch: Obj): Obj {
  return podSpecOf(
    strategicMerge(deployment(target), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: { template: { spec: patch } },
    }),
  );
}

function service(ports: Obj[]): KubernetesObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports } };
}

function mergePorts(target: Obj[], patch: Obj[]): unknown {
  const out = strategicMerge(service(target), {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s" },
    spec: { ports: patch },
  });
  if (!out) throw new Error("the patch deleted the object");
  return (out.spec as Obj).ports;
}

describe("strategicMerge: lists with a merge key", () => {
  it("puts the patch's elements first, then the target's others", () => {
    const out = mergePod(
      { containers: [{ name: "a", image: "a" }, { name: "b", image: "b" }, { name: "c" }] },
      {
        containers: [
          { name: "c", image: "c2" },
          { name: "new", image: "n" },
        ],
      },
    );
    expect(out.containers).toEqual([
      { name: "c", image: "c2" },
      { name: "new", image: "n" },
      { name: "a", image: "a" },
      { name: "b", image: "b" },
    ]);
  });

  it("merges nested lists by their own keys (env by name, volumeMounts by mountPath)", () => {
    const out = mergePod(
      {
        containers: [
          {
            name: "app",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            volumeMounts: [{ name: "data", mountPath: "/data" }],
          },
        ],
      },
      {
        containers: [
          {
            name: "app",
            env: [
              { name: "B", $patch: "delete" },
              { name: "C", value: "3" },
            ],
            volumeMounts: [{ name: "other", mountPath: "/data", readOnly: true }],
          },
        ],
      },
    );
    expect(out.containers).toEqual([
      {
        name: "app",
        env: [
          { name: "C", value: "3" },
          { name: "A", value: "1" },
        ],
        volumeMounts: [{ name: "other", mountPath: "/data", readOnly: true }],
      },
    ]);
  });

  it("empties the list when a patch element lacks the merge key", () => {
    const out = mergePod(
      { containers: [{ name: "a", image: "a" }] },
      { containers: [{ image: "x" }] },
    );
    expect(out.containers).toEqual([]);
  });

  it("drops duplicates of the target when the patch touches the list", () => {
    const out = mergePod(
      { imagePullSecrets: [{ name: "s2" }, { name: "s2" }, { name: "s1" }], containers: [] },
      { containers: [] },
    );
    expect(out.imagePullSecrets).toEqual([{ name: "s2" }, { name: "s1" }]);
  });

  it("merges finalizers as a set, the patch's first", () => {
    const out = strategicMerge(
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "n", finalizers: ["kubernetes", "audit"] },
      },
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "n", finalizers: ["cleanup", "kubernetes"] },
      },
    );
    expect(out?.metadata.finalizers).toEqual(["cleanup", "kubernetes", "audit"]);
  });

  it("replaces lists that have no merge strategy (args, tolerations)", () => {
    const out = mergePod(
      { tolerations: [{ key: "a" }], containers: [{ name: "c", args: ["1", "2"] }] },
      { tolerations: [{ key: "b" }], containers: [{ name: "c", args: ["3"] }] },
    );
    expect(out.tolerations).toEqual([{ key: "b" }]);
    expect(out.containers).toEqual([{ name: "c", args: ["3"] }]);
  });
});

describe("strategicMerge: ports keyed by port and protocol", () => {
  it.each([
    [[{ port: 80 }], [{ port: 80, protocol: "UDP" }], [{ port: 80 }]],
    [[{ port: 80, protocol: "TCP" }], [{ port: 80 }], [{ port: 80, protocol: "TCP" }]],
    [[{ port: 80 }], [{ port: 80, name: "x" }], [{ port: 80, name: "x" }]],
    [
      [{ port: 80, protocol: "TCP" }],
      [{ port: 80, protocol: "UDP" }],
      [
        { port: 80, protocol: "UDP" },
        { port: 80, protocol: "TCP" },
      ],
    ],
    [
      [{ port: 80, name: "a" }, { port: 81 }],
      [{ port: 81, protocol: "UDP", name: "b" }],
      [{ port: 80, name: "a" }, { port: 81 }],
    ],
    [
      [{ port: 70, protocol: "TCP" }, { port: 71 }],
      [{ port: 72 }],
      [{ port: 72 }, { port: 70, protocol: "TCP" }, { port: 71 }],
    ],
    [
      [
        { name: "http", port: 80, targetPort: 8080 },
        { name: "dns", port: 53, protocol: "UDP" },
      ],
      [
        { port: 53, protocol: "TCP", name: "dns-tcp" },
        { port: 80, targetPort: 9090 },
        { port: 443, name: "https" },
      ],
      [
        { port: 53, protocol: "TCP", name: "dns-tcp" },
        { port: 443, name: "https" },
        { name: "http", port: 80, targetPort: 9090 },
        { name: "dns", port: 53, protocol: "UDP" },
      ],
    ],
  ])("%j + %j", (target, patch, expected) => {
    expect(mergePorts(target, patch)).toEqual(expected);
  });
});

describe("strategicMerge: directives", () => {
  it("replaces a list with $patch: replace, dropping the directive", () => {
    const out = mergePod(
      { containers: [{ name: "a", image: "a" }, { name: "b" }] },
      { containers: [{ name: "a", ports: [{ containerPort: 81 }] }, { $patch: "replace" }] },
    );
    expect(out.containers).toEqual([{ name: "a", ports: [{ containerPort: 81 }] }]);
  });

  it("keeps a list directive literally where the target has no such list", () => {
    const out = mergePod(
      {},
      { initContainers: [{ name: "d", ports: [{ $patch: "merge" }, { $patch: "delete" }] }] },
    );
    expect(out.initContainers).toEqual([{ name: "d", ports: [{ $patch: "delete" }] }]);
  });

  it("replaces and deletes maps", () => {
    const out = mergePod(
      {
        containers: [{ name: "a", resources: { limits: { cpu: "1" } }, securityContext: { x: 1 } }],
      },
      {
        containers: [
          {
            name: "a",
            resources: { $patch: "replace", requests: { cpu: "2" } },
            securityContext: { $patch: "delete" },
          },
        ],
      },
    );
    expect(out.containers).toEqual([{ name: "a", resources: { requests: { cpu: "2" } } }]);
  });

  it("deletes the whole object", () => {
    expect(strategicMerge(deployment({}), { kind: "Deployment", $patch: "delete" })).toBeNull();
  });

  it("ignores $patch: replace at the top of the patch, as kustomize does", () => {
    const target = deployment({ containers: [{ name: "a" }] }, { metadata: { name: "d" } });
    const out = strategicMerge(target, {
      kind: "Deployment",
      $patch: "replace",
      spec: { replicas: 2 },
    });
    expect(out).toEqual(target);
  });

  it("leaves keys it does not interpret ($setElementOrder, $retainKeys) in place", () => {
    const out = mergePod(
      { containers: [{ name: "a" }] },
      { "$setElementOrder/containers": [{ name: "a" }], $retainKeys: ["containers"] },
    );
    expect(out["$setElementOrder/containers"]).toEqual([{ name: "a" }]);
    expect(out.$retainKeys).toEqual(["containers"]);
  });

  it("fails on an unknown directive, except on elements the target lacks", () => {
    expect(() =>
      mergePod({ containers: [{ name: "a" }] }, { containers: [{ $patch: "bogus" }] }),
    ).toThrow("unknown patch strategy 'bogus'");
    expect(() =>
      mergePod({ containers: [{ name: "a" }] }, { containers: [{ name: "a", $patch: "bogus" }] }),
    ).toThrow("unknown patch strategy 'bogus'");
    expect(mergePod({ containers: [] }, { containers: [{ name: "a", $patch: "bogus" }] })).toEqual({
      containers: [{ name: "a", $patch: "bogus" }],
    });
  });
});

describe("strategicMerge: maps, scalars and nulls", () => {
  it("deletes fields set to null and keeps the target's own nulls", () => {
    const target = deployment({ containers: [], hostname: "h", subdomain: null });
    const out = strategicMerge(target, {
      kind: "Deployment",
      metadata: { name: "d", labels: null },
      spec: { template: { spec: { hostname: null, extra: null } } },
    });
    expect(podSpecOf(out)).toEqual({ containers: [], subdomain: null });
  });

  it("adds maps and lists the target lacks", () => {
    const out = mergePod({}, { nodeSelector: { a: "b" }, volumes: [{ name: "v", emptyDir: {} }] });
    expect(out).toEqual({ nodeSelector: { a: "b" }, volumes: [{ name: "v", emptyDir: {} }] });
  });

  it("keeps both volume sources: kustomize does not honour retainKeys", () => {
    const out = mergePod(
      { volumes: [{ name: "v", emptyDir: {} }] },
      { volumes: [{ name: "v", configMap: { name: "c" } }] },
    );
    expect(out.volumes).toEqual([{ name: "v", emptyDir: {}, configMap: { name: "c" } }]);
  });

  it("replaces every list of a custom resource, but merges maps", () => {
    const out = strategicMerge(
      {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w", finalizers: ["a", "b"] },
        spec: { items: [{ name: "one" }, { name: "two" }], settings: { color: "red" } },
      },
      {
        kind: "Widget",
        metadata: { name: "w", finalizers: ["c"] },
        spec: { items: [{ name: "two", size: 2 }], settings: { size: "large" } },
      },
    );
    expect(out?.metadata.finalizers).toEqual(["c"]);
    expect(out?.spec).toEqual({
      items: [{ name: "two", size: 2 }],
      settings: { color: "red", size: "large" },
    });
  });

  it("uses the schema of an object embedded with its own apiVersion and kind", () => {
    const embedded = (containers: Obj[]) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      spec: { template: { spec: { containers } } },
    });
    const out = strategicMerge(
      {
        apiVersion: "example.com/v1",
        kind: "Holder",
        metadata: { name: "h" },
        spec: { inner: embedded([{ name: "a", image: "1" }, { name: "b" }]) },
      },
      {
        kind: "Holder",
        spec: {
          inner: { spec: { template: { spec: { containers: [{ name: "a", image: "2" }] } } } },
        },
      },
    );
    expect(out?.spec).toEqual({ inner: embedded([{ name: "a", image: "2" }, { name: "b" }]) });
  });

  it("fails when the patch has another node kind than the target", () => {
    const target = deployment({ containers: [{ name: "a" }] });
    expect(() => strategicMerge(target, { kind: "Deployment", spec: { template: 5 } })).toThrow(
      /wrong node kind: expected MappingNode but got ScalarNode/,
    );
    expect(() =>
      strategicMerge(
        target,
        { kind: "Deployment", spec: { template: { spec: { containers: { name: "a" } } } } },
        {
          source: "patch.yaml",
        },
      ),
    ).toThrow(KustomizeError);
    expect(() => mergePod({ containers: ["x"] }, { containers: [{ name: "a" }] })).toThrow(
      /expected MappingNode but got ScalarNode/,
    );
    expect(() => mergePod({}, { finalizers: [] })).not.toThrow();
  });
});

describe("strategicMerge: identity of the target", () => {
  const target = (): KubernetesObject =>
    ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "prod" },
      spec: {},
    }) as KubernetesObject;

  it("keeps name, namespace and kind unless the options allow a change", () => {
    const patch = {
      apiVersion: "v9",
      kind: "StatefulSet",
      metadata: { name: "other", namespace: "elsewhere" },
      spec: { replicas: 2 },
    };
    expect(strategicMerge(target(), patch)).toEqual({ ...target(), spec: { replicas: 2 } });
    const renamed = strategicMerge(target(), patch, {
      allowNameChange: true,
      allowKindChange: true,
    });
    expect(renamed).toEqual({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "other", namespace: "prod" },
      spec: { replicas: 2 },
    });
  });

  it("does not add a namespace to a resource that has none", () => {
    const out = strategicMerge(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      { kind: "ConfigMap", metadata: { name: "c", namespace: "x", labels: { a: "b" } } },
    );
    expect(out?.metadata).toEqual({ name: "c", labels: { a: "b" } });
  });

  it("does not modify its inputs", () => {
    const t = target();
    const patch = {
      kind: "Deployment",
      spec: { replicas: 3, template: { spec: { containers: [{ name: "a" }] } } },
    };
    const before = JSON.stringify([t, patch]);
    strategicMerge(t, patch);
    expect(JSON.stringify([t, patch])).toBe(before);
  });
});

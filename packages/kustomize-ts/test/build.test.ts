import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, KustomizeError, toYaml } from "../src/index.ts";

const root = mkdtempSync(join(tmpdir(), "kustomize-ts-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** Writes a tree of files and returns its directory. */
function tree(files: Record<string, string>): string {
  const dir = join(root, `t${counter++}`);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

function fails(dir: string, pattern: RegExp, options = {}): KustomizeError {
  let thrown: unknown;
  try {
    build(dir, options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(KustomizeError);
  expect((thrown as Error).message).toMatch(pattern);
  return thrown as KustomizeError;
}

const cm = (name: string, extra = "") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

describe("build", () => {
  it("renders a base and an overlay with typed objects", () => {
    const dir = tree({
      "base/kustomization.yaml": "resources:\n- cm.yaml\n",
      "base/cm.yaml": cm("settings", "data:\n  a: '1'\n"),
      "overlay/kustomization.yaml": "resources:\n- ../base\nnamespace: prod\nnamePrefix: p-\n",
    });
    const objects = build(join(dir, "overlay"));
    expect(objects).toHaveLength(1);
    expect(objects[0]?.metadata).toEqual({ name: "p-settings", namespace: "prod" });
    expect(toYaml(objects)).toBe(
      'apiVersion: v1\ndata:\n  a: "1"\nkind: ConfigMap\nmetadata:\n  name: p-settings\n  namespace: prod\n',
    );
  });

  it("refuses unknown fields, wrong types and unsupported features naming the key", () => {
    const unknown = fails(
      tree({ "kustomization.yaml": "resourcez:\n- a.yaml\n" }),
      /unknown field "resourcez"/,
    );
    expect(unknown.key).toBe("resourcez");
    fails(tree({ "kustomization.yaml": "namePrefix: [a]\n" }), /must be a string/);
    fails(
      tree({ "kustomization.yaml": "replicas:\n- name: a\n  count: x\n" }),
      /must be an integer/,
    );
    fails(tree({ "kustomization.yaml": "helmCharts:\n- name: x\n" }), /Helm/);
    fails(
      tree({
        "kustomization.yaml": "transformers:\n- t.yaml\n",
        "t.yaml": "apiVersion: example.com/v1\nkind: Sops\nmetadata:\n  name: s\n",
      }),
      /external plugins disabled; unable to load external plugin 'Sops'/,
    );
    fails(tree({ "kustomization.yaml": "crds:\n- missing.json\n" }), /not found/);
    fails(tree({ "kustomization.yaml": "buildMetadata: [other]\n" }), /buildMetadata "other"/);
    fails(tree({ "kustomization.yaml": "# nothing\n" }), /is empty/);
    fails(tree({ "kustomization.yaml": "kind: Other\nresources: []\n" }), /kind should be/);
    fails(
      tree({ "kustomization.yaml": "apiVersion: v2\nresources: []\n" }),
      /apiVersion for Kustomization/,
    );
    fails(tree({ "kustomization.yaml": "- a\n" }), /must be a YAML map/);
    fails(tree({ "kustomization.yaml": "a: b: c\n" }), /invalid YAML/);
  });

  it("suggests the field a misspelt name was meant to be, on its line", () => {
    const top = fails(
      tree({ "kustomization.yaml": "resources:\n- a.yaml\n\nnamPrefix: p-\n" }),
      /line 4, key "namPrefix": unknown field "namPrefix": did you mean "namePrefix"\?/,
    );
    expect(top.line).toBe(4);
    fails(
      tree({ "kustomization.yaml": "images:\n- name: a\n  nwTag: v1\n" }),
      /line 3, key "images\[0\].nwTag": unknown field "images\[0\].nwTag": did you mean "newTag"\?/,
    );
    fails(
      tree({ "kustomization.yaml": "resources: []\nsomethingElse: 1\n" }),
      /unknown field "somethingElse" \(not a kustomization field; check its spelling\)/,
    );
    const typed = fails(
      tree({
        "kustomization.yaml":
          "resources: []\ncommonLabels:\n  a: b\n  app.kubernetes.io/version: 1.0\n",
      }),
      /must be a string/,
    );
    expect(typed.line).toBe(4);
  });

  it("places errors in an inline patch on the kustomization's own line", () => {
    const patch =
      "- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    data: [x\n";
    const inline = fails(
      tree({
        "kustomization.yaml": `resources:\n- cm.yaml\npatches:\n${patch}`,
        "cm.yaml": cm("a"),
      }),
      /kustomization.yaml, line 9, key "patches\[0\]": invalid YAML/,
    );
    expect(inline.line).toBe(9);
    const json =
      "- target: {kind: ConfigMap, name: a}\n  patch: |-\n    - op: add\n      path: /data\n     value: x\n";
    fails(
      tree({
        "kustomization.yaml": `resources:\n- cm.yaml\npatchesJson6902:\n${json}`,
        "cm.yaml": cm("a"),
      }),
      /line 8, key "patchesJson6902\[0\]": invalid JSON patch: Sequence item without - indicator$/,
    );
  });

  it("refuses the builtin plugin configs it cannot run faithfully, saying which", () => {
    const plugin = (field: string, body: string) =>
      tree({
        "kustomization.yaml": `resources:\n- cm.yaml\n${field}:\n- |-\n  apiVersion: builtin\n  metadata:\n    name: x\n${body}`,
        "cm.yaml": cm("a"),
      });
    fails(
      plugin("transformers", "  kind: SortOrderTransformer\n"),
      /does not load SortOrderTransformer configs; set sortOptions/,
    );
    fails(
      plugin("generators", "  kind: HelmChartInflationGenerator\n"),
      /builtin plugin HelmChartInflationGenerator is not supported/,
    );
    fails(
      plugin("transformers", "  kind: IAMPolicyGenerator\n  cloud: gke\n"),
      /is a generator: list it under "generators"/,
    );
    fails(
      plugin(
        "generators",
        '  kind: IAMPolicyGenerator\n  cloud: gke\n  kubernetesService:\n    name: "~"\n  serviceAccount:\n    name: gsa\n',
      ),
      /key "generators\[0\]": missing metadata\.name in object of kind ServiceAccount.*\(generated by IAMPolicyGenerator x\)$/,
    );
    fails(
      plugin("transformers", '  kind: NamespaceTransformer\n  unsetOnly: "yes"\n'),
      /unsetOnly must be true or false/,
    );
    fails(
      plugin("transformers", "  kind: ConfigMapGenerator\n"),
      /is a generator: list it under "generators"/,
    );
    fails(
      plugin("generators", "  kind: LabelTransformer\n"),
      /is not a generator: list it under "transformers"/,
    );
    fails(
      plugin("transformers", "  kind: LabelTransformer\n  labels: [a]\n"),
      /labels must be a map of strings/,
    );
    fails(
      tree({
        "kustomization.yaml":
          "transformers:\n- |-\n  apiVersion: builtin\n  kind: LabelTransformer\n",
      }),
      /plugin config LabelTransformer needs metadata.name/,
    );
    fails(
      tree({ "kustomization.yaml": "transformers:\n- https://example.com/t.yaml\n" }),
      /remote transformers are not supported/,
    );
    const ok = plugin(
      "generators",
      "  kind: SecretGenerator\n  type: Opaque\n  env: app.env\n  options:\n    disableNameSuffixHash: true\n",
    );
    writeFileSync(join(ok, "app.env"), "A=1\n");
    expect(build(ok).find((o) => o.kind === "Secret")?.data).toEqual({ A: "MQ==" });
  });

  it("accepts field names in any case, like encoding/json", () => {
    const dir = tree({
      "kustomization.yaml": "Resources:\n- cm.yaml\nNAMEPREFIX: x-\n",
      "cm.yaml": cm("c"),
    });
    expect(build(dir)[0]?.metadata.name).toBe("x-c");
  });

  it("finds exactly one kustomization file", () => {
    fails(tree({ "x.yaml": "" }), /unable to find one of/);
    fails(
      tree({ "kustomization.yaml": "resources: []\n", "kustomization.yml": "resources: []\n" }),
      /multiple kustomization files/,
    );
    fails(join(root, "does-not-exist"), /does not exist/);
  });

  it("holds the load restrictor unless it is lifted", () => {
    const dir = tree({
      "outside.env": "A=1\n",
      "app/kustomization.yaml": "configMapGenerator:\n- name: c\n  envs:\n  - ../outside.env\n",
    });
    fails(join(dir, "app"), /security; file "..\/outside.env" is not in or below/);
    expect(build(join(dir, "app"), { loadRestrictor: "none" })[0]?.data).toEqual({ A: "1" });
  });

  it("resolves every link before the root check, the kustomization file's own too", () => {
    const dir = tree({
      "secret/k.yaml": "resources:\n- cm.yaml\n",
      "secret/passwd": "root:x:0:0\n",
      "app/cm.yaml": cm("a"),
    });
    const app = join(dir, "app");
    symlinkSync("../secret/k.yaml", join(app, "kustomization.yaml"));
    const error = fails(
      app,
      /security; file "kustomization.yaml" \(it is a link to .*k\.yaml\) is not in or below/,
    );
    expect(error.file).toBe("app/kustomization.yaml");
    rmSync(join(app, "kustomization.yaml"));
    writeFileSync(
      join(app, "kustomization.yaml"),
      "configMapGenerator:\n- name: c\n  files:\n  - passwd\n",
    );
    symlinkSync("../secret/passwd", join(app, "passwd"));
    fails(app, /security; file "passwd" \(it is a link to .*passwd\)/);
    expect(build(app, { loadRestrictor: "none" })[0]?.data).toEqual({ passwd: "root:x:0:0\n" });
  });

  it("reads only regular files of a bounded size, and at once", () => {
    const dir = tree({ "kustomization.yaml": "resources:\n- r.yaml\n" });
    const none = { loadRestrictor: "none" };
    symlinkSync("/dev/zero", join(dir, "r.yaml"));
    fails(dir, /security; file "r.yaml" \(it is a link to \/dev\/zero\)/);
    fails(dir, /file "r.yaml" is not a regular file/, none);
    rmSync(join(dir, "r.yaml"));
    execFileSync("mkfifo", [join(dir, "r.yaml")]);
    fails(dir, /file "r.yaml" is not a regular file/);
    rmSync(join(dir, "r.yaml"));
    // Sparse: the size is what counts, no disk is used.
    writeFileSync(join(dir, "r.yaml"), "");
    truncateSync(join(dir, "r.yaml"), 64 * 1024 * 1024 + 1);
    fails(dir, /file "r.yaml" is 64.0 MiB, more than the 64 MiB a file may hold/);
    writeFileSync(
      join(dir, "kustomization.yaml"),
      "configMapGenerator:\n- name: c\n  files:\n  - loop\n",
    );
    symlinkSync("loop", join(dir, "loop"));
    fails(dir, /file "loop" is a loop of symbolic links/);
  });

  it("reports missing resources, cycles and remote URLs", () => {
    fails(tree({ "kustomization.yaml": "resources:\n- nope.yaml\n" }), /not found/);
    fails(tree({ "kustomization.yaml": "resources:\n- .\n" }), /cycle detected/);
    fails(tree({ "kustomization.yaml": "resources:\n- https://example.com/x.yaml\n" }), /remote/);
    fails(tree({ "kustomization.yaml": "components:\n- github.com/a/b\n" }), /remote components/);
    fails(tree({ "kustomization.yaml": "resources:\n- ''\n" }), /empty resource entry/);
  });

  it("validates resource documents", () => {
    fails(
      tree({
        "kustomization.yaml": "resources:\n- r.yaml\n",
        "r.yaml": "kind: ConfigMap\nmetadata: {}\n",
      }),
      /missing metadata.name/,
    );
    fails(
      tree({ "kustomization.yaml": "resources:\n- r.yaml\n", "r.yaml": "metadata:\n  name: x\n" }),
      /missing kind/,
    );
    fails(
      tree({ "kustomization.yaml": "resources:\n- r.yaml\n", "r.yaml": "- a\n" }),
      /missing Resource metadata/,
    );
    fails(
      tree({ "kustomization.yaml": "resources:\n- r.yaml\n", "r.yaml": "kind: List\nitems: 3\n" }),
      /expected array/,
    );
    fails(
      tree({
        "kustomization.yaml": "resources:\n- r.yaml\n",
        "r.yaml": `${cm("a")}data:\n  x: !!int abc\n`,
      }),
      /cannot decode/,
    );
  });

  it("generates config maps and secrets with kustomize's hash", () => {
    const dir = tree({
      "kustomization.yaml":
        "configMapGenerator:\n- name: one\n  literals: [a=1]\nsecretGenerator:\n- name: s\n  literals: [a=1]\n",
    });
    const names = build(dir).map((o) => o.metadata.name);
    expect(names).toEqual(["one-h29d89cmmt", "s-25khgmg44c"]);
    fails(
      tree({ "kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: ['=x']\n" }),
      /invalid literal/,
    );
    fails(
      tree({ "kustomization.yaml": "configMapGenerator:\n- name: c\n  files: ['=x']\n" }),
      /key name/,
    );
    fails(
      tree({ "kustomization.yaml": "configMapGenerator:\n- name: c\n  files: ['k=']\n" }),
      /file path/,
    );
    fails(
      tree({ "kustomization.yaml": "configMapGenerator:\n- name: c\n  files: ['a=b=c']\n" }),
      /cannot contain/,
    );
    fails(
      tree({
        "kustomization.yaml":
          "configMapGenerator:\n- name: c\n  behavior: merge\n  literals: [a=1]\n",
      }),
      /cannot merge or replace/,
    );
  });

  it("applies sort options and refuses bad ones", () => {
    const files = { "r.yaml": `${cm("b")}---\n${cm("a")}` };
    const fifo = tree({
      ...files,
      "kustomization.yaml": "sortOptions:\n  order: fifo\nresources:\n- r.yaml\n",
    });
    expect(build(fifo).map((o) => o.metadata.name)).toEqual(["b", "a"]);
    const legacy = tree({ ...files, "kustomization.yaml": "resources:\n- r.yaml\n" });
    expect(build(legacy).map((o) => o.metadata.name)).toEqual(["a", "b"]);
    fails(
      tree({
        ...files,
        "kustomization.yaml":
          "sortOptions:\n  order: fifo\n  legacySortOptions: {}\nresources:\n- r.yaml\n",
      }),
      /legacySortOptions/,
    );
  });

  it("refuses ambiguous name references", () => {
    const dir = tree({
      "kustomization.yaml": "namePrefix: t-\nresources:\n- a\n- b\n- pod.yaml\n",
      "a/kustomization.yaml": "namePrefix: a-\nresources:\n- cm.yaml\n",
      "a/cm.yaml": cm("c"),
      "b/kustomization.yaml": "namePrefix: b-\nresources:\n- cm.yaml\n",
      "b/cm.yaml": cm("c"),
      "pod.yaml":
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n  - name: v\n    configMap:\n      name: c\n",
    });
    fails(dir, /multiple possible referrals/);
  });

  it("reports replicas that match nothing and patches that match nothing", () => {
    fails(
      tree({
        "kustomization.yaml": "resources:\n- r.yaml\nreplicas:\n- name: x\n  count: 1\n",
        "r.yaml": cm("c"),
      }),
      /no resource named "x"/,
    );
    fails(
      tree({
        "kustomization.yaml": "resources:\n- r.yaml\npatchesStrategicMerge:\n- p.yaml\n",
        "r.yaml": cm("c"),
        "p.yaml": cm("other"),
      }),
      /no resource matches/,
    );
    fails(
      tree({
        "kustomization.yaml":
          "resources:\n- r.yaml\npatchesJson6902:\n- target: {kind: ConfigMap}\n  patch: '[]'\n",
        "r.yaml": cm("c"),
      }),
      /empty/,
    );
  });
});

describe("builds in one process", () => {
  const widget =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  ports:\n  - {name: a, port: 1}\n";
  const patch =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  ports:\n  - {name: b, port: 2}\n";
  const schema = JSON.stringify({
    definitions: {
      "com.example.v1.Widget": {
        "x-kubernetes-group-version-kind": [
          { group: "example.com", version: "v1", kind: "Widget" },
        ],
        properties: {
          spec: {
            properties: {
              ports: {
                items: { type: "object" },
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge",
              },
            },
          },
        },
      },
    },
  });
  const configured = tree({
    "kustomization.yaml":
      "resources:\n- w.yaml\ncommonLabels:\n  app: x\nconfigurations:\n- labels.yaml\nopenapi:\n  path: schema.json\npatches:\n- path: patch.yaml\n",
    "labels.yaml": "commonLabels:\n- kind: Widget\n  path: spec/selector\n  create: true\n",
    "schema.json": schema,
    "w.yaml": widget,
    "patch.yaml": patch,
  });
  const plain = tree({
    "kustomization.yaml":
      "resources:\n- w.yaml\ncommonLabels:\n  app: x\npatches:\n- path: patch.yaml\n",
    "w.yaml": widget,
    "patch.yaml": patch,
  });
  const spec = (dir: string) => build(dir)[0]?.spec as Record<string, unknown>;

  it("keep their configurations and schemas to themselves", () => {
    const first = spec(configured);
    expect(first.selector).toEqual({ app: "x" });
    expect(first.ports).toEqual([
      { name: "b", port: 2 },
      { name: "a", port: 1 },
    ]);
    // The build before named a field spec and a schema for Widget: this one names neither.
    const second = spec(plain);
    expect(second.selector).toBeUndefined();
    expect(second.ports).toEqual([{ name: "b", port: 2 }]);
    expect(spec(configured)).toEqual(first);
  });
});

describe("toYaml", () => {
  const y = (value: unknown) => toYaml([value]);

  it("quotes what YAML 1.1 would misread and folds long lines", () => {
    expect(y({ a: "yes", b: "0123", c: "", d: "1:20", e: "2020-01-01", f: "plain" })).toBe(
      'a: "yes"\nb: "0123"\nc: ""\nd: "1:20"\ne: "2020-01-01"\nf: plain\n',
    );
    const long = `${"word ".repeat(20)}end`;
    expect(y({ k: long })).toBe(`k: ${"word ".repeat(15)}word\n  ${"word ".repeat(4)}end\n`);
  });

  it("writes numbers as go-yaml does after a JSON round trip", () => {
    expect(y({ a: 1.0, b: 1234567.5, c: 0.000001, d: 1e21, e: 10n ** 19n, f: -0 })).toBe(
      "a: 1\nb: 1.2345675e+06\nc: 1e-06\nd: 1e+21\ne: 10000000000000000000\nf: 0\n",
    );
    expect(() => y({ a: Number.POSITIVE_INFINITY })).toThrow(/unsupported value/);
  });

  it("uses literal blocks, escapes and natural key order", () => {
    expect(y({ m: "a\nb\n", t: "a\tb", e: "😀", n: null, l: [], o: {}, z10: 1, z9: 2 })).toBe(
      'e: "\\U0001F600"\nl: []\nm: |\n  a\n  b\n"n": null\no: {}\nt: "a\\tb"\nz9: 2\nz10: 1\n',
    );
    expect(y({ s: [[1, 2], { a: 1, b: [true] }] })).toBe(
      "s:\n- - 1\n  - 2\n- a: 1\n  b:\n  - true\n",
    );
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  findKustomizationFile,
  KUSTOMIZATION_FILE_NAMES,
  KustomizeError,
  kustomizationFilesIn,
  setImage,
  setImageInDir,
} from "../src/index.ts";

const digest = "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3";

function imagesOf(text: string): unknown {
  return (parse(text) as { images?: unknown }).images;
}

describe("setImage adds an entry", () => {
  it("appends images: at the end when the file has none, in the file's list style", () => {
    const before = "resources:\n- deployment.yaml\n- service.yaml\n";
    expect(setImage(before, "app=ghcr.io/acme/app:v1")).toBe(
      `${before}images:\n- name: app\n  newName: ghcr.io/acme/app\n  newTag: v1\n`,
    );
  });

  it("indents the new list like the file's other lists", () => {
    const before = "resources:\n    - deployment.yaml\nnamespace: prod\n";
    expect(setImage(before, "app:v1")).toBe(
      `${before}images:\n    - name: app\n      newTag: v1\n`,
    );
  });

  it("keeps a file without a final newline without one", () => {
    expect(setImage("resources:\n- a.yaml", "app:v1")).toBe(
      "resources:\n- a.yaml\nimages:\n- name: app\n  newTag: v1",
    );
  });

  it("adds the key inside the document when the file marks its end", () => {
    expect(setImage("---\nresources:\n- a.yaml\n...\n", "app:v1")).toBe(
      "---\nresources:\n- a.yaml\nimages:\n- name: app\n  newTag: v1\n...\n",
    );
    expect(setImage("---\n# only a comment\n", "app:v1")).toBe(
      "---\n# only a comment\nimages:\n- name: app\n  newTag: v1\n",
    );
    expect(setImage("\uFEFFresources: []\n", "app:v1")).toBe(
      "\uFEFFresources: []\nimages:\n- name: app\n  newTag: v1\n",
    );
  });

  it("works on an empty file and on a file of comments only", () => {
    expect(setImage("", "app:v1")).toBe("images:\n- name: app\n  newTag: v1\n");
    expect(setImage("# nothing yet\n", "app:v1")).toBe(
      "# nothing yet\nimages:\n- name: app\n  newTag: v1\n",
    );
  });

  it("inserts in name order when the list is sorted, as kustomize writes it", () => {
    const before =
      "images:\n# the api\n- name: api\n  newTag: v1\n# the web\n- name: web\n  newTag: v2\n";
    expect(setImage(before, "db:v3")).toBe(
      "images:\n# the api\n- name: api\n  newTag: v1\n- name: db\n  newTag: v3\n# the web\n- name: web\n  newTag: v2\n",
    );
    expect(setImage(before, "aaa:v0")).toBe(
      "images:\n- name: aaa\n  newTag: v0\n# the api\n- name: api\n  newTag: v1\n# the web\n- name: web\n  newTag: v2\n",
    );
    expect(setImage(before, "zzz:v9")).toBe(`${before}- name: zzz\n  newTag: v9\n`);
  });

  it("appends when the list is not sorted", () => {
    const before = "images:\n- name: web\n  newTag: v2\n- name: api\n  newTag: v1\nnamespace: x\n";
    expect(setImage(before, "db:v3")).toBe(
      "images:\n- name: web\n  newTag: v2\n- name: api\n  newTag: v1\n- name: db\n  newTag: v3\nnamespace: x\n",
    );
  });

  it("follows odd indentation of existing entries", () => {
    const before = "images:\n  -   name: web\n      newTag: v2\nresources: []\n";
    expect(setImage(before, "x:1")).toBe(
      'images:\n  -   name: web\n      newTag: v2\n  -   name: x\n      newTag: "1"\nresources: []\n',
    );
  });

  it("fills an empty images: key, keeping its comment", () => {
    expect(setImage("images:   # none yet\nnamespace: a\n", "app:v1")).toBe(
      "images:   # none yet\n- name: app\n  newTag: v1\nnamespace: a\n",
    );
    expect(setImage("images: ~\n", "app:v1")).toBe("images:\n- name: app\n  newTag: v1\n");
  });

  it("adds to flow lists and flow (JSON) kustomizations", () => {
    expect(setImage("images: []\n", "app:v1")).toBe("images: [{name: app, newTag: v1}]\n");
    expect(setImage("images: [{name: b, newTag: '1'}]\n", "a:1.10")).toBe(
      "images: [{name: a, newTag: \"1.10\"}, {name: b, newTag: '1'}]\n",
    );
    expect(setImage("images: [{name: a, newTag: '1'}]\n", "b:2")).toBe(
      "images: [{name: a, newTag: '1'}, {name: b, newTag: \"2\"}]\n",
    );
    expect(setImage('{"resources": ["a.yaml"]}\n', "a:yes")).toBe(
      '{"resources": ["a.yaml"], "images": [{"name": "a", "newTag": "yes"}]}\n',
    );
    expect(setImage("{}\n", "a:v1")).toBe("{images: [{name: a, newTag: v1}]}\n");
    expect(setImage("{resources: [a.yaml], images: }\n", "a:v1")).toBe(
      "{resources: [a.yaml], images: [{name: a, newTag: v1}]}\n",
    );
  });

  it("quotes values that YAML would read as something else than a string", () => {
    const out = setImage("", [
      "a:1234",
      "b:3.2e2",
      "c:yes",
      "d:0123",
      "e:1.10",
      "f:null",
      "g:v1.2",
    ]);
    expect(out).toContain('- name: a\n  newTag: "1234"');
    expect(out).toContain('- name: b\n  newTag: "3.2e2"');
    expect(out).toContain('- name: c\n  newTag: "yes"');
    expect(out).toContain('- name: d\n  newTag: "0123"');
    expect(out).toContain('- name: e\n  newTag: "1.10"');
    expect(out).toContain('- name: f\n  newTag: "null"');
    expect(out).toContain("- name: g\n  newTag: v1.2");
    expect(imagesOf(out)).toEqual(
      ["1234", "3.2e2", "yes", "0123", "1.10", "null", "v1.2"].map((newTag, i) => ({
        name: "abcdefg"[i],
        newTag,
      })),
    );
  });
});

describe("setImage updates an entry and keeps every other byte", () => {
  const file = `# Overlay for production.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: prod   # keep

resources:
  - ../../base   # the base

images:
  # the app, bumped by CI
  - name: ghcr.io/acme/app
    newName: 'ghcr.io/acme/app'
    newTag: "main-0000000"   # previous
  - name: redis
    newTag: '7.2'

replicas:
  - name: app
    count: 3
`;

  it("changes only the tag's characters, keeping quotes and comments", () => {
    expect(setImage(file, "ghcr.io/acme/app=*:main-abc1234")).toBe(
      file.replace('"main-0000000"', '"main-abc1234"'),
    );
  });

  it("keeps single quotes too", () => {
    expect(setImage(file, "redis:7.4")).toBe(file.replace("'7.2'", "'7.4'"));
  });

  it("changes nothing when the entry already says so", () => {
    expect(setImage(file, "redis:7.2")).toBe(file);
  });

  it("replaces the entry like kustomize: fields the argument omits are dropped", () => {
    expect(setImage(file, "ghcr.io/acme/app:v2")).toBe(
      file.replace("    newName: 'ghcr.io/acme/app'\n", "").replace('"main-0000000"', '"v2"'),
    );
  });

  it("adds a digest after the entry's last field, keeping the tag with *", () => {
    expect(setImage(file, `ghcr.io/acme/app=*:*@${digest}`)).toBe(
      file.replace("# previous\n", `# previous\n    digest: ${digest}\n`),
    );
  });

  it("writes tag and digest together", () => {
    const out = setImage(file, `ghcr.io/acme/app=ghcr.io/acme/app:v3@${digest}`);
    expect(out).toBe(
      file
        .replace('"main-0000000"', '"v3"')
        .replace("# previous\n", `# previous\n    digest: ${digest}\n`),
    );
  });

  it("applies several arguments, the last per image winning", () => {
    const out = setImage(file, ["redis:1", "redis:7.4", "nginx:1.27"]);
    expect(out).toBe(
      file.replace(
        "  - name: redis\n    newTag: '7.2'\n",
        "  - name: nginx\n    newTag: \"1.27\"\n  - name: redis\n    newTag: '7.4'\n",
      ),
    );
  });

  it("keeps CRLF line endings", () => {
    const crlf = file.replaceAll("\n", "\r\n");
    const out = setImage(crlf, `redis@${digest}`);
    expect(out).toBe(crlf.replace("    newTag: '7.2'\r\n", `    digest: ${digest}\r\n`));
    expect(out.replaceAll("\r\n", "")).not.toContain("\n");
  });
});

describe("setImage edge cases of the entry's layout", () => {
  it("removes a first field that shares the dash line by moving the next field up", () => {
    expect(setImage("images:\n- newTag: v0\n  name: app\n", `app@${digest}`)).toBe(
      `images:\n- name: app\n  digest: ${digest}\n`,
    );
    expect(setImage("images:\n- newName: x\n  newTag: v0\n  name: app\n", "app:v1")).toBe(
      "images:\n- newTag: v1\n  name: app\n",
    );
  });

  it("removes several fields, including the last one", () => {
    expect(
      setImage("images:\n- name: app\n  newTag: v0\n  newName: foo\nother: 1\n", `app@${digest}`),
    ).toBe(`images:\n- name: app\n  digest: ${digest}\nother: 1\n`);
  });

  it("drops tagSuffix, as kustomize rewrites the entry", () => {
    expect(setImage("images:\n- name: app\n  tagSuffix: -x\n", "app:v1")).toBe(
      "images:\n- name: app\n  newTag: v1\n",
    );
  });

  it("edits the last entry of a file without a final newline", () => {
    expect(setImage("images:\n- name: a\n  newTag: x", `a@${digest}`)).toBe(
      `images:\n- name: a\n  digest: ${digest}`,
    );
    expect(setImage("images:\n- name: a\n  newTag: x", "a:z")).toBe(
      "images:\n- name: a\n  newTag: z",
    );
    // `y` is a boolean to YAML 1.1 readers: quoted.
    expect(setImage("images:\n- name: a\n  newTag: x", "a:y")).toBe(
      'images:\n- name: a\n  newTag: "y"',
    );
  });

  it("reads keys whatever their case, as kustomize does", () => {
    expect(setImage("Images:\n- Name: app\n  newtag: v0\n  NewName: x\n", "app=*:v1")).toBe(
      "Images:\n- Name: app\n  newtag: v1\n  NewName: x\n",
    );
  });

  it("fills a field written with no value", () => {
    expect(setImage("images:\n- name: a\n  newTag:\n", "a:v1")).toBe(
      "images:\n- name: a\n  newTag: v1\n",
    );
  });

  it("replaces a block scalar value", () => {
    expect(setImage("images:\n- name: a\n  newTag: |\n    old\nx: 1\n", "a:v1")).toBe(
      "images:\n- name: a\n  newTag: v1\nx: 1\n",
    );
  });

  it("removes a block scalar field without touching the next line", () => {
    const text = 'images:\n- name: app\n  newTag: |\n    v0\n  newName: "r/app"\n';
    expect(setImage(text, "app=*@sha256:9")).toBe(
      'images:\n- name: app\n  newName: "r/app"\n  digest: sha256:9\n',
    );
    expect(setImage("images:\n- name: app\n  newTag: >-\n    v0\nx: 1\n", `app@${digest}`)).toBe(
      `images:\n- name: app\n  digest: ${digest}\nx: 1\n`,
    );
  });

  it("edits flow entries in place", () => {
    expect(setImage("images: [{name: a, newTag: x}, {name: b}]\n", `a=*@${digest}`)).toBe(
      `images: [{name: a, digest: ${digest}}, {name: b}]\n`,
    );
    expect(setImage("images:\n- {newTag: x, name: a}\n", "a=b:c")).toBe(
      "images:\n- {newTag: c, name: a, newName: b}\n",
    );
    expect(setImage("images:\n- {newTag: x, newName: y, name: a}\n", `a@${digest}`)).toBe(
      `images:\n- {name: a, digest: ${digest}}\n`,
    );
  });

  it("keeps one entry per name, as kustomize does", () => {
    expect(
      setImage("images:\n- name: a\n  newTag: x\n- name: b\n- name: a\n  newTag: y\n", "a=*:*"),
    ).toBe("images:\n- name: a\n  newTag: x\n- name: b\n");
    expect(setImage("images: [{name: a}, {name: a, newTag: y}]\n", "a:z")).toBe(
      "images: [{name: a, newTag: z}]\n",
    );
  });

  it("`*` with nothing to keep writes nothing", () => {
    expect(setImage("", "app=*:v1")).toBe("images:\n- name: app\n  newTag: v1\n");
    expect(setImage("", "app=my/app:*")).toBe("images:\n- name: app\n  newName: my/app\n");
    expect(setImage("images:\n- name: app\n  newName: my/app\n  newTag: v1\n", "app=*:*")).toBe(
      "images:\n- name: app\n  newName: my/app\n  newTag: v1\n",
    );
  });

  it("keeps the newName with *, replacing a tag by a digest", () => {
    expect(
      setImage(
        "images:\n- name: image2\n  newName: my-image2\n  newTag: my-tag\n",
        `image2=*@${digest}`,
      ),
    ).toBe(`images:\n- name: image2\n  newName: my-image2\n  digest: ${digest}\n`);
  });
});

describe("setImage refuses what it cannot edit", () => {
  it("names the line of invalid YAML", () => {
    expect(() => setImage("resources:\n- a\n bad: [\n", "a:1", "k.yaml")).toThrow(
      /k\.yaml, line \d+: .*not valid YAML/,
    );
  });

  it("refuses a kustomization that is not a mapping or images that are not a list", () => {
    expect(() => setImage("- a\n- b\n", "a:1")).toThrow(/not a YAML mapping/);
    expect(() => setImage("just text\n", "a:1")).toThrow(/not a YAML mapping/);
    expect(() => setImage("images: nginx\n", "a:1", "k.yaml")).toThrow(
      /k\.yaml, line 1, key "images": `images` must be a list/,
    );
  });

  it("needs at least one argument, and valid ones", () => {
    expect(() => setImage("", [])).toThrow(KustomizeError);
    expect(() => setImage("", ["a:1", "bad"])).toThrow(/invalid image argument "bad"/);
  });
});

describe("setImageInDir", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "kustomize-ts-edit-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("edits kustomization.yaml, .yml or Kustomization in place", () => {
    for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
      const dir = tempDir();
      writeFileSync(join(dir, name), "# mine\nresources:\n- a.yaml\n");
      const result = setImageInDir(dir, "app:v1");
      expect(result).toEqual({ file: join(dir, name), changed: true });
      expect(readFileSync(join(dir, name), "utf8")).toBe(
        "# mine\nresources:\n- a.yaml\nimages:\n- name: app\n  newTag: v1\n",
      );
    }
  });

  it("does not rewrite a file that would not change", () => {
    const dir = tempDir();
    const file = join(dir, "kustomization.yaml");
    writeFileSync(file, "images:\n- name: app\n  newTag: v1\n");
    const before = statSync(file).mtimeMs;
    expect(setImageInDir(dir, ["app:v1"])).toEqual({ file, changed: false });
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it("refuses a directory with no or with several kustomization files", () => {
    const dir = tempDir();
    expect(() => findKustomizationFile(dir)).toThrow(/unable to find one of 'kustomization\.yaml'/);
    writeFileSync(join(dir, "kustomization.yaml"), "");
    writeFileSync(join(dir, "kustomization.yml"), "");
    expect(() => setImageInDir(dir, "a:1")).toThrow(/multiple kustomization files/);
    const sub = join(dir, "sub");
    mkdirSync(sub);
    expect(() => setImageInDir(sub, "a:1")).toThrow(KustomizeError);
  });
});

describe("setImage agrees with kustomize's model of the edit", () => {
  const files = [
    "",
    "resources:\n- a.yaml\n",
    "resources:\n  - a.yaml\nimages:\n  - name: app\n    newName: reg/app\n    newTag: v0\n  - name: db # db\n    digest: sha256:0\n",
    "images:\n- newTag: '1'\n  name: app\n- {name: web, newName: x}\nnamespace: n",
    "images: [{name: app, newTag: a}, {name: zed}]\r\nnamePrefix: p-\r\n",
    '{"images": [{"name": "app", "newTag": "a"}], "namespace": "n"}',
    "# head\r\nimages:\r\n    -   name: web   # w\r\n        newTag: '1'\r\n\r\n    # between\r\n    -   name: app\r\n        digest: sha256:0",
    "---\nimages:\n- name: db\n  newName: pg\n- {name: app, newTag: x}\n\n# tail\n...\n",
    "\uFEFFnamespace: n\nimages: []\n",
    'images:\n- name: app\n  newTag: |\n    v0\n  newName: "r/app"\nresources: [a.yaml]\n',
  ];
  const args = [
    "app:v1",
    "app=*:v2",
    `app=other/app:v3@${digest}`,
    "app=*@sha256:9",
    "web=*:*",
    "new=r/new",
    "db:1.0",
  ];

  type Entry = Record<string, string>;
  /** kustomize's RunSetImage: the argument replaces the entry; `*` keeps the file's value. */
  function model(images: Entry[], arg: string): Entry[] {
    const eq = arg.indexOf("=");
    const [key, value] = eq >= 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : ["", arg];
    const m = /^([^:@]*(?:\/[^:@]*)*)(?::([^@]*))?(?:@(.*))?$/.exec(value)!;
    const name = key || m[1]!;
    const wanted: Entry = { name };
    if (key) wanted.newName = m[1]!;
    if (m[2]) wanted.newTag = m[2];
    if (m[3]) wanted.digest = m[3];
    const existing = images.find((image) => image.name === name) ?? {};
    const entry: Entry = { name };
    for (const field of ["newName", "newTag", "digest"]) {
      const v = wanted[field] === "*" ? existing[field] : wanted[field];
      if (v) entry[field] = v;
    }
    const others = images.filter((image) => image.name !== name);
    return [...others, entry].sort((a, b) => (a.name! < b.name! ? -1 : 1));
  }

  for (const file of files) {
    for (const arg of args) {
      it(`${JSON.stringify(file.slice(0, 30))} + ${arg}`, () => {
        const before = (parse(file) ?? {}) as Record<string, unknown>;
        const out = setImage(file, arg);
        const after = parse(out) as Record<string, unknown>;
        const sortByName = (list: Entry[]) =>
          [...list].sort((a, b) => (a.name! < b.name! ? -1 : 1));
        expect(sortByName(after.images as Entry[])).toEqual(
          model((before.images as Entry[]) ?? [], arg),
        );
        const { images: _a, ...restAfter } = after;
        const { images: _b, ...restBefore } = before;
        expect(restAfter).toEqual(restBefore);
        expect(out.includes("\r\n")).toBe(file.includes("\r\n"));
        expect(out.endsWith("\n")).toBe(file.length === 0 || file.endsWith("\n"));
      });
    }
  }
});

describe("setImage on generated layouts", () => {
  // A small deterministic PRNG, so a failure names a reproducible seed.
  function random(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  function generate(seed: number): string {
    const rnd = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
    const eol = rnd() < 0.2 ? "\r\n" : "\n";
    const indent = pick(["", "  ", "    "]);
    const quote = (value: string) => pick([value, `"${value}"`, `'${value}'`]);
    const names = ["api", "app", "db", "web"].filter(() => rnd() < 0.6);
    const fields = (name: string): [string, string][] => {
      const all: [string, string][] = [
        ["name", name],
        ["newName", `reg.io/${name}`],
        ["newTag", pick(["v1", "1.10", "main-abc"])],
        ["digest", "sha256:abc"],
      ];
      const chosen = all.filter(([key]) => key === "name" || rnd() < 0.5);
      return chosen.sort(() => rnd() - 0.5);
    };
    const lines: string[] = [];
    if (rnd() < 0.3) lines.push("# a comment on top");
    lines.push("resources:", `${indent}- deployment.yaml${rnd() < 0.3 ? "  # the app" : ""}`);
    if (rnd() < 0.3) lines.push("");
    if (names.length > 0 || rnd() < 0.3) {
      if (rnd() < 0.2) {
        lines.push(
          `images: [${names
            .map(
              (n) =>
                `{${fields(n)
                  .map(([k, v]) => `${k}: ${quote(v)}`)
                  .join(", ")}}`,
            )
            .join(", ")}]`,
        );
      } else if (names.length === 0) {
        lines.push(pick(["images:", "images: []", "images: ~"]));
      } else {
        lines.push(`images:${rnd() < 0.2 ? " # pinned by CI" : ""}`);
        for (const name of names) {
          if (rnd() < 0.2) lines.push(`${indent}# entry ${name}`);
          fields(name).forEach(([key, value], i) => {
            const prefix = i === 0 ? `${indent}- ` : `${indent}  `;
            lines.push(`${prefix}${key}: ${quote(value)}${rnd() < 0.1 ? " # note" : ""}`);
          });
        }
      }
    }
    if (rnd() < 0.5) lines.push("namespace: prod");
    const text = lines.join(eol);
    return rnd() < 0.2 ? text : text + eol;
  }

  const args = [
    "app:v2",
    "app=*:v3",
    "app=*:*@sha256:fff",
    "new=r/new:1",
    "web=*",
    "db@sha256:999",
    "api=x/api",
  ];

  it("keeps the file valid, the entry right and everything else equal, over 400 layouts", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const file = generate(seed);
      const arg = args[seed % args.length]!;
      const context = `seed ${seed}, ${arg}:\n${file}`;
      const before = parse(file) as Record<string, unknown>;
      const out = setImage(file, arg);
      const after = parse(out) as Record<string, unknown>;
      const images = ((before.images as Record<string, string>[] | null) ?? []).map((image) => ({
        ...image,
      }));
      const [key, value] = arg.includes("=") ? arg.split("=") : ["", arg];
      const [, refName, tag, dig] = /^([^:@]+)(?::([^@]*))?(?:@(.*))?$/.exec(value!)!;
      const name = key || refName!;
      const existing = images.find((image) => image.name === name) ?? {};
      const wanted: Record<string, string | undefined> = {
        newName: key ? refName : undefined,
        newTag: tag,
        digest: dig,
      };
      const entry: Record<string, string> = { name };
      for (const field of ["newName", "newTag", "digest"]) {
        const v = wanted[field] === "*" ? existing[field] : wanted[field];
        if (v) entry[field] = v;
      }
      const expected = [...images.filter((image) => image.name !== name), entry];
      const byName = (a: { name?: string }, b: { name?: string }) => (a.name! < b.name! ? -1 : 1);
      expect([...(after.images as Record<string, string>[])].sort(byName), context).toEqual(
        expected.sort(byName),
      );
      const { images: _x, ...restAfter } = after;
      const { images: _y, ...restBefore } = before;
      expect(restAfter, context).toEqual(restBefore);
      // Bytes: the change lies within the images block (or, without one, is a pure insertion).
      let head = 0;
      while (head < file.length && file[head] === out[head]) head++;
      let tail = 0;
      while (
        tail < file.length - head &&
        file[file.length - 1 - tail] === out[out.length - 1 - tail]
      )
        tail++;
      const imagesAt = file.search(/^images:/m);
      const namespaceAt = file.search(/^namespace:/m);
      if (out === file) {
        // Nothing to change: the entry already said so.
      } else if (imagesAt < 0) {
        expect(head + tail, context).toBe(file.length);
      } else {
        expect(head, context).toBeGreaterThanOrEqual(imagesAt);
        expect(file.length - tail, context).toBeLessThanOrEqual(
          namespaceAt < 0 ? file.length : namespaceAt,
        );
      }
      const crlf = file.includes("\r\n");
      expect(out.includes("\r\n"), context).toBe(crlf);
      expect(out.replaceAll("\r\n", "").includes("\n"), context).toBe(!crlf);
      expect(out.endsWith("\n"), context).toBe(file.endsWith("\n"));
    }
  });
});

describe("setImage with structured entries", () => {
  const before =
    "resources:\n- a.yaml\nimages:\n- name: app # the agent\n  newName: ghcr.io/acme/app\n  newTag: v1\n";

  it("writes the entry exactly, as the equivalent argument would", () => {
    const entry = { name: "app", newName: "ghcr.io/acme/app", newTag: "v2", digest };
    expect(setImage(before, entry)).toBe(setImage(before, `app=ghcr.io/acme/app:v2@${digest}`));
    expect(imagesOf(setImage(before, { name: "app", newTag: "v3" }))).toEqual([
      { name: "app", newTag: "v3" },
    ]);
    // A value YAML would read as a number is quoted, and "*" keeps the file's value.
    expect(setImage(before, [{ name: "app", newName: "*", newTag: "1.10" }])).toContain(
      'newTag: "1.10"',
    );
    expect(setImage(before, { name: "app", newName: "*", newTag: "v4" })).toContain(
      "newName: ghcr.io/acme/app",
    );
  });

  it("mixes with arguments; the last edit of a name wins", () => {
    const after = setImage(before, ["app:v9", { name: "app", newTag: "v5" }, "other:v1"]);
    expect(imagesOf(after)).toEqual([
      { name: "app", newTag: "v5" },
      { name: "other", newTag: "v1" },
    ]);
  });

  it("refuses an entry that is not one", () => {
    const bad = (entry: unknown) => () => setImage(before, entry as never);
    expect(bad({ newTag: "v1" })).toThrow(/"name" names the image to change/);
    expect(bad({ name: "app" })).toThrow(/give at least one of newName, newTag and digest/);
    expect(bad({ name: "app", tag: "v1" })).toThrow(/unknown field "tag"/);
    expect(bad({ name: "app", newTag: "v 1" })).toThrow(/newTag must be a non-empty string/);
    expect(bad({ name: "app", newTag: 2 })).toThrow(KustomizeError);
  });
});

describe("findKustomizationFile and KUSTOMIZATION_FILE_NAMES", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "kustomize-ts-find-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("finds the one file kustomize reads, whichever of its names it has", () => {
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const dir = tempDir();
      writeFileSync(join(dir, name), "resources: []\n");
      expect(findKustomizationFile(dir)).toBe(join(dir, name));
    }
    const dir = tempDir();
    mkdirSync(join(dir, "kustomization.yaml"));
    expect(() => findKustomizationFile(dir)).toThrow(/unable to find one of/);
    writeFileSync(join(dir, "Kustomization"), "");
    expect(findKustomizationFile(dir)).toBe(join(dir, "Kustomization"));
    writeFileSync(join(dir, "kustomization.yml"), "");
    expect(kustomizationFilesIn(dir)).toEqual(["kustomization.yml", "Kustomization"]);
    expect(() => findKustomizationFile(dir)).toThrow(/found multiple kustomization files/);
  });
});

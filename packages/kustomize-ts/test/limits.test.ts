/**
 * Hostile input: what is bounded and how it fails. In a file of its own so that the
 * memory figure below is measured in a fresh worker.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, KustomizeError, toYaml } from "../src/index.ts";

const root = mkdtempSync(join(tmpdir(), "kustomize-ts-limits-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function tree(files: Record<string, string | Buffer>): string {
  const dir = join(root, `t${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return dir;
}

function failure(dir: string): KustomizeError {
  try {
    build(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(KustomizeError);
    return error as KustomizeError;
  }
  throw new Error(`${dir} built`);
}

const header = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n";

/** Nine levels of nine aliases each: 9^9 strings once expanded. */
function laughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = "abcdefghi";
  for (let i = 1; i < names.length; i++) {
    const prev = `*${names[i - 1]}`;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(prev).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

describe("limits", () => {
  it("stops an alias bomb in a resource at once (kubectl never returns)", () => {
    const started = Date.now();
    const error = failure(
      tree({ "kustomization.yaml": "resources:\n- r.yaml\n", "r.yaml": header + laughs() }),
    );
    expect(error.message).toMatch(/r\.yaml: invalid YAML: document contains excessive aliasing/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("still expands ordinary anchors", () => {
    const dir = tree({
      "kustomization.yaml": "resources:\n- r.yaml\n",
      "r.yaml": `${header}data:\n  a: &v hello\n  b: *v\n`,
    });
    expect(build(dir)[0]?.data).toEqual({ a: "hello", b: "hello" });
  });

  it("names the line of a document nested too deep", () => {
    const deep = `${"[".repeat(600)}${"]".repeat(600)}`;
    const error = failure(
      tree({
        "kustomization.yaml": "resources:\n- r.yaml\n",
        "r.yaml": `${header}data:\n  x: ${deep}\n`,
      }),
    );
    expect(error.message).toMatch(
      /r\.yaml, line 6: invalid YAML: nested more than 500 levels deep/,
    );
    const fine = `${"[".repeat(400)}${"]".repeat(400)}`;
    const dir = tree({
      "kustomization.yaml": "resources:\n- r.yaml\n",
      "r.yaml": `${header}spec:\n  x: ${fine}\n`,
    });
    expect(toYaml(build(dir))).toContain("- - - -");
  });

  it("refuses binary files and text that is not UTF-8, naming the file", () => {
    const gzip = Buffer.from("1f8b0800000000000003cbc8e40200", "hex");
    expect(
      failure(tree({ "kustomization.yaml": "resources:\n- r.yaml\n", "r.yaml": gzip })).message,
    ).toMatch(/file "r\.yaml" is not UTF-8 text: is it a binary file\?/);
    const utf16 = Buffer.from(`\ufeff${header}`, "utf16le");
    expect(
      failure(tree({ "kustomization.yaml": "resources:\n- r.yaml\n", "r.yaml": utf16 })).message,
    ).toMatch(/file "r\.yaml" is UTF-16 text: save it as UTF-8/);
    const env = Buffer.concat([Buffer.from("A="), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
    expect(
      failure(
        tree({
          "kustomization.yaml": "configMapGenerator:\n- name: c\n  envs:\n  - app.env\n",
          "app.env": env,
        }),
      ).message,
    ).toMatch(/file "app\.env" is not UTF-8 text/);
    // A generator's plain file may be binary: it becomes binaryData.
    const dir = tree({
      "kustomization.yaml":
        "configMapGenerator:\n- name: c\n  files:\n  - blob.gz\n  options:\n    disableNameSuffixHash: true\n",
      "blob.gz": gzip,
    });
    expect(build(dir)[0]?.binaryData).toEqual({ "blob.gz": gzip.toString("base64") });
  });

  it("reads big maps and streams in linear time (each key once, each id once)", {
    timeout: 60_000,
  }, () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `  k${i}: v\n`).join("");
    const docs = Array.from({ length: 5_000 }, (_, i) => `---\n${header.replace("app", `c${i}`)}`);
    const dir = tree({
      "kustomization.yaml": "resources:\n- keys.yaml\n- docs.yaml\n",
      "keys.yaml": `${header}data:\n${keys}`,
      "docs.yaml": docs.join(""),
    });
    const started = process.cpuUsage();
    const objects = build(dir);
    // CPU time, not wall time, so a loaded machine does not count. Comparing each key (or id)
    // with every other one took over 30 s of it; linear reading takes about 1 s.
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(10_000);
    expect(objects).toHaveLength(5_001);
    expect(Object.keys(objects[0]?.data as object)).toHaveLength(30_000);
  });

  it("renders an 8 MB scalar without holding many copies of it", { timeout: 60_000 }, () => {
    const value = "x".repeat(8 * 1024 * 1024);
    const dir = tree({
      "kustomization.yaml": "resources:\n- r.yaml\n",
      "r.yaml": `${header}data:\n  k: ${value}\n`,
    });
    const before = process.memoryUsage().rss;
    const out = toYaml(build(dir));
    const peak = process.resourceUsage().maxRSS * 1024;
    expect(out).toBe(
      `apiVersion: v1\ndata:\n  k: ${value}\nkind: ConfigMap\nmetadata:\n  name: app\n`,
    );
    // Writing it one character at a time took about 45 bytes per byte of input.
    expect(peak - before).toBeLessThan(8 * 1024 * 1024 * 15);
  });
});

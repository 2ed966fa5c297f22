import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type CliIo, main, workingDirectory } from "../src/cli.ts";

const casesDir = fileURLToPath(new URL("./cases", import.meta.url));
const bin = fileURLToPath(new URL("../bin/kustomize-ts.mjs", import.meta.url));

function fakeIo(cwd: string, env: Record<string, string | undefined> = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
    env,
  };
  return { io, out: () => stdout, err: () => stderr };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kustomize-ts-cli-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("kustomize-ts help and usage errors", () => {
  it("prints help with exit 0, and usage on stderr with exit 2 when no command is given", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], ["build", "--help"], ["edit", "-h"]]) {
      const { io, out } = fakeIo("/");
      expect(await main(argv, io)).toBe(0);
      expect(out()).toContain("kustomize-ts build [DIR]");
      expect(out()).toContain("kustomize-ts edit set image ARG...");
    }
    const { io, err } = fakeIo("/");
    expect(await main([], io)).toBe(2);
    expect(err()).toContain("Usage:\n  kustomize-ts build");
  });

  it("prints its version", async () => {
    const { io, out } = fakeIo("/");
    expect(await main(["version"], io)).toBe(0);
    expect(out()).toMatch(/^kustomize-ts \d+\.\d+\.\d+ \(kustomize v5\.5\.0 semantics\)\n$/);
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["build", "--bogus"], /unknown flag for build: --bogus/],
    [["build", "a", "b"], /build takes one directory/],
    [["build", "--load-restrictor"], /--load-restrictor needs a value/],
    [
      ["build", "--load-restrictor=sometimes"],
      /must be LoadRestrictionsRootOnly or LoadRestrictionsNone, not "sometimes"/,
    ],
    [["build", "--enable-helm", "."], /--enable-helm is not supported/],
    [["build", "-o"], /-o needs a value/],
    [["edit", "add", "resource", "x.yaml"], /supports "edit set image" only/],
    [["edit", "set", "image"], /no image given/],
    [["edit", "set", "image", "nginx"], /invalid image argument "nginx"/],
  ])("%j is a usage error (exit 2)", async (argv, message) => {
    const { io, err, out } = fakeIo(tempDir());
    expect(await main(argv, io)).toBe(2);
    expect(err()).toMatch(message);
    expect(err()).toContain('Run "kustomize-ts --help" for usage.');
    expect(out()).toBe("");
  });
});

describe("kustomize-ts edit set image", () => {
  it("edits the kustomization of the current directory, keeping comments", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kustomization.yaml"), "# dev overlay\nresources:\n- ../base # base\n");
    const { io, err } = fakeIo(dir);
    expect(await main(["edit", "set", "image", "app=ghcr.io/acme/app:v1", "redis:7"], io)).toBe(0);
    expect(err()).toBe("");
    expect(readFileSync(join(dir, "kustomization.yaml"), "utf8")).toBe(
      '# dev overlay\nresources:\n- ../base # base\nimages:\n- name: app\n  newName: ghcr.io/acme/app\n  newTag: v1\n- name: redis\n  newTag: "7"\n',
    );
  });

  it("fails with exit 1 and a clear message where there is no kustomization", async () => {
    const { io, err } = fakeIo(tempDir());
    expect(await main(["edit", "set", "image", "app:v1"], io)).toBe(1);
    expect(err()).toMatch(/^Error: .*unable to find one of 'kustomization\.yaml'/);
  });

  it("acts where `pnpm kustomize-ts` was typed (INIT_CWD), not where pnpm runs the script", async () => {
    const typedIn = tempDir();
    const scriptDir = tempDir();
    writeFileSync(join(typedIn, "kustomization.yaml"), "resources: []\n");
    const { io } = fakeIo(scriptDir, { INIT_CWD: typedIn, npm_lifecycle_event: "kustomize-ts" });
    expect(await main(["edit", "set", "image", "app:v2"], io)).toBe(0);
    expect(readFileSync(join(typedIn, "kustomization.yaml"), "utf8")).toContain("newTag: v2");
  });

  it("ignores an INIT_CWD inherited from another pnpm script", () => {
    expect(
      workingDirectory({ cwd: "/here", env: { INIT_CWD: "/", npm_lifecycle_event: "test" } }),
    ).toBe("/here");
    expect(
      workingDirectory({
        cwd: "/here",
        env: { INIT_CWD: "/no/such/dir", npm_lifecycle_event: "kustomize-ts" },
      }),
    ).toBe("/here");
    expect(workingDirectory({ cwd: "/here", env: {} })).toBe("/here");
  });
});

describe("kustomize-ts build", () => {
  const caseDir = join(casesDir, "images-newtag");
  const expected = readFileSync(join(caseDir, "expected.yaml"), "utf8");

  it("prints what kubectl kustomize prints", async () => {
    const { io, out, err } = fakeIo(caseDir);
    expect(await main(["build", "input"], io)).toBe(0);
    expect(err()).toBe("");
    expect(out()).toBe(expected);
  });

  it("builds the current directory by default and writes -o FILE", async () => {
    const outDir = tempDir();
    const { io, out } = fakeIo(join(caseDir, "input"));
    expect(await main(["build", "-o", join(outDir, "out.yaml")], io)).toBe(0);
    expect(out()).toBe("");
    expect(readFileSync(join(outDir, "out.yaml"), "utf8")).toBe(expected);
    const { io: io2, err } = fakeIo(caseDir);
    expect(await main(["build", "input", `--output=${outDir}`], io2)).toBe(2);
    expect(err()).toMatch(/is a directory/);
  });

  it("honours --load-restrictor", async () => {
    const dir = join(casesDir, "cli-load-restrictor-none");
    const { io, out } = fakeIo(dir);
    expect(await main(["build", "input", "--load-restrictor", "LoadRestrictionsNone"], io)).toBe(0);
    expect(out()).toBe(readFileSync(join(dir, "expected.yaml"), "utf8"));
    const { io: io2, err } = fakeIo(dir);
    expect(await main(["build", "input", "--load-restrictor=LoadRestrictionsRootOnly"], io2)).toBe(
      1,
    );
    expect(err()).toMatch(/^Error: .*configmap\.yaml/);
  });

  it("reports a failing build on stderr with exit 1", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "k"));
    writeFileSync(join(dir, "k", "kustomization.yaml"), "resources:\n- missing.yaml\n");
    const { io, out, err } = fakeIo(dir);
    expect(await main(["build", "k"], io)).toBe(1);
    expect(out()).toBe("");
    expect(err()).toMatch(/^Error: .*missing\.yaml/);
  });
});

describe("bin/kustomize-ts.mjs", () => {
  function run(
    args: string[],
    cwd: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { cwd, env: { PATH: process.env.PATH } },
        (error, stdout, stderr) => {
          done({ code: error ? (error.code as number) : 0, stdout, stderr });
        },
      );
    });
  }

  it("runs as a process: exit codes and streams", async () => {
    const ok = await run(["build", "input"], join(casesDir, "images-newtag"));
    expect(ok).toEqual({
      code: 0,
      stdout: readFileSync(join(casesDir, "images-newtag", "expected.yaml"), "utf8"),
      stderr: "",
    });
    const usage = await run(["nope"], tempDir());
    expect(usage.stdout).toBe("");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "nope"');
  });

  it("ends quietly when its reader stops early (| head)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kustomization.yaml"), "resources:\n- big.yaml\n");
    const doc = (i: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  k: ${"x".repeat(200)}\n`;
    writeFileSync(
      join(dir, "big.yaml"),
      Array.from({ length: 2000 }, (_, i) => doc(i)).join("---\n"),
    );
    const child = spawn(process.execPath, [bin, "build", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((done) => {
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", done);
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

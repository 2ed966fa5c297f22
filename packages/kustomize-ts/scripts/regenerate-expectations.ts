/**
 * Regenerates the differential suite's expectations with `kubectl kustomize`.
 *
 *   node scripts/regenerate-expectations.ts [--check] [CASE...]
 *
 * Each case is test/cases/<name>/ with the kustomization in input/. A successful build
 * is stored verbatim in expected.yaml; a failing one stores kubectl's error message
 * (timestamps stripped, the case's absolute path replaced by <case>) in
 * expected-error.txt. An optional options.json ({"loadRestrictor": "none"}) adds the
 * matching kubectl flag. With --check nothing is written: stale cases are listed and
 * the exit code is 1. Set KUBECTL to use another kubectl binary.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const casesDir = resolve(fileURLToPath(new URL("../test/cases", import.meta.url)));
const kubectl = process.env.KUBECTL || "kubectl";

interface Outcome {
  file: "expected.yaml" | "expected-error.txt";
  text: string;
}

interface CaseOptions {
  loadRestrictor?: "rootOnly" | "none";
}

function readOptions(caseDir: string): CaseOptions {
  const file = join(caseDir, "options.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as CaseOptions) : {};
}

function kubectlArgs(options: CaseOptions): string[] {
  const args = ["kustomize", "input"];
  if (options.loadRestrictor === "none") args.push("--load-restrictor", "LoadRestrictionsNone");
  return args;
}

/**
 * kubectl logs `E1126 12:00:00.000 123 run.go:72] "command failed" err="..."` (or, for a
 * multi-line message, `err=<` then tab-indented lines then ` >`): keep the message, without
 * what depends on the machine (paths, DNS server, git's own output).
 */
export function normalizeError(stderr: string, caseDir: string): string {
  let message = stderr.trim();
  const quoted = /err=("(?:[^"\\]|\\.)*")\s*$/s.exec(message);
  const block = /err=<\r?\n([\s\S]*?)\r?\n >\s*$/.exec(message);
  if (quoted) {
    try {
      message = JSON.parse(quoted[1]!) as string;
    } catch {
      message = quoted[1]!.slice(1, -1);
    }
  } else if (block) {
    message = block[1]!.replace(/^\t/gm, "");
  } else if (message.startsWith("panic: ")) {
    // kubectl crashed: its stack trace differs between builds, the first line does not.
    message = message.split("\n")[0]!;
  } else {
    message = message.replace(/^E\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /gm, "");
  }
  for (const dir of new Set([realpathSync(caseDir), caseDir])) {
    message = message.split(dir).join("<case>");
  }
  message = message
    .replace(/(lookup \S+) on [\w.:[\]]+/g, "$1")
    .replace(/0x[0-9a-f]{6,}/g, "0x…")
    .replace(/failed to run '[^']*git [\s\S]*$/, "failed to run git (its output is left out)");
  return `${message.trimEnd()}\n`;
}

function runKubectl(caseDir: string): Promise<Outcome> {
  return new Promise((done, fail) => {
    execFile(
      kubectl,
      kubectlArgs(readOptions(caseDir)),
      { cwd: caseDir, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
          fail(new Error(`${kubectl} not found on PATH: install kubectl or set KUBECTL`));
        } else if (error) {
          done({ file: "expected-error.txt", text: normalizeError(stderr, caseDir) });
        } else {
          done({ file: "expected.yaml", text: stdout });
        }
      },
    );
  });
}

function stored(caseDir: string): Outcome | undefined {
  for (const file of ["expected.yaml", "expected-error.txt"] as const) {
    const path = join(caseDir, file);
    if (existsSync(path)) return { file, text: readFileSync(path, "utf8") };
  }
  return undefined;
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

async function run(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const wanted = argv.filter((arg) => !arg.startsWith("--"));
  const all = readdirSync(casesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown case(s): ${unknown.join(", ")} (looked in ${casesDir})\n`);
    return 2;
  }
  const names = wanted.length > 0 ? wanted : all;
  const missingInput = names.filter((name) => !existsSync(join(casesDir, name, "input")));
  if (missingInput.length > 0) {
    process.stderr.write(`case(s) without an input/ directory: ${missingInput.join(", ")}\n`);
    return 2;
  }

  const outcomes = await mapLimit(names, 4, (name) => runKubectl(join(casesDir, name)));
  const stale: string[] = [];
  names.forEach((name, index) => {
    const caseDir = join(casesDir, name);
    const fresh = outcomes[index]!;
    const old = stored(caseDir);
    const same = old !== undefined && old.file === fresh.file && old.text === fresh.text;
    if (same) return;
    stale.push(name);
    if (check) return;
    for (const file of ["expected.yaml", "expected-error.txt"])
      rmSync(join(caseDir, file), { force: true });
    writeFileSync(join(caseDir, fresh.file), fresh.text);
    process.stdout.write(`updated ${name}/${fresh.file}\n`);
  });

  if (check) {
    if (stale.length > 0) {
      process.stderr.write(
        `${stale.length} of ${names.length} case(s) differ from \`${kubectl} kustomize\`:\n` +
          stale.map((name) => `  ${name}\n`).join("") +
          "Run `pnpm --filter @repo/kustomize-ts expectations` to regenerate them.\n",
      );
      return 1;
    }
    process.stdout.write(`${names.length} case(s) match \`${kubectl} kustomize\`\n`);
    return 0;
  }
  process.stdout.write(`${names.length} case(s) checked, ${stale.length} updated\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

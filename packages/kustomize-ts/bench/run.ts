/**
 * Benchmark: `pnpm --filter @repo/kustomize-ts bench`.
 *
 * 1. In-process: build() + toYaml() of each of the repository's overlays
 *    (gitops/apps/*\/overlays/*; the largest differential cases when there are none), warm,
 *    median over many runs. Target: under 5 ms per overlay.
 * 2. Whole process: `kustomize-ts build DIR` against `kubectl kustomize DIR` on the same
 *    trees, run alternately, median wall time and the ratio. Target: no slower than kubectl.
 *
 * BENCH_RUNS sets the in-process runs per tree (default 300), BENCH_PROCESS_RUNS the process
 * runs per tree and tool (default 15). `--check` exits 1 when a target is missed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, toYaml } from "../src/index.ts";

const packageDir = resolve(fileURLToPath(new URL("..", import.meta.url)));
const repoRoot = resolve(packageDir, "../..");
const bin = join(packageDir, "bin/kustomize-ts.mjs");
const kubectl = process.env.KUBECTL || "kubectl";
const inProcessRuns = Number(process.env.BENCH_RUNS ?? 300);
const processRuns = Number(process.env.BENCH_PROCESS_RUNS ?? 15);
const check = process.argv.includes("--check");
const targetMs = 5;

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(dir, entry.name))
    .sort();
}

function fileCount(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  ).length;
}

/** The repository's overlays, or else the largest differential cases that build. */
function trees(): string[] {
  const overlays = subdirs(join(repoRoot, "gitops/apps")).flatMap((app) =>
    subdirs(join(app, "overlays")),
  );
  if (overlays.length > 0) return overlays;
  const casesDir = join(packageDir, "test/cases");
  return subdirs(casesDir)
    .filter((dir) => existsSync(join(dir, "expected.yaml")))
    .sort((a, b) => fileCount(b) - fileCount(a))
    .slice(0, 5)
    .map((dir) => join(dir, "input"));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function timeProcess(command: string, args: string[]): { ms: number; stdout: string; ok: boolean } {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms: elapsed, stdout: result.stdout ?? "", ok: result.status === 0 };
}

function hasKubectl(): boolean {
  return spawnSync(kubectl, ["version", "--client"], { encoding: "utf8" }).status === 0;
}

async function main(): Promise<number> {
  const dirs = trees();
  if (dirs.length === 0) {
    process.stderr.write(
      "bench: no overlays under gitops/apps/*/overlays and no test cases to build\n",
    );
    return 1;
  }
  const name = (dir: string) => relative(repoRoot, dir);
  let missed = false;

  process.stdout.write(`In-process build() + toYaml(), warm, ${inProcessRuns} runs per tree\n`);
  process.stdout.write(
    `${"tree".padEnd(48)} ${"median".padStart(10)} ${"p95".padStart(10)} ${"docs".padStart(5)}\n`,
  );
  for (const dir of dirs) {
    const warm = Math.max(20, Math.floor(inProcessRuns / 10));
    let docs = 0;
    for (let i = 0; i < warm; i++) docs = build(dir).length;
    const samples: number[] = [];
    for (let i = 0; i < inProcessRuns; i++) {
      const start = process.hrtime.bigint();
      toYaml(build(dir));
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const mid = median(samples);
    if (mid >= targetMs) missed = true;
    process.stdout.write(
      `${name(dir).padEnd(48)} ${ms(mid).padStart(10)} ${ms(percentile(samples, 95)).padStart(10)} ${String(docs).padStart(5)}${mid < targetMs ? "" : `  (target < ${targetMs} ms missed)`}\n`,
    );
  }

  if (!hasKubectl()) {
    process.stdout.write(`\n${kubectl} not found: whole-process comparison skipped\n`);
    return check && missed ? 1 : 0;
  }

  process.stdout.write(`\nWhole process, ${processRuns} runs per tree and tool, alternating\n`);
  process.stdout.write(
    `${"tree".padEnd(48)} ${"kustomize-ts".padStart(12)} ${"kubectl".padStart(10)} ${"ratio".padStart(7)}  same output\n`,
  );
  const allOurs: number[] = [];
  const allTheirs: number[] = [];
  for (const dir of dirs) {
    const ours: number[] = [];
    const theirs: number[] = [];
    let same = true;
    for (let i = 0; i < processRuns + 2; i++) {
      const a = timeProcess(process.execPath, [bin, "build", dir]);
      const b = timeProcess(kubectl, ["kustomize", dir]);
      if (a.stdout !== b.stdout || a.ok !== b.ok) same = false;
      // The first two runs of each only warm the file cache.
      if (i >= 2) {
        ours.push(a.ms);
        theirs.push(b.ms);
      }
    }
    allOurs.push(...ours);
    allTheirs.push(...theirs);
    const ratio = median(ours) / median(theirs);
    process.stdout.write(
      `${name(dir).padEnd(48)} ${ms(median(ours)).padStart(12)} ${ms(median(theirs)).padStart(10)} ${ratio.toFixed(2).padStart(7)}  ${same ? "yes" : "NO"}\n`,
    );
  }
  const overall = median(allOurs) / median(allTheirs);
  if (overall > 1) missed = true;
  process.stdout.write(
    `\nOverall median: kustomize-ts ${ms(median(allOurs))}, kubectl kustomize ${ms(median(allTheirs))}, ratio ${overall.toFixed(2)} (${overall <= 1 ? "no slower than kubectl" : "slower than kubectl"})\n`,
  );
  return check && missed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);

/**
 * A markdown table of every package's test coverage, read from the json-summary reports
 * that `vitest run --coverage` writes (apps/* and packages/*: coverage/coverage-summary.json),
 * for the CI job summary. Exits 1 when a figure is below --min or no report exists, so the
 * gate holds even when a package's own threshold is loosened.
 *
 * usage: node scripts/coverage-summary.ts [--min 80] [root]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const METRICS = ["lines", "statements", "functions", "branches"] as const;
type Metric = (typeof METRICS)[number];

export interface PackageCoverage {
  name: string;
  path: string;
  totals: Record<Metric, number>;
}

export function readCoverage(root: string): PackageCoverage[] {
  const result: PackageCoverage[] = [];
  for (const group of ["apps", "packages"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const report = join(dir, name, "coverage/coverage-summary.json");
      if (!existsSync(report)) continue;
      const total = (
        JSON.parse(readFileSync(report, "utf8")) as { total: Record<Metric, { pct: number }> }
      ).total;
      const manifest = join(dir, name, "package.json");
      const pkg = existsSync(manifest)
        ? (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string })
        : {};
      result.push({
        name: pkg.name ?? name,
        path: `${group}/${name}`,
        totals: Object.fromEntries(
          METRICS.map((metric) => [metric, Number(total[metric].pct)]),
        ) as Record<Metric, number>,
      });
    }
  }
  return result;
}

export function coverageMarkdown(
  packages: readonly PackageCoverage[],
  min: number,
): { markdown: string; ok: boolean } {
  if (packages.length === 0) {
    return {
      markdown:
        "### Test coverage\n\nNo coverage report found: did the tests run with --coverage?\n",
      ok: false,
    };
  }
  let ok = true;
  const rows = packages.map((pkg) => {
    const cells = METRICS.map((metric) => {
      const value = pkg.totals[metric];
      if (value < min) ok = false;
      return `${value.toFixed(1)}%${value < min ? " ❌" : ""}`;
    });
    return `| \`${pkg.name}\` | ${cells.join(" | ")} |`;
  });
  const markdown = [
    "### Test coverage",
    "",
    `| Package | ${METRICS.map((m) => m[0]!.toUpperCase() + m.slice(1)).join(" | ")} |`,
    `| --- | ${METRICS.map(() => "---:").join(" | ")} |`,
    ...rows,
    "",
    ok ? `Every package is at or above ${min}%.` : `❌ Below the ${min}% minimum.`,
    "",
  ].join("\n");
  return { markdown, ok };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const minAt = args.indexOf("--min");
  const min = minAt >= 0 ? Number(args.splice(minAt, 2)[1]) : 80;
  const root = resolve(args[0] ?? resolve(fileURLToPath(import.meta.url), "../.."));
  const { markdown, ok } = coverageMarkdown(readCoverage(root), min);
  process.stdout.write(markdown);
  if (!ok) process.exitCode = 1;
}

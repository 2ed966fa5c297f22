/**
 * One broken tree per rule: each fixture breaks a copy of the repository's gitops/ tree
 * and must fail verify naming exactly the rule(s) it lists.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RULES, verifyRepository } from "../src/index.ts";
import { brokenTree, exportedMetrics, loadFixtures } from "./fixtures/verify/tree.ts";

const fixtures = loadFixtures();
const scratch = mkdtempSync(join(tmpdir(), "gitops-verify-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("gitops verify on broken trees", () => {
  it("has a fixture for every rule", () => {
    const covered = new Set(fixtures.map(({ fixture }) => fixture.rule));
    expect(Object.keys(RULES).filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it.each(fixtures)("$name fails naming its rule", async ({ name, fixture }) => {
    const root = brokenTree(join(scratch, name), fixture);
    const overlay = /^gitops\/apps\/([^/]+)\/overlays\/([^/]+)$/.exec(fixture.kustomization);
    const { violations } = await verifyRepository(
      root,
      overlay ? { app: overlay[1] as string, env: overlay[2] as string } : {},
      { exportedMetrics },
    );
    const rules = [...new Set(violations.map((v) => v.rule))].sort();
    expect(rules, violations.map((v) => `${v.rule}: ${v.problem}`).join("\n")).toEqual(
      [fixture.rule, ...(fixture.also ?? [])].sort(),
    );
    for (const violation of violations) {
      expect(violation.problem.length).toBeGreaterThan(10);
      expect(violation.fix.length).toBeGreaterThan(5);
    }
  });
});

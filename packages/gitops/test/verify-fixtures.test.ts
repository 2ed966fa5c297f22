/**
 * One broken tree per rule: each fixture breaks a copy of the repository's gitops/ tree
 * and must fail verify naming exactly the rule(s) it lists.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { RULES, verifyRepository } from "../src/index.ts";

const REPO = resolve(import.meta.dirname, "../../..");
const FIXTURES = join(import.meta.dirname, "fixtures/verify");

interface Fixture {
  rule: string;
  also?: string[];
  kustomization: string;
  patches?: unknown[];
  resources?: string[];
  set?: Record<string, unknown>;
  files?: Record<string, string>;
}

const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => ({ name, fixture: parse(readFileSync(join(FIXTURES, name), "utf8")) as Fixture }));

const scratch = mkdtempSync(join(tmpdir(), "gitops-verify-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of this repository's gitops/ tree with the fixture applied; returns its root. */
function brokenTree(name: string, fixture: Fixture): string {
  const root = join(scratch, name.replace(/\.yaml$/, ""));
  cpSync(join(REPO, "gitops"), join(root, "gitops"), { recursive: true });
  for (const [path, content] of Object.entries(fixture.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const file = join(root, fixture.kustomization, "kustomization.yaml");
  const kustomization = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  Object.assign(kustomization, fixture.set ?? {});
  if (fixture.patches)
    kustomization.patches = [...((kustomization.patches as unknown[]) ?? []), ...fixture.patches];
  if (fixture.resources) {
    kustomization.resources = [
      ...((kustomization.resources as unknown[]) ?? []),
      ...fixture.resources,
    ];
  }
  writeFileSync(file, stringify(kustomization));
  return root;
}

describe("gitops verify on broken trees", () => {
  it("has a fixture for every rule", () => {
    const covered = new Set(fixtures.map(({ fixture }) => fixture.rule));
    expect(Object.keys(RULES).filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it.each(fixtures)("$name fails naming its rule", async ({ name, fixture }) => {
    const root = brokenTree(name, fixture);
    const overlay = /^gitops\/apps\/([^/]+)\/overlays\/([^/]+)$/.exec(fixture.kustomization);
    const { violations } = await verifyRepository(
      root,
      overlay ? { app: overlay[1] as string, env: overlay[2] as string } : {},
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

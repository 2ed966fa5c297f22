/**
 * The renderer verify uses (@repo/kustomize-ts) against the reference, `kubectl kustomize`
 * (kustomize v5): byte-identical output for every target of this repository and for every
 * broken fixture tree. Runs where kubectl is on PATH (CI, GitHub's runners).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, toYaml } from "@repo/kustomize-ts";
import { afterAll, describe, expect, it } from "vitest";
import { discoverTargets } from "../src/verify/targets.ts";
import { brokenTree, loadFixtures, REPO } from "./fixtures/verify/tree.ts";

const KUBECTL = process.env.KUBECTL ?? "kubectl";
const hasKubectl = spawnSync(KUBECTL, ["version", "--client"], { stdio: "ignore" }).status === 0;

type Rendered = { yaml: string } | { error: true };

function kubectl(dir: string): Rendered {
  try {
    return {
      yaml: execFileSync(KUBECTL, ["kustomize", dir], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    };
  } catch {
    return { error: true };
  }
}

function kustomizeTs(dir: string): Rendered {
  try {
    return { yaml: toYaml(build(dir)) };
  } catch {
    return { error: true };
  }
}

describe.runIf(hasKubectl)("@repo/kustomize-ts renders like kubectl kustomize", () => {
  const scratch = mkdtempSync(join(tmpdir(), "gitops-render-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(discoverTargets(REPO).map((t) => [t.path, t.dir]))("%s", (_path, dir) => {
    const expected = kubectl(dir);
    expect(expected).toHaveProperty("yaml");
    expect(kustomizeTs(dir)).toEqual(expected);
  });

  it.each(loadFixtures())("broken tree $name", ({ name, fixture }) => {
    const dir = join(brokenTree(join(scratch, name), fixture), fixture.kustomization);
    expect(kustomizeTs(dir)).toEqual(kubectl(dir));
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { affectedOverlays, diffObjects } from "../src/deploy/manifest-diff.ts";
import { DEV, DIGEST_A, fixturePerTest, git, gitops, IMAGE } from "./helpers/repos.ts";

const fx = fixturePerTest();

function commit(clone: string, path: string, text: string, message: string): void {
  writeFileSync(join(clone, path), text);
  git(clone, ["commit", "--quiet", "-am", message]);
}

describe("gitops diff", () => {
  it("shows the rendered change of a bump as a markdown diff of the one object it touches", async () => {
    const clone = fx.clone();
    await gitops(clone, [
      "bump",
      "--app",
      "agent",
      "--env",
      "dev",
      "--tag",
      "main-1111111",
      "--digest",
      DIGEST_A,
      "--no-push",
    ]);
    const result = await gitops(clone, ["diff", "--base", "origin/main"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("<!-- gitops-diff -->");
    expect(result.stdout).toContain("#### `agent/dev`");
    expect(result.stdout).toContain("changed: Deployment/agent");
    const lines = result.stdout.split("\n");
    expect(lines.filter((line) => /^[-+]\s/.test(line))).toEqual([
      `-        - image: ${IMAGE}:main-0000000`,
      `+        - image: ${IMAGE}:main-1111111@${DIGEST_A}`,
    ]);
    expect(result.stdout).not.toContain("agent/staging");
  });

  it("renders every environment when the base changes, and lists files it does not render", async () => {
    const clone = fx.clone();
    const deployment = "gitops/apps/agent/base/deployment.yaml";
    const text = readFileSync(join(clone, deployment), "utf8").replace(
      "containerPort: 8000",
      "containerPort: 8080",
    );
    writeFileSync(
      join(clone, "gitops/repository.yaml"),
      "repository: another-org/other\nregistry: ghcr.io\n",
    );
    commit(clone, deployment, text, "port 8080");
    const out = join(fx.dir, "diff.md");
    const result = await gitops(clone, ["diff", "--base", "HEAD~1", "--output", out]);
    expect(result.code, result.stderr).toBe(0);
    const markdown = readFileSync(out, "utf8");
    for (const env of ["dev", "production", "staging"])
      expect(markdown).toContain(`#### \`agent/${env}\``);
    expect(markdown.match(/\+\s+- containerPort: 8080/g)).toHaveLength(3);
    expect(markdown).toContain("- `gitops/repository.yaml`");
  });

  it("says when nothing changed, and fails on an overlay that does not render", async () => {
    const clone = fx.clone();
    expect((await gitops(clone, ["diff", "--base", "HEAD"])).stdout).toContain(
      "No change under `gitops/`",
    );
    commit(clone, DEV, `${readFileSync(join(clone, DEV), "utf8")}# a comment only\n`, "comment");
    expect((await gitops(clone, ["diff", "--base", "HEAD~1"])).stdout).toContain(
      "No change to the rendered manifests.",
    );
    commit(clone, DEV, "resources:\n  - ../../missing\n", "broken");
    const broken = await gitops(clone, ["diff", "--base", "HEAD~1"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(":x: does not render at HEAD");
  });

  it("names an unknown ref and how to get it", async () => {
    const clone = fx.clone();
    const result = await gitops(clone, ["diff", "--base", "origin/nope"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("git fetch origin nope");
  });
});

describe("manifest diff helpers", () => {
  it("maps changed paths to overlays", () => {
    const { overlays, other } = affectedOverlays(
      [
        "gitops/apps/a/overlays/dev/kustomization.yaml",
        "gitops/apps/b/base/x.yaml",
        "gitops/argocd/app.yaml",
      ],
      (app) => (app === "b" ? ["dev", "prod"] : []),
    );
    expect(overlays).toEqual([
      { app: "a", env: "dev" },
      { app: "b", env: "dev" },
      { app: "b", env: "prod" },
    ]);
    expect(other).toEqual(["gitops/argocd/app.yaml"]);
  });

  it("reports added, removed and changed objects", () => {
    const cm = (name: string, value: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name },
      data: { value },
    });
    const changes = diffObjects([cm("a", "1"), cm("b", "1")], [cm("a", "2"), cm("c", "1")]);
    expect(changes).toMatchObject({
      changed: ["ConfigMap/a"],
      removed: ["ConfigMap/b"],
      added: ["ConfigMap/c"],
    });
    expect(changes.patch).toContain('-  value: "1"\n+  value: "2"');
  });
});

/**
 * The optional Ingress component: an overlay that includes it, with its host patched as
 * gitops/README.md says, verifies (schema, AppProject kinds) and routes to the app's Service.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { formatViolation, verifyRepository } from "../src/index.ts";
import { renderKustomization } from "../src/render.ts";
import { exportedMetrics, REPO } from "./fixtures/verify/tree.ts";

interface Ingress {
  spec: {
    rules: {
      host: string;
      http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] };
    }[];
  };
}
interface Service {
  spec: { ports: { name: string }[] };
}

const scratch = mkdtempSync(join(tmpdir(), "gitops-ingress-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the tree whose `env` overlay includes the component, host set by a patch. */
function exposed(name: string, env: string, project?: (text: string) => string): string {
  const root = join(scratch, name);
  cpSync(join(REPO, "gitops"), join(root, "gitops"), { recursive: true });
  const file = join(root, "gitops/apps/agent/overlays", env, "kustomization.yaml");
  const kustomization = parse(readFileSync(file, "utf8"));
  kustomization.components = [...(kustomization.components ?? []), "../../components/ingress"];
  kustomization.patches = [
    ...(kustomization.patches ?? []),
    {
      target: { kind: "Ingress", name: "agent" },
      patch: `- op: replace\n  path: /spec/rules/0/host\n  value: agent.${env}.example.org\n`,
    },
  ];
  writeFileSync(file, stringify(kustomization));
  if (project) {
    const path = join(root, "gitops/argocd/appproject.yaml");
    writeFileSync(path, project(readFileSync(path, "utf8")));
  }
  return root;
}

describe("components/ingress", () => {
  it.each(["dev", "production"])(
    "verifies in %s and routes the host to the app's Service",
    async (env) => {
      const root = exposed(`ingress-${env}`, env);
      const { violations } = await verifyRepository(
        root,
        { app: "agent", env },
        { exportedMetrics },
      );
      expect(violations.map(formatViolation)).toEqual([]);

      const objects = renderKustomization(join(root, "gitops/apps/agent/overlays", env));
      const ingress = objects.find((o) => o.kind === "Ingress") as unknown as Ingress;
      const [rule] = ingress.spec.rules;
      expect(rule?.host).toBe(`agent.${env}.example.org`);
      const backend = rule?.http.paths[0]?.backend.service;
      if (!backend) throw new Error("the Ingress has no backend Service");
      const service = objects.find(
        (o) => o.kind === "Service" && o.metadata?.name === backend.name,
      );
      expect(service, `no Service ${backend.name}`).toBeDefined();
      const ports = (service as unknown as Service).spec.ports.map((p) => p.name);
      expect(ports).toContain(backend.port.name);
    },
  );

  it("is refused by the AppProject when its kind is not admitted", async () => {
    const root = exposed("ingress-not-admitted", "dev", (text) =>
      text.replace(/ {4}- group: networking\.k8s\.io\n {6}kind: Ingress\n/, ""),
    );
    const { violations } = await verifyRepository(
      root,
      { app: "agent", env: "dev" },
      { exportedMetrics },
    );
    expect(violations.map((v) => v.rule)).toContain("project-destination");
    expect(violations.map(formatViolation).join("\n")).toMatch(/Ingress/);
  });
});

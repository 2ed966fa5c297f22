/**
 * Credentials on this repository's tree: the Secrets the Deployments read are the ones the
 * ExternalSecrets write, every ExternalSecret reads from the one store the component names,
 * and an overlay switched to Sealed Secrets verifies (schema included).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { formatViolation, verifyRepository } from "../src/index.ts";
import { renderKustomization } from "../src/render.ts";
import { podTemplate, record, records, text } from "../src/verify/objects.ts";
import { checkSchema } from "../src/verify/schema.ts";
import { exportedMetrics, REPO } from "./fixtures/verify/tree.ts";

const scratch = mkdtempSync(join(tmpdir(), "gitops-secrets-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const overlay = (root: string, env: string) => join(root, "gitops/apps/agent/overlays", env);

/** secretName/key pairs that containers read through secretKeyRef. */
function secretKeyRefs(dir: string): string[] {
  const refs = new Set<string>();
  for (const object of renderKustomization(dir)) {
    for (const container of podTemplate(object)?.containers ?? []) {
      for (const env of records(container.env)) {
        const ref = record(record(env.valueFrom).secretKeyRef);
        if (text(ref.name)) refs.add(`${ref.name}/${ref.key}`);
      }
    }
  }
  return [...refs].sort();
}

describe("secrets from the secret manager", () => {
  const store = parse(
    readFileSync(
      join(REPO, "gitops/apps/agent/components/external-secrets/secret-store-patch.yaml"),
      "utf8",
    ),
  ).spec.secretStoreRef;

  it.each(["staging", "production"])(
    "%s: every Secret a Deployment reads is written by an ExternalSecret of the one store",
    (env) => {
      const objects = renderKustomization(overlay(REPO, env));
      const externalSecrets = objects.filter((o) => o.kind === "ExternalSecret");
      const written = externalSecrets.flatMap((o) => {
        const spec = record(o.spec);
        const name = text(record(spec.target).name) ?? o.metadata.name;
        return records(spec.data).map((d) => `${name}/${d.secretKey}`);
      });
      expect(written.sort()).toEqual(["agent-db-app/uri", "agent-model/key"]);
      for (const ref of secretKeyRefs(overlay(REPO, env))) expect(written).toContain(ref);
      for (const o of externalSecrets) {
        expect(record(o.spec).secretStoreRef).toEqual({
          kind: "ClusterSecretStore",
          name: store.name,
        });
        expect(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBe("-1");
        const remote = records(record(o.spec).data).map((d) => text(record(d.remoteRef).key));
        // Each environment reads its own credentials, never another's.
        for (const key of remote) expect(key).toMatch(new RegExp(`^agent/${env}/`));
      }
    },
  );

  it("dev needs no credentials and renders no ExternalSecret", () => {
    const kinds = renderKustomization(overlay(REPO, "dev")).map((o) => o.kind);
    expect(kinds).not.toContain("ExternalSecret");
    expect(secretKeyRefs(overlay(REPO, "dev"))).toEqual([]);
  });

  it("checks ExternalSecrets and SealedSecrets against their CRD schemas", async () => {
    const typo = await checkSchema({
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name: "a" },
      spec: { secretStoreRef: { kind: "ClusterSecretStore", name: "s" }, dataFromm: [] },
    });
    expect(typo).toEqual([
      expect.objectContaining({
        rule: "unknown-field",
        problem: "spec.dataFromm is not a field of ExternalSecret external-secrets.io/v1",
      }),
    ]);
    const wrongType = await checkSchema({
      apiVersion: "bitnami.com/v1alpha1",
      kind: "SealedSecret",
      metadata: { name: "a" },
      spec: { encryptedData: "AgB" },
    });
    expect(wrongType.map((f) => `${f.rule}: ${f.problem}`)).toEqual([
      "schema: spec.encryptedData must be of type object",
    ]);
  });
});

describe("Sealed Secrets instead (components/sealed-secrets)", () => {
  /** A copy of the tree whose staging reads sealed credentials. */
  function sealedStaging(name: string, sealed: Record<string, unknown>[]): string {
    const root = join(scratch, name);
    cpSync(join(REPO, "gitops"), join(root, "gitops"), { recursive: true });
    const dir = overlay(root, "staging");
    const file = join(dir, "kustomization.yaml");
    const kustomization = parse(readFileSync(file, "utf8"));
    // As gitops/README.md says: swap the file and the component, keep everything else.
    const swap = (entry: string) =>
      entry
        .replace(/externalsecrets\.yaml$/, "sealedsecrets.yaml")
        .replace(/components\/external-secrets$/, "components/sealed-secrets");
    kustomization.resources = kustomization.resources.map(swap);
    kustomization.components = kustomization.components.map(swap);
    writeFileSync(file, stringify(kustomization));
    writeFileSync(join(dir, "sealedsecrets.yaml"), sealed.map((s) => stringify(s)).join("---\n"));
    const project = join(root, "gitops/argocd/appproject.yaml");
    writeFileSync(
      project,
      readFileSync(project, "utf8").replace(
        "    - group: external-secrets.io\n",
        "    - group: bitnami.com\n      kind: SealedSecret\n    - group: external-secrets.io\n",
      ),
    );
    return root;
  }

  const sealedSecret = (spec: Record<string, unknown>) => ({
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    metadata: { name: "agent-db-app" },
    spec,
  });

  it("verifies, and the component marks each SealedSecret to unseal before the Deployments", async () => {
    const root = sealedStaging("sealed", [
      sealedSecret({ encryptedData: { uri: "AgBy3i4OJSWK+PiTySYZZA==" } }),
    ]);
    const result = await verifyRepository(
      root,
      { app: "agent", env: "staging" },
      { exportedMetrics },
    );
    expect(result.violations.map(formatViolation)).toEqual([]);
    const rendered = renderKustomization(overlay(root, "staging")).find(
      (o) => o.kind === "SealedSecret",
    );
    expect(rendered?.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBe("-1");
    expect(record(record(rendered?.spec).template).type).toBe("Opaque");
  });

  it("refuses a misspelt SealedSecret field (and names the required one it lacks)", async () => {
    const root = sealedStaging("sealed-typo", [
      sealedSecret({ encryptedDta: { uri: "AgBy3i4OJSWK+PiTySYZZA==" } }),
    ]);
    const result = await verifyRepository(
      root,
      { app: "agent", env: "staging" },
      { exportedMetrics },
    );
    expect(result.violations.map((v) => `${v.rule}: ${v.problem}`)).toEqual([
      "schema: required field spec.encryptedData is missing",
      "unknown-field: spec.encryptedDta is not a field of SealedSecret bitnami.com/v1alpha1",
    ]);
  });
});

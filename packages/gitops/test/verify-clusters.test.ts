/**
 * The ApplicationSet of gitops/argocd rendered for sets of clusters, as Argo CD's
 * ApplicationSet controller generates it (merge of two matrices: every overlay in-cluster,
 * overridden by the cluster labelled env: <overlay>), and verify's checks of the result.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import {
  type Cluster,
  formatViolation,
  renderApplicationSet,
  verifyRepository,
} from "../src/index.ts";
import { renderKustomization } from "../src/render.ts";
import {
  GeneratorError,
  generateParams,
  mergeOverride,
  parseClusters,
} from "../src/verify/applicationset.ts";
import { matchDirectories } from "../src/verify/rules/argocd.ts";
import { exportedMetrics, REPO } from "./fixtures/verify/tree.ts";

const scratch = mkdtempSync(join(tmpdir(), "gitops-clusters-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const applicationSet = renderKustomization(join(REPO, "gitops/argocd")).find(
  (o) => o.kind === "ApplicationSet",
);
const IN_CLUSTER = "https://kubernetes.default.svc";

/**
 * The template's own overlays: apps and environments a user adds (`pnpm gen agent`, a qa
 * overlay) are generated the same way and must not change what these cases expect.
 */
const TEMPLATE_ENVS = ["dev", "staging", "production"];
const isTemplateOverlay = (dir: string) =>
  TEMPLATE_ENVS.some((env) => dir === `gitops/apps/agent/overlays/${env}`);

function generate(clusters: Cluster[]) {
  return renderApplicationSet(applicationSet, clusters, (pattern) =>
    matchDirectories(REPO, pattern).filter(isTemplateOverlay),
  );
}

/** name -> server of each generated Application. */
function placement(clusters: Cluster[]): Record<string, unknown> {
  const { applications, problems } = generate(clusters);
  expect(problems).toEqual([]);
  return Object.fromEntries(
    applications.map((a) => [a.metadata.name, (a.spec.destination as { server: string }).server]),
  );
}

const labelled: Cluster[] = [
  { name: "dev", server: "https://dev.k8s.example.com", labels: { env: "dev" } },
  { name: "staging", server: "https://staging.k8s.example.com", labels: { env: "staging" } },
  {
    name: "production",
    server: "https://production.k8s.example.com",
    labels: { env: "production", region: "eu" },
  },
];

describe("the ApplicationSet for a set of clusters", () => {
  it("one cluster (Argo CD's own, no cluster Secret): every environment in-cluster", () => {
    const { applications, problems } = generate([]);
    expect(problems).toEqual([]);
    expect(applications.map((a) => a.metadata.name)).toEqual([
      "agent-dev",
      "agent-production",
      "agent-staging",
    ]);
    expect(applications[1]).toEqual({
      metadata: {
        name: "agent-production",
        labels: {
          "app.kubernetes.io/name": "agent",
          "app.kubernetes.io/environment": "production",
        },
        annotations: {
          "notifications.argoproj.io/subscribe.on-sync-succeeded.github": "",
          "notifications.argoproj.io/subscribe.on-sync-failed.github": "",
          "notifications.argoproj.io/subscribe.on-health-degraded.github": "",
        },
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: expect.objectContaining({
        project: "agents",
        source: {
          repoURL: "https://github.com/example-org/agent-gitops-template.git",
          targetRevision: "main",
          path: "gitops/apps/agent/overlays/production",
        },
        destination: { server: IN_CLUSTER, namespace: "agent-production" },
      }),
    });
  });

  it("a cluster without an env label changes nothing; one labelled production takes production", () => {
    const other = { name: "tools", server: "https://tools.k8s.example.com" };
    expect(placement([other])).toEqual({
      "agent-dev": IN_CLUSTER,
      "agent-production": IN_CLUSTER,
      "agent-staging": IN_CLUSTER,
    });
    expect(placement([other, labelled[2] as Cluster])).toEqual({
      "agent-dev": IN_CLUSTER,
      "agent-production": "https://production.k8s.example.com",
      "agent-staging": IN_CLUSTER,
    });
  });

  it("three labelled clusters: each environment on its own", () => {
    expect(placement(labelled)).toEqual({
      "agent-dev": "https://dev.k8s.example.com",
      "agent-production": "https://production.k8s.example.com",
      "agent-staging": "https://staging.k8s.example.com",
    });
  });

  it("a labelled Secret for the local cluster places its environment there", () => {
    expect(placement([{ name: "hub", server: IN_CLUSTER, labels: { env: "dev" } }])).toEqual({
      "agent-dev": IN_CLUSTER,
      "agent-production": IN_CLUSTER,
      "agent-staging": IN_CLUSTER,
    });
  });

  it("two clusters labelled for one environment: Argo CD refuses the ApplicationSet", () => {
    const twice = [
      ...labelled,
      { name: "prod-2", server: "https://p2.example.com", labels: { env: "production" } },
    ];
    const { applications, problems } = generate(twice);
    expect(applications).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^spec\.generators\[0\]: the merge generator's child 2 yields two parameter sets with the same path/,
      ),
    ]);
  });
});

describe("gitops verify with clusters", () => {
  function tree(name: string, clusters: string, destinations?: string): string {
    const root = join(scratch, name);
    // The template's own app and environments only (see isTemplateOverlay).
    cpSync(join(REPO, "gitops"), join(root, "gitops"), {
      recursive: true,
      filter: (source) => {
        const path = relative(REPO, source);
        const app = /^gitops\/apps\/([^/]+)/.exec(path);
        if (app && app[1] !== "agent") return false;
        const overlay = /^gitops\/apps\/agent\/overlays\/[^/]+/.exec(path);
        return !overlay || isTemplateOverlay(overlay[0]);
      },
    });
    const repository = join(root, "gitops/repository.yaml");
    writeFileSync(
      repository,
      readFileSync(repository, "utf8").replace("clusters: []\n", `clusters:\n${clusters}`),
    );
    // Without a list of its own, the template's one destination (apps a user added are
    // not in the copy, so their destinations would admit nothing).
    const project = join(root, "gitops/argocd/appproject.yaml");
    const text = readFileSync(project, "utf8");
    writeFileSync(
      project,
      text.replace(
        / {2}destinations:\n( {4}.*\n)+/,
        `  destinations:\n${destinations ?? `    - server: ${IN_CLUSTER}\n      namespace: agent-*\n`}`,
      ),
    );
    return root;
  }
  const three = labelled
    .map(
      (c) =>
        `  - name: ${c.name}\n    server: ${c.server}\n    labels:\n      env: ${c.labels?.env}\n`,
    )
    .join("");

  it("passes when the AppProject allows exactly the clusters the environments land on", async () => {
    const destinations = labelled
      .map((c) => `    - server: ${c.server}\n      namespace: agent-${c.labels?.env}\n`)
      .join("");
    const { violations } = await verifyRepository(
      tree("three", three, destinations),
      {},
      { exportedMetrics },
    );
    expect(violations.map(formatViolation)).toEqual([]);
  });

  it("names each destination outside the AppProject, and the one nothing uses", async () => {
    const { violations } = await verifyRepository(
      tree("three-unlisted", three),
      {},
      { exportedMetrics },
    );
    expect(violations.map((v) => `${v.rule}: ${v.problem}`)).toEqual([
      'project-destination: Application agent-dev (generated) deploys to namespace "agent-dev" on https://dev.k8s.example.com, which no destination allows',
      'project-destination: Application agent-production (generated) deploys to namespace "agent-production" on https://production.k8s.example.com, which no destination allows',
      'project-destination: Application agent-staging (generated) deploys to namespace "agent-staging" on https://staging.k8s.example.com, which no destination allows',
      "project-destination: destination {server: https://kubernetes.default.svc, namespace: agent-*} admits no Application of the project: nothing is placed there for the clusters of gitops/repository.yaml",
    ]);
  });

  it("says in one line that two clusters carry one environment's label", async () => {
    const twice = `${three}  - name: production-2\n    server: https://p2.example.com\n    labels:\n      env: production\n`;
    const { violations } = await verifyRepository(tree("twice", twice), {}, { exportedMetrics });
    expect(violations.map((v) => v.rule)).toEqual(["applicationset"]);
  });

  it("takes a cluster fixture from --clusters", async () => {
    const file = join(scratch, "clusters.yaml");
    writeFileSync(
      file,
      "- name: production\n  server: https://production.k8s.example.com\n  labels: { env: production }\n",
    );
    let stdout = "";
    let stderr = "";
    const run = (args: string[]) =>
      main(args, {
        cwd: REPO,
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        env: {},
      });
    expect(await run(["verify", "--clusters", file])).toBe(1);
    expect(stdout).toContain(
      'Application agent-production (generated) deploys to namespace "agent-production" on https://production.k8s.example.com, which no destination allows',
    );
    stderr = "";
    expect(await run(["verify", "--clusters", join(scratch, "missing.yaml")])).toBe(2);
    expect(stderr).toMatch(/^gitops verify: --clusters .*missing\.yaml: not found\n/);
    writeFileSync(file, "- name: x\n");
    stderr = "";
    expect(await run(["verify", "--clusters", file])).toBe(2);
    expect(stderr).toMatch(/clusters\[0\] needs a name and a server URL/);
  });
});

describe("generators, as the controller runs them", () => {
  const context = (goTemplate: boolean, clusters: Cluster[] = []) => ({
    goTemplate,
    clusters,
    directories: (pattern: string) => (pattern === "apps/*" ? ["apps/a", "apps/b"] : []),
  });

  it("clusters: the local cluster only without a selector; labels, annotations and values as parameters", () => {
    const clusters = [
      { name: "Prod_1", server: "https://p", labels: { env: "prod" }, annotations: { team: "x" } },
    ];
    expect(
      generateParams({ clusters: { values: { where: "{{.name}}" } } }, context(true, clusters)),
    ).toEqual([
      {
        name: "Prod_1",
        nameNormalized: "prod-1",
        server: "https://p",
        project: "",
        metadata: {
          annotations: { team: "x" },
          labels: { env: "prod", "argocd.argoproj.io/secret-type": "cluster" },
        },
        values: { where: "Prod_1" },
      },
      {
        name: "in-cluster",
        nameNormalized: "in-cluster",
        server: IN_CLUSTER,
        project: "",
        values: { where: "in-cluster" },
      },
    ]);
    const flat = generateParams(
      { clusters: { selector: { matchExpressions: [{ key: "env", operator: "Exists" }] } } },
      context(false, clusters),
    );
    expect(flat).toEqual([
      {
        name: "Prod_1",
        nameNormalized: "prod-1",
        server: "https://p",
        project: "",
        "metadata.annotations.team": "x",
        "metadata.labels.env": "prod",
        "metadata.labels.argocd.argoproj.io/secret-type": "cluster",
      },
    ]);
  });

  it("matrix: the second child sees the first's parameters; the first wins a clash", () => {
    const sets = generateParams(
      {
        matrix: {
          generators: [
            { git: { directories: [{ path: "apps/*" }] } },
            { list: { elements: [{ where: "{{.path.basename}}", path: "ignored" }] } },
          ],
        },
      },
      context(true),
    );
    expect(sets.map((s) => [s.where, (s.path as { path: string }).path])).toEqual([
      ["a", "apps/a"],
      ["b", "apps/b"],
    ]);
    expect(() =>
      generateParams(
        {
          matrix: {
            generators: [
              { git: { directories: [{ path: "apps/*" }] } },
              { list: { elements: [{ path: "other" }] } },
            ],
          },
        },
        context(false),
      ),
    ).toThrow(/both set path to different values/);
  });

  it("merge: unmatched later sets are dropped; empty values never override (mergo)", () => {
    const sets = generateParams(
      {
        merge: {
          mergeKeys: ["k"],
          generators: [
            {
              list: {
                elements: [
                  { k: "1", v: "base" },
                  { k: "2", v: "base" },
                ],
              },
            },
            {
              list: {
                elements: [
                  { k: "2", v: "over" },
                  { k: "3", v: "lost" },
                ],
              },
            },
          ],
        },
      },
      context(true),
    );
    expect(sets).toEqual([
      { k: "1", v: "base" },
      { k: "2", v: "over" },
    ]);
    expect(mergeOverride({ a: { b: 1, c: 2 }, d: "x" }, { a: { b: 3 }, d: "" })).toEqual({
      a: { b: 3, c: 2 },
      d: "x",
    });
  });

  it("refuses what Argo CD or verify cannot expand, in one sentence", () => {
    const refuse = (generator: Record<string, unknown>) => {
      try {
        generateParams(generator, context(true));
      } catch (error) {
        expect(error).toBeInstanceOf(GeneratorError);
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(refuse({ scmProvider: {} })).toBe("the scmProvider generator is not expanded by verify");
    expect(refuse({ list: {}, git: {} })).toBe(
      "a generator entry must hold exactly one generator, not list and git",
    );
    expect(refuse({ matrix: { generators: [{ list: {} }] } })).toBe(
      "a matrix generator needs exactly two child generators, not 1",
    );
    expect(refuse({ merge: { generators: [{ list: {} }, { list: {} }] } })).toBe(
      "a merge generator needs at least one mergeKey",
    );
    const level3 = { matrix: { generators: [{ list: {} }, { list: {} }] } };
    expect(
      refuse({
        matrix: { generators: [{ matrix: { generators: [level3, { list: {} }] } }, { list: {} }] },
      }),
    ).toBe("matrix generators nest at most once inside matrix or merge");
    expect(refuse({ git: { files: [{ path: "x.json" }] } })).toBe(
      "git files generators are not expanded by verify",
    );
    expect(refuse({ git: { directories: [{ path: "apps/*" }], values: { x: "{{.nope}}" } } })).toBe(
      "values.x uses {{.nope}}, which its generator does not provide",
    );
  });

  it("reads cluster lists and names a bad entry", () => {
    expect(parseClusters(undefined, "clusters")).toEqual([]);
    expect(
      parseClusters(
        [{ name: "a", server: "https://a", labels: { env: "dev" }, project: "p" }],
        "clusters",
      ),
    ).toEqual([{ name: "a", server: "https://a", labels: { env: "dev" }, project: "p" }]);
    expect(() => parseClusters({}, "clusters")).toThrow("clusters must be a list of clusters");
    expect(() => parseClusters([{ name: "a", server: "a.example.com" }], "clusters")).toThrow(
      "clusters[0] needs a name and a server URL",
    );
  });
});

describe("generated Applications' sources", () => {
  it("a template path outside the overlays must exist and render", async () => {
    const root = join(scratch, "elsewhere");
    cpSync(join(REPO, "gitops"), join(root, "gitops"), { recursive: true });
    const set = join(root, "gitops/argocd/applicationset.yaml");
    const original = readFileSync(set, "utf8");
    writeFileSync(
      set,
      original.replace('path: "{{.path.path}}"', 'path: "gitops/missing/{{.path.basename}}"'),
    );
    let found = (await verifyRepository(root, {}, { exportedMetrics })).violations.map(
      (v) => `${v.rule}: ${v.problem}`,
    );
    expect(found).toContain(
      'applicationset-path: Application agent-dev (generated) deploys "gitops/missing/dev", which is not a kustomization directory of the repository',
    );
    // A kustomization there that does not render.
    cpSync(join(root, "gitops/apps/agent"), join(root, "gitops/missing"), { recursive: true });
    cpSync(join(root, "gitops/missing/overlays/dev"), join(root, "gitops/missing/dev"), {
      recursive: true,
    });
    writeFileSync(set, original.replace('path: "{{.path.path}}"', 'path: "gitops/missing/dev"'));
    found = (await verifyRepository(root, {}, { exportedMetrics })).violations.map(
      (v) => `${v.rule}: ${v.problem}`,
    );
    expect(found).toContainEqual(
      expect.stringMatching(
        /^render: Application agent-dev \(generated\) deploys gitops\/missing\/dev, which does not render: /,
      ),
    );
  });
});

/** The building blocks of verify on hand-made objects: schema, selectors, globs, quantities, rules. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubernetesObject, parseImageReference } from "@repo/kustomize-ts";
import { afterAll, describe, expect, it } from "vitest";
import { renderString } from "../src/verify/applicationset.ts";
import { globMatch, minimumReplicas, podTemplate, record, selects } from "../src/verify/objects.ts";
import { checkArgoCD, matchDirectories } from "../src/verify/rules/argocd.ts";
import type { RuleContext } from "../src/verify/rules/context.ts";
import { checkImages } from "../src/verify/rules/images.ts";
import {
  checkDatabaseSecret,
  checkProbes,
  checkResources,
  checkRollingUpdate,
  checkSecurityContext,
  checkServiceAccountToken,
  checkTaskRunner,
  checkTerminationGrace,
  checkTopologySpread,
  STATELESS_ANNOTATION,
} from "../src/verify/rules/pods.ts";
import { parseQuantity } from "../src/verify/rules/quantity.ts";
import {
  checkHorizontalPodAutoscaler,
  checkHpaReplicas,
  checkPodDisruptionBudget,
  checkService,
} from "../src/verify/rules/selectors.ts";
import { checkSchema, fieldPath } from "../src/verify/schema.ts";
import type { RenderedTarget } from "../src/verify/types.ts";
import { TEST_REPOSITORY } from "./helpers/repository-config.ts";

const config = TEST_REPOSITORY;

function object(
  kind: string,
  apiVersion: string,
  spec: unknown,
  extra: Partial<KubernetesObject> = {},
) {
  return {
    apiVersion,
    kind,
    metadata: { name: "app", namespace: "app-dev" },
    spec,
    ...extra,
  } as KubernetesObject;
}

function pods(kind: string, podSpec: Record<string, unknown>, labels = { app: "a" }) {
  const template = { metadata: { labels }, spec: podSpec };
  if (kind === "CronJob") return object(kind, "batch/v1", { jobTemplate: { spec: { template } } });
  return object(kind, kind === "Job" ? "batch/v1" : "apps/v1", {
    selector: { matchLabels: labels },
    template,
  });
}

function context(objects: KubernetesObject[]): RuleContext {
  const target: RenderedTarget = {
    label: "app/dev",
    dir: "/x",
    path: "gitops/apps/app/overlays/dev",
    app: "app",
    env: "dev",
    objects,
  };
  return { target, objects, config, apps: ["app"] };
}

const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule);

describe("schema", () => {
  it("reports missing required fields, wrong types and enum values with field paths", async () => {
    const findings = await checkSchema(
      object("Deployment", "apps/v1", {
        replicas: "two",
        template: {
          spec: { containers: [{ name: "c", ports: [{ containerPort: 80, protocol: "SCTPX" }] }] },
        },
      }),
    );
    const problems = findings.map((f) => `${f.rule}: ${f.problem}`);
    expect(problems).toContain("schema: required field spec.selector is missing");
    expect(problems).toContain("schema: spec.replicas must be of type integer");
    expect(
      problems.some((p) =>
        p.startsWith("schema: spec.template.spec.containers[0].ports[0].protocol must be one of"),
      ),
    ).toBe(true);
  });

  it("refuses unknown fields at any depth and suggests the field meant", async () => {
    const findings = await checkSchema(
      object(
        "Service",
        "v1",
        { selector: { app: "a" }, ports: [{ port: 80, targetPortt: 8080 }] },
        { status: {}, extra: 1 },
      ),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "unknown-field",
        problem: "extra is not a field of Service v1",
        fix: "remove it",
      }),
      expect.objectContaining({
        rule: "unknown-field",
        problem: "spec.ports[0].targetPortt is not a field of Service v1",
        fix: 'did you mean "targetPort"? rename or remove it',
      }),
    ]);
  });

  it("leaves free-form maps and fields the packages do not compile alone", async () => {
    const project = object("AppProject", "argoproj.io/v1alpha1", {
      description: "kept",
      sourceRepos: ["*"],
    });
    project.metadata.labels = { "any/key": "value" };
    expect(await checkSchema(project)).toEqual([]);
  });

  it("names kinds it has no schema for, without importing arbitrary modules", async () => {
    for (const [apiVersion, kind] of [
      ["example.com/v1", "Widget"],
      ["v1", "Container"],
      ["../../x", "Deployment"],
      ["apps/v1", "deployment"],
    ] as const) {
      expect(rules(await checkSchema(object(kind, apiVersion, {})))).toEqual(["unknown-kind"]);
    }
  });

  it("prints JSON pointers as field paths", () => {
    expect(fieldPath("/metadata/annotations/prometheus.io~1port")).toBe(
      'metadata.annotations["prometheus.io/port"]',
    );
    expect(fieldPath("")).toBe("(the object)");
  });
});

describe("helpers", () => {
  it("matches label selectors with expressions", () => {
    const labels = { app: "a", tier: "web" };
    expect(
      selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] }, labels),
    ).toBe(true);
    expect(
      selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, labels),
    ).toBe(false);
    expect(selects({ matchExpressions: [{ key: "x", operator: "Exists" }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: "x", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
    expect(selects({ matchExpressions: [{ key: "app", operator: "Bogus" }] }, labels)).toBe(false);
    expect(selects({}, labels)).toBe(false);
  });

  it("globs like Argo CD", () => {
    expect(globMatch("agent-*", "agent-dev")).toBe(true);
    expect(globMatch("*", "https://kubernetes.default.svc")).toBe(true);
    expect(globMatch("env-[ab]?", "env-b1")).toBe(true);
    expect(globMatch("a.b", "axb")).toBe(false);
    expect(globMatch("[z-a]", "q")).toBe(false);
  });

  it("parses quantities and image references", () => {
    expect(parseQuantity("250m")).toBe(0.25);
    expect(parseQuantity("1Gi")).toBe(2 ** 30);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity("lots")).toBeUndefined();
    expect(parseQuantity(null)).toBeUndefined();
    // A registry port stays in the name: only a colon after the first "/" starts the tag.
    expect(parseImageReference("localhost:5000/a/b@sha256:abc")).toEqual({
      name: "localhost:5000/a/b",
      digest: "sha256:abc",
    });
    expect(parseImageReference("localhost:5000/a/b:1.0")).toEqual({
      name: "localhost:5000/a/b",
      tag: "1.0",
    });
    expect(parseImageReference("a/b:1.0")).toEqual({ name: "a/b", tag: "1.0" });
  });

  it("finds pod templates in every workload kind", () => {
    expect(podTemplate(pods("CronJob", { containers: [{ name: "c" }] }))?.containers).toHaveLength(
      1,
    );
    const pod = object("Pod", "v1", { containers: [{ name: "c" }] });
    expect(podTemplate(pod)?.longRunning).toBe(false);
    expect(podTemplate(object("Service", "v1", {}))).toBeUndefined();
  });

  it("renders Go and flat templates: field paths, index on lists and maps", () => {
    const flat = { path: "gitops/apps/a/overlays/dev", "path.basename": "dev", "path[2]": "a" };
    expect(renderString("{{path.basename}}-{{path[2]}}", flat, false)).toEqual({ value: "dev-a" });
    expect(renderString("{{cluster}}", flat, false)).toEqual({ missing: "{{cluster}}" });
    const params = {
      path: { basenameNormalized: "my-env", segments: ["gitops", "apps", "a"] },
      metadata: { labels: { env: "dev" } },
    };
    expect(renderString("{{ .path.basenameNormalized }}", params, true)).toEqual({
      value: "my-env",
    });
    expect(
      renderString('{{index .path.segments 2}}/{{index .metadata.labels "env"}}', params, true),
    ).toEqual({
      value: "a/dev",
    });
    // index on a map yields "" for a missing key; a missing field is an error (missingkey=error).
    expect(renderString('{{index .metadata.labels "zone"}}', params, true)).toEqual({ value: "" });
    expect(renderString("{{index .path.segments 9}}", params, true)).toEqual({
      missing: "{{index .path.segments 9}}",
    });
    expect(renderString("{{.values.x}}", params, true)).toEqual({ missing: "{{.values.x}}" });
    expect(renderString("{{.path}}", params, true)).toEqual({ unsupported: "{{.path}}" });
    expect(renderString("{{ .path.basename | upper }}", params, true)).toEqual({
      unsupported: "{{ .path.basename | upper }}",
    });
  });
});

describe("workload rules", () => {
  const good = () => ({
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 30,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "c",
        image: "ghcr.io/o/r/app:1.0",
        ports: [{ name: "http", containerPort: 8000 }],
        env: [{ name: "SHUTDOWN_DRAIN_MS", value: "5000" }],
        resources: {
          requests: { cpu: "100m", memory: "1Gi" },
          limits: { cpu: "1", memory: "1Gi" },
        },
        securityContext: {
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
  });

  it("accepts pod-level security settings and catches root, privilege and missing seccomp", () => {
    expect(checkSecurityContext(pods("Deployment", good()), context([]))).toEqual([]);
    const spec = good();
    spec.securityContext = { runAsNonRoot: true, runAsUser: 0 } as never;
    Object.assign(spec.containers[0]?.securityContext ?? {}, { privileged: true });
    const [finding] = checkSecurityContext(pods("Deployment", spec), context([]));
    expect(finding?.problem).toBe(
      "container c lacks a runAsUser other than 0, privileged: false, seccompProfile.type: RuntimeDefault",
    );
  });

  it("catches requests above limits and probes on undeclared numeric ports", () => {
    const spec = good();
    Object.assign(spec.containers[0] ?? {}, {
      resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
      readinessProbe: { tcpSocket: { port: 9000 } },
      livenessProbe: { httpGet: { port: 8000 } },
    });
    const deployment = pods("Deployment", spec);
    expect(checkResources(deployment, context([]))[0]?.problem).toContain(
      "requests more cpu (2) than its limit (1)",
    );
    expect(rules(checkProbes(deployment, context([])))).toEqual([
      "probes",
      "probe-path",
      "probe-port",
    ]);
  });

  it("only asks long-running pods for probes, spreading and grace", () => {
    const job = pods("Job", good());
    expect(checkProbes(job, context([]))).toEqual([]);
    expect(checkTopologySpread(job, context([]))).toEqual([]);
    expect(checkTerminationGrace(job, context([]))).toEqual([]);
    const spec = good();
    delete (spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds;
    expect(rules(checkTerminationGrace(pods("Deployment", spec), context([])))).toEqual([
      "termination-grace",
    ]);
  });

  it("accepts pod anti-affinity on the hostname as spreading", () => {
    const spec = {
      ...good(),
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 1,
              podAffinityTerm: {
                topologyKey: "kubernetes.io/hostname",
                labelSelector: { matchLabels: { app: "a" } },
              },
            },
          ],
        },
      },
    };
    expect(checkTopologySpread(pods("Deployment", spec), context([]))).toEqual([]);
  });

  it("defaults: a Deployment without strategy may drop pods; a pod without a setting mounts the token", () => {
    expect(rules(checkRollingUpdate(object("Deployment", "apps/v1", {}), context([])))).toEqual([
      "rolling-update",
    ]);
    const spec = good();
    delete (spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken;
    const deployment = pods("Deployment", spec);
    expect(rules(checkServiceAccountToken(deployment, context([])))).toEqual([
      "service-account-token",
    ]);
    const account = object("ServiceAccount", "v1", undefined, {
      automountServiceAccountToken: false,
    });
    account.metadata.name = "default";
    expect(checkServiceAccountToken(deployment, context([account]))).toEqual([]);
  });

  it("requires DATABASE_URL from a Secret only where several pods share state", () => {
    const two = pods("Deployment", good());
    (two.spec as { replicas: number }).replicas = 2;
    expect(rules(checkDatabaseSecret(two, context([two])))).toEqual(["database-secret"]);
    (
      two.spec as { template: { metadata: Record<string, unknown> } }
    ).template.metadata.annotations = {
      [STATELESS_ANNOTATION]: "true",
    };
    expect(checkDatabaseSecret(two, context([two]))).toEqual([]);
    const spec = good();
    spec.containers[0]?.env.push({
      name: "DATABASE_URL",
      valueFrom: { configMapKeyRef: { name: "x", key: "y" } },
    } as never);
    const fromConfigMap = checkDatabaseSecret(pods("Deployment", spec), context([]));
    expect(fromConfigMap[0]?.problem).toContain("without a secretKeyRef");
  });

  it("requires the database wherever API and runner run apart, whatever the replicas", () => {
    for (const role of ["api", "worker"]) {
      const spec = good();
      spec.containers[0]?.env.push({ name: "ROLE", value: role } as never);
      const one = pods("Deployment", spec);
      const findings = checkDatabaseSecret(one, context([one]));
      expect(rules(findings)).toEqual(["database-secret"]);
      expect(findings[0]?.problem).toContain(`ROLE=${role} without DATABASE_URL`);
    }
  });

  it("requires a runner beside an API that runs no tasks", () => {
    const withEnv = (env: Array<{ name: string; value: string }>, image?: string) => {
      const spec = good();
      spec.containers[0]?.env.push(...(env as never[]));
      if (image) (spec.containers[0] as { image: string }).image = image;
      return pods("Deployment", spec);
    };
    const api = withEnv([{ name: "ROLE", value: "api" }]);
    expect(rules(checkTaskRunner(api, context([api])))).toEqual(["task-runner"]);
    for (const runner of [
      withEnv([{ name: "ROLE", value: "worker" }]),
      withEnv([]),
      withEnv([{ name: "ROLE", value: "all" }]),
    ]) {
      expect(checkTaskRunner(api, context([api, runner]))).toEqual([]);
    }
    // a runner of another image, or one switched off, runs other tasks or none
    const other = withEnv([{ name: "ROLE", value: "worker" }], "ghcr.io/o/r/other:1.0.0");
    const off = withEnv([{ name: "RUNNER", value: "off" }]);
    expect(rules(checkTaskRunner(api, context([api, other, off])))).toEqual(["task-runner"]);
    // saying so: nothing here is meant to run tasks
    const quiet = withEnv([
      { name: "ROLE", value: "api" },
      { name: "RUNNER", value: "off" },
    ]);
    expect(checkTaskRunner(quiet, context([quiet]))).toEqual([]);
    const job = pods("Job", { ...good(), restartPolicy: "Never" });
    expect(checkTaskRunner(job, context([job]))).toEqual([]);
  });

  it("requires images of this repository, pinned", () => {
    const spec = good();
    spec.containers.push({
      ...(spec.containers[0] as (typeof spec.containers)[number]),
      name: "sidecar",
      image: "docker.io/busybox",
    });
    const findings = checkImages(pods("Deployment", spec), context([]));
    expect(findings.map((f) => `${f.rule}: ${f.problem.slice(0, 32)}`)).toEqual([
      "image-pinned: container sidecar runs docker.io",
      "image-repository: container sidecar runs docker.io",
    ]);
  });
});

describe("selector rules", () => {
  const deployment = pods("Deployment", {
    containers: [{ name: "c", ports: [{ name: "http", containerPort: 8000 }] }],
  });

  it("checks numeric target ports and skips ExternalName Services", () => {
    const service = object("Service", "v1", {
      selector: { app: "a" },
      ports: [{ port: 80, targetPort: 8000 }, { port: 81 }],
    });
    expect(checkService(service, context([deployment])).map((f) => f.problem)).toEqual([
      "port 81 targets 81, which the pods of Deployment/app do not declare",
    ]);
    expect(checkService(object("Service", "v1", { type: "ExternalName" }), context([]))).toEqual(
      [],
    );
  });

  it("computes evictions from percentages and the HPA's minimum", () => {
    const hpa = object("HorizontalPodAutoscaler", "autoscaling/v2", {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
      minReplicas: 3,
      maxReplicas: 5,
    });
    const pdb = (budget: Record<string, unknown>) =>
      checkPodDisruptionBudget(
        object("PodDisruptionBudget", "policy/v1", {
          selector: { matchLabels: { app: "a" } },
          ...budget,
        }),
        context([deployment, hpa]),
      );
    expect(pdb({ minAvailable: "50%" })).toEqual([]);
    expect(rules(pdb({ minAvailable: "100%" }))).toEqual(["pdb-evictable"]);
    expect(rules(pdb({ maxUnavailable: "0%" }))).toEqual(["pdb-evictable"]);
    expect(rules(pdb({}))).toEqual(["pdb-evictable"]);
  });

  it("checks an HPA's bounds and that utilization has requests to measure", () => {
    const hpa = object("HorizontalPodAutoscaler", "autoscaling/v2", {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
      minReplicas: 4,
      maxReplicas: 2,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
    });
    expect(
      checkHorizontalPodAutoscaler(hpa, context([deployment, hpa])).map((f) => f.problem),
    ).toEqual([
      "minReplicas 4 is above maxReplicas 2",
      "scales on cpu utilization, but container c of Deployment/app has no cpu request to measure it against",
    ]);
  });

  it("leaves spec.replicas to the HPA of a workload", () => {
    const hpa = object("HorizontalPodAutoscaler", "autoscaling/v2", {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
      minReplicas: 2,
      maxReplicas: 6,
    });
    const sized = { ...deployment, spec: { ...record(deployment.spec), replicas: 2 } };
    expect(checkHpaReplicas(sized, context([sized, hpa]))).toEqual([
      {
        rule: "hpa-replicas",
        problem: "Deployment/app sets spec.replicas: 2, but HorizontalPodAutoscaler/app scales it",
        fix: "remove spec.replicas from Deployment/app (drop its replicas: entry or patch it out with op: remove): the HPA owns it; Argo CD would reset it on every sync",
      },
    ]);
    // Without an HPA the count is the overlay's to set; without spec.replicas nothing resets.
    expect(checkHpaReplicas(sized, context([sized]))).toEqual([]);
    expect(checkHpaReplicas(deployment, context([deployment, hpa]))).toEqual([]);
    expect(checkHpaReplicas(hpa, context([sized, hpa]))).toEqual([]);
    // The HPA's minimum is then the count the budgets and database rules reckon with.
    expect(minimumReplicas(deployment, [deployment, hpa])).toBe(2);
  });
});

describe("Argo CD rules", () => {
  const scratch = mkdtempSync(join(tmpdir(), "gitops-argocd-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  mkdirSync(join(scratch, "deploy/a/.hidden"), { recursive: true });
  mkdirSync(join(scratch, "deploy/b"), { recursive: true });
  writeFileSync(join(scratch, "deploy/b/kustomization.yaml"), "resources: []\n");
  writeFileSync(join(scratch, "deploy/file"), "");

  const target = (
    label: string,
    objects: KubernetesObject[],
    path = `gitops/${label}`,
  ): RenderedTarget => ({ label, dir: "", path, objects });
  const application = (spec: Record<string, unknown>) => {
    const app = object("Application", "argoproj.io/v1alpha1", spec);
    app.metadata = { name: "root", namespace: "argocd" };
    return app;
  };
  const sync = {
    automated: { prune: true, selfHeal: true },
    retry: { limit: 1, backoff: {} },
    syncOptions: ["CreateNamespace=true"],
  };

  it("lists directories like the git directories generator", () => {
    expect(matchDirectories(scratch, "deploy/*")).toEqual(["deploy/a", "deploy/b"]);
    expect(matchDirectories(scratch, "deploy/a/*")).toEqual([]);
    expect(matchDirectories(scratch, "/")).toEqual([]);
  });

  it("checks a written-out Application's path, project, destination and kinds", () => {
    const apps = [
      application({
        project: "missing",
        source: { repoURL: config.repoURL, path: "deploy/a" },
        destination: { name: "in-cluster", namespace: "x" },
        syncPolicy: sync,
      }),
      application({
        project: "default",
        sources: [{ repoURL: "https://example.com/x.git", path: "deploy/b" }],
        syncPolicy: {},
      }),
    ];
    const project = object("AppProject", "argoproj.io/v1alpha1", {
      sourceRepos: [config.repoURL],
      destinations: [{ server: "https://k", namespace: "x" }],
    });
    const rendered = object("ClusterRole", "rbac.authorization.k8s.io/v1", {});
    const violations = checkArgoCD(scratch, config, [
      target("argocd", [...apps, project]),
      target("deploy-b", [rendered], "deploy/b"),
    ]);
    expect(violations.map((v) => `${v.object} ${v.rule}: ${v.problem}`)).toEqual([
      'Application/root repository: spec.sources[0].repoURL is "https://example.com/x.git", not this repository',
      'Application/root applicationset-path: spec.source.path "deploy/a" is not a kustomization directory of the repository',
      'Application/root project-destination: the Application uses project "missing", which gitops/ does not define',
      "Application/root sync-policy: the Application lacks automated.prune: true, automated.selfHeal: true, retry with limit and backoff in its syncPolicy",
    ]);
    expect(
      checkArgoCD(scratch, config, [
        target("argocd", [
          {
            ...apps[0],
            spec: { ...(apps[0]?.spec as object), project: "app" },
          } as KubernetesObject,
          { ...project, metadata: { name: "app" } } as KubernetesObject,
        ]),
        target("a", [rendered], "deploy/a"),
      ]).map((v) => v.problem),
    ).toEqual([
      'spec.source.path "deploy/a" is not a kustomization directory of the repository',
      'the Application deploys to namespace "x" on in-cluster, which no destination allows',
      'the Application creates namespace "x" (CreateNamespace=true), which clusterResourceWhitelist does not allow',
      "the Application deploys ClusterRole/app, but clusterResourceWhitelist does not allow rbac.authorization.k8s.io ClusterRole",
      // "Exactly those destinations": the project's only one is used by no Application.
      "destination {server: https://k, namespace: x} admits no Application of the project: nothing is placed there for the clusters of gitops/repository.yaml",
    ]);
  });

  it("says which template expressions it cannot evaluate, and wants a repository everywhere", () => {
    const set = object("ApplicationSet", "argoproj.io/v1alpha1", {
      generators: [
        {
          git: {
            repoURL: config.repoURL,
            directories: [{ path: "deploy/*" }, { path: "deploy/b", exclude: true }],
          },
        },
        { list: {} },
      ],
      template: { metadata: { name: "{{cluster}}" }, spec: { project: "default" } },
    });
    const project = object("AppProject", "argoproj.io/v1alpha1", {});
    const found = checkArgoCD(scratch, config, [target("argocd", [set, project])]).map(
      (v) => `${v.rule}: ${v.problem}`,
    );
    expect(found).toEqual([
      "repository: spec.sourceRepos is null, not this repository",
      "applicationset-path: template uses {{cluster}}, which the generators do not provide for every Application",
    ]);
  });
});

/** Rules on what a pod runs: probes, resources, security, shutdown, spreading, metrics, jobs, state. */
import {
  isRecord,
  list,
  minimumReplicas,
  type PodTemplate,
  podTemplate,
  record,
  records,
  selects,
  text,
} from "../objects.ts";
import type { Finding, KubernetesObject } from "../types.ts";
import type { ObjectRule, RuleContext } from "./context.ts";
import { parseQuantity } from "./quantity.ts";

const PROBES = ["startupProbe", "livenessProbe", "readinessProbe"] as const;

function containerName(container: Record<string, unknown>): string {
  return text(container.name) ?? "(unnamed)";
}

/** Opt-out for apps that keep no state: pods may then run several replicas without a database. */
export const STATELESS_ANNOTATION = "gitops.verify/stateless";

export const checkProbes: ObjectRule = (object) => {
  const pod = podTemplate(object);
  if (!pod) return [];
  const findings: Finding[] = [];
  for (const container of pod.containers) {
    const name = containerName(container);
    if (pod.longRunning) {
      for (const probe of PROBES) {
        if (!isRecord(container[probe])) {
          findings.push({
            rule: "probes",
            problem: `container ${name} has no ${probe}`,
            fix: `add ${probe} (httpGet on the named port; /health for startup and liveness, /ready for readiness)`,
          });
        }
      }
    }
    findings.push(...probeTargets(container));
  }
  return findings;
};

function probeTargets(container: Record<string, unknown>): Finding[] {
  const name = containerName(container);
  const ports = records(container.ports);
  const findings: Finding[] = [];
  const paths: Record<string, string> = {};
  for (const probe of PROBES) {
    const spec = record(container[probe]);
    const handler = record(spec.httpGet ?? spec.tcpSocket ?? spec.grpc);
    const port = handler.port;
    if (port !== undefined) {
      const known =
        typeof port === "string"
          ? ports.some((p) => p.name === port)
          : ports.some((p) => p.containerPort === port);
      if (!known) {
        const declared = ports.map((p) => `${String(p.name ?? "-")}=${String(p.containerPort)}`);
        findings.push({
          rule: "probe-port",
          problem: `${probe} of container ${name} points at port ${JSON.stringify(port)}, which the container does not declare (ports: ${declared.join(", ") || "none"})`,
          fix: "point the probe at a name from the container's ports (e.g. http), or declare that port",
        });
      }
    }
    if (isRecord(spec.httpGet)) {
      const path = text(spec.httpGet.path);
      if (!path?.startsWith("/")) {
        findings.push({
          rule: "probe-path",
          problem: `${probe} of container ${name} has path ${JSON.stringify(spec.httpGet.path ?? null)}, not an absolute path`,
          fix: "set httpGet.path to the endpoint the app serves (/health or /ready)",
        });
      } else paths[probe] = path;
    }
  }
  if (paths.livenessProbe && paths.livenessProbe === paths.readinessProbe) {
    findings.push({
      rule: "probe-path",
      problem: `livenessProbe and readinessProbe of container ${name} both call ${paths.livenessProbe}: when a dependency fails, liveness restarts pods that only needed to leave the Service`,
      fix: "point livenessProbe at the process check (/health) and readinessProbe at the readiness check (/ready)",
    });
  }
  return findings;
}

export const checkResources: ObjectRule = (object) => {
  const pod = podTemplate(object);
  if (!pod) return [];
  const findings: Finding[] = [];
  for (const container of [...pod.initContainers, ...pod.containers]) {
    const name = containerName(container);
    const resources = record(container.resources);
    const requests = record(resources.requests);
    const limits = record(resources.limits);
    const missing: string[] = [];
    for (const resource of ["cpu", "memory"]) {
      if (requests[resource] === undefined) missing.push(`requests.${resource}`);
      if (limits[resource] === undefined) missing.push(`limits.${resource}`);
      const request = parseQuantity(requests[resource]);
      const limit = parseQuantity(limits[resource]);
      if (request !== undefined && limit !== undefined && request > limit) {
        findings.push({
          rule: "resources",
          problem: `container ${name} requests more ${resource} (${String(requests[resource])}) than its limit (${String(limits[resource])})`,
          fix: `lower requests.${resource} or raise limits.${resource}`,
        });
      }
    }
    if (missing.length > 0) {
      findings.push({
        rule: "resources",
        problem: `container ${name} has no ${missing.join(", ")}`,
        fix: "set resources.requests and resources.limits for cpu and memory (in the base, sized per overlay)",
      });
    }
  }
  return findings;
};

/** The effective value of a security setting: the container's, else the pod's. */
function effective(pod: PodTemplate, container: Record<string, unknown>, key: string): unknown {
  const own = record(container.securityContext)[key];
  return own !== undefined ? own : record(pod.spec.securityContext)[key];
}

export const checkSecurityContext: ObjectRule = (object) => {
  const pod = podTemplate(object);
  if (!pod) return [];
  const findings: Finding[] = [];
  for (const container of [...pod.initContainers, ...pod.containers]) {
    const name = containerName(container);
    const own = record(container.securityContext);
    const wrong: string[] = [];
    if (effective(pod, container, "runAsNonRoot") !== true) wrong.push("runAsNonRoot: true");
    if (effective(pod, container, "runAsUser") === 0) wrong.push("a runAsUser other than 0");
    if (own.readOnlyRootFilesystem !== true) wrong.push("readOnlyRootFilesystem: true");
    if (own.allowPrivilegeEscalation !== false) wrong.push("allowPrivilegeEscalation: false");
    if (own.privileged === true) wrong.push("privileged: false");
    const drop = list(record(own.capabilities).drop);
    if (!drop.includes("ALL")) wrong.push("capabilities.drop: [ALL]");
    const seccomp = text(record(effective(pod, container, "seccompProfile")).type);
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      wrong.push("seccompProfile.type: RuntimeDefault");
    }
    if (wrong.length > 0) {
      findings.push({
        rule: "security-context",
        problem: `container ${name} lacks ${wrong.join(", ")}`,
        fix: "set these in the container's securityContext (runAsNonRoot and seccompProfile may sit in the pod's)",
      });
    }
  }
  return findings;
};

export const checkServiceAccountToken: ObjectRule = (object, { objects }) => {
  const pod = podTemplate(object);
  if (!pod) return [];
  const own = pod.spec.automountServiceAccountToken;
  const accountName = text(pod.spec.serviceAccountName) ?? "default";
  const account = objects.find(
    (o) => o.kind === "ServiceAccount" && o.metadata.name === accountName,
  );
  const mounted =
    own !== undefined ? own !== false : account?.automountServiceAccountToken !== false;
  if (!mounted) return [];
  return [
    {
      rule: "service-account-token",
      problem: `pods mount a Kubernetes API token (service account ${accountName}) they do not need`,
      fix: "set automountServiceAccountToken: false in the pod spec (leave it true only for pods that call the Kubernetes API)",
    },
  ];
};

export const checkRollingUpdate: ObjectRule = (object) => {
  if (object.kind !== "Deployment") return [];
  const strategy = record(record(object.spec).strategy);
  const type = text(strategy.type) ?? "RollingUpdate";
  const rolling = record(strategy.rollingUpdate);
  const unavailable = rolling.maxUnavailable ?? "25%";
  const surge = rolling.maxSurge ?? "25%";
  const zero = (value: unknown) => value === 0 || value === "0%" || value === "0";
  if (type === "RollingUpdate" && zero(unavailable) && !zero(surge)) return [];
  return [
    {
      rule: "rolling-update",
      problem: `strategy is ${type} with maxUnavailable ${JSON.stringify(unavailable)} and maxSurge ${JSON.stringify(surge)}: a rollout can take serving pods away before new ones are ready`,
      fix: "use strategy RollingUpdate with rollingUpdate.maxSurge: 1 and maxUnavailable: 0",
    },
  ];
};

function envValue(container: Record<string, unknown>, name: string): string | undefined {
  const entry = records(container.env).find((e) => e.name === name);
  return entry ? text(entry.value) : undefined;
}

export const checkTerminationGrace: ObjectRule = (object) => {
  const pod = podTemplate(object);
  if (!pod?.longRunning) return [];
  const grace = pod.spec.terminationGracePeriodSeconds;
  if (typeof grace !== "number") {
    return [
      {
        rule: "termination-grace",
        problem: "terminationGracePeriodSeconds is not set",
        fix: "set terminationGracePeriodSeconds longer than the app's shutdown (SHUTDOWN_TIMEOUT_MS)",
      },
    ];
  }
  const findings: Finding[] = [];
  for (const container of pod.containers) {
    for (const variable of ["SHUTDOWN_DRAIN_MS", "SHUTDOWN_TIMEOUT_MS"]) {
      const ms = Number(envValue(container, variable));
      if (Number.isFinite(ms) && ms > 0 && grace * 1000 <= ms) {
        findings.push({
          rule: "termination-grace",
          problem: `terminationGracePeriodSeconds ${grace} is not longer than ${variable}=${ms} of container ${containerName(container)}: Kubernetes kills the pod mid-shutdown`,
          fix: `raise terminationGracePeriodSeconds above ${Math.ceil(ms / 1000)} or lower ${variable}`,
        });
      }
    }
  }
  return findings;
};

export const checkTopologySpread: ObjectRule = (object) => {
  const pod = podTemplate(object);
  if (!pod?.longRunning) return [];
  const spreads = records(pod.spec.topologySpreadConstraints).some(
    (c) => c.topologyKey === "kubernetes.io/hostname" && selects(c.labelSelector, pod.labels),
  );
  const antiAffinity = record(record(pod.spec.affinity).podAntiAffinity);
  const avoids = [
    ...records(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution),
    ...records(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((p) =>
      record(p.podAffinityTerm),
    ),
  ].some((t) => t.topologyKey === "kubernetes.io/hostname" && selects(t.labelSelector, pod.labels));
  if (spreads || avoids) return [];
  return [
    {
      rule: "topology-spread",
      problem: "nothing spreads the pods across nodes: one node failure can take every replica",
      fix: "add a topologySpreadConstraint with topologyKey kubernetes.io/hostname whose labelSelector matches the pod labels",
    },
  ];
};

export const checkPrometheusScrape: ObjectRule = (object) => {
  const pod = podTemplate(object);
  if (!pod?.longRunning) return [];
  const annotations = pod.annotations;
  const ports = pod.containers.flatMap((c) => records(c.ports)).map((p) => p.containerPort);
  const wrong: string[] = [];
  if (annotations["prometheus.io/scrape"] !== "true") wrong.push('prometheus.io/scrape: "true"');
  const port = Number(annotations["prometheus.io/port"]);
  if (!ports.includes(port)) {
    wrong.push(
      `prometheus.io/port naming a container port (${ports.join(", ") || "none declared"})`,
    );
  }
  if (!annotations["prometheus.io/path"]?.startsWith("/"))
    wrong.push("prometheus.io/path: /metrics");
  if (wrong.length === 0) return [];
  return [
    {
      rule: "prometheus-scrape",
      problem: `the pod template lacks ${wrong.join(", ")}, so Prometheus does not scrape /metrics`,
      fix: "set the prometheus.io/scrape, prometheus.io/port and prometheus.io/path annotations on spec.template.metadata",
    },
  ];
};

export const checkJobLimits: ObjectRule = (object) => {
  if (object.kind !== "Job") return [];
  const spec = record(object.spec);
  const findings: Finding[] = [];
  const missing = ["backoffLimit", "activeDeadlineSeconds"].filter(
    (k) => typeof spec[k] !== "number",
  );
  if (missing.length > 0) {
    findings.push({
      rule: "job-limits",
      problem: `the Job has no ${missing.join(" or ")}: a failing or hung run can block the sync indefinitely`,
      fix: "set spec.backoffLimit (e.g. 2) and spec.activeDeadlineSeconds (e.g. 300)",
    });
  }
  const annotations = object.metadata.annotations ?? {};
  const hook = annotations["argocd.argoproj.io/hook"];
  const policy = annotations["argocd.argoproj.io/hook-delete-policy"] ?? "";
  if (
    hook &&
    !policy
      .split(",")
      .map((p) => p.trim())
      .includes("BeforeHookCreation")
  ) {
    findings.push({
      rule: "job-limits",
      problem: `the ${hook} hook Job has hook-delete-policy "${policy}": the next sync cannot recreate a Job of the same name`,
      fix: "annotate argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded",
    });
  }
  return findings;
};

function databaseFindings(
  pod: PodTemplate,
  object: KubernetesObject,
  context: RuleContext,
): Finding[] {
  const findings: Finding[] = [];
  const replicas = pod.longRunning ? minimumReplicas(object, context.objects) : 1;
  const stateless = pod.annotations[STATELESS_ANNOTATION] === "true";
  for (const container of pod.containers) {
    const entry = records(container.env).find((e) => e.name === "DATABASE_URL");
    const secret = record(record(entry?.valueFrom).secretKeyRef);
    const fromSecret = typeof secret.name === "string" && typeof secret.key === "string";
    if (entry && !fromSecret) {
      findings.push({
        rule: "database-secret",
        problem: `container ${containerName(container)} sets DATABASE_URL ${entry.value !== undefined ? "as a literal value: credentials in git" : "without a secretKeyRef"}`,
        fix: "take it from a Secret: valueFrom.secretKeyRef {name: <app>-db-app, key: uri} (see gitops/README.md)",
      });
    } else if (!entry && SPLIT_ROLES.has(envValue(container, "ROLE") ?? "")) {
      findings.push({
        rule: "database-secret",
        problem: `container ${containerName(container)} runs with ROLE=${envValue(container, "ROLE")} without DATABASE_URL: API and worker pods share tasks only through the database, so in memory the workers never see the API's tasks`,
        fix: "add env DATABASE_URL from valueFrom.secretKeyRef {name: <app>-db-app, key: uri}, or run API and runner together (no ROLE)",
      });
    } else if (!entry && replicas > 1 && !stateless && records(container.ports).length > 0) {
      findings.push({
        rule: "database-secret",
        problem: `container ${containerName(container)} runs on ${replicas} pods without DATABASE_URL: each pod would keep its own in-memory tasks`,
        fix: `add env DATABASE_URL from valueFrom.secretKeyRef {name: <app>-db-app, key: uri} (or annotate the pod template ${STATELESS_ANNOTATION}: "true" if the app keeps no state)`,
      });
    }
  }
  return findings;
}

export const checkDatabaseSecret: ObjectRule = (object, context) => {
  const pod = podTemplate(object);
  return pod ? databaseFindings(pod, object, context) : [];
};

/** The agent's ROLE values that put the API and the task runner in different pods. */
const SPLIT_ROLES = new Set(["api", "worker"]);

/** An image without its tag or digest: containers of one app share it. */
function imageRepository(container: Record<string, unknown>): string {
  return (text(container.image) ?? "").replace(/@.*$/, "").replace(/:[^:/]*$/, "");
}

/** Runs the task runner: ROLE unset (all), all or worker, and RUNNER not off. */
function runsTasks(container: Record<string, unknown>): boolean {
  const role = envValue(container, "ROLE") ?? "all";
  return (role === "all" || role === "worker") && envValue(container, "RUNNER") !== "off";
}

/**
 * An API told not to run tasks (ROLE=api) needs a runner beside it: a long-running workload
 * of the same image with ROLE=worker (or all). Otherwise tasks are accepted and never run.
 */
export const checkTaskRunner: ObjectRule = (object, { objects }) => {
  const pod = podTemplate(object);
  if (!pod?.longRunning) return [];
  const runners = objects
    .map(podTemplate)
    .filter((p): p is PodTemplate => p?.longRunning === true)
    .flatMap((p) => p.containers.filter(runsTasks));
  const findings: Finding[] = [];
  for (const container of pod.containers) {
    if (envValue(container, "ROLE") !== "api" || envValue(container, "RUNNER") === "off") continue;
    const image = imageRepository(container);
    if (runners.some((runner) => imageRepository(runner) === image)) continue;
    findings.push({
      rule: "task-runner",
      problem: `container ${containerName(container)} serves the API with ROLE=api, but no workload here runs its tasks (ROLE=worker or all, image ${image}): tasks would stay created`,
      fix: "add the worker component to the overlay (components: [../../components/worker]), remove ROLE=api, or set RUNNER=off beside it if something else moves the tasks",
    });
  }
  return findings;
};

export const POD_RULES: ObjectRule[] = [
  checkProbes,
  checkResources,
  checkSecurityContext,
  checkServiceAccountToken,
  checkRollingUpdate,
  checkTerminationGrace,
  checkTopologySpread,
  checkPrometheusScrape,
  checkJobLimits,
  checkDatabaseSecret,
  checkTaskRunner,
];

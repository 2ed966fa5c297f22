/** Every rule verify applies, by its stable name: printed by `gitops verify --rules`. */
export const RULES: Readonly<Record<string, string>> = {
  render: "the kustomization renders (kustomize build succeeds)",
  "unknown-kind": "apiVersion and kind name a Kubernetes or Argo CD type",
  schema: "required fields are present and every field has the schema's type",
  "unknown-field": "no field the schema does not define (typos such as imagePullPolicey)",
  "image-pinned": "every image is pinned to a tag or digest, never latest",
  "image-repository": "every image is <registry>/<repository>/<app> from gitops/repository.yaml",
  probes: "long-running containers have startup, liveness and readiness probes",
  "probe-port": "probes point at a port the container declares",
  "probe-path": "HTTP probes have absolute paths; liveness and readiness check different endpoints",
  resources: "every container sets cpu and memory requests and limits, requests within limits",
  "security-context":
    "non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault",
  "service-account-token": "pods do not mount a Kubernetes API token",
  "rolling-update": "Deployments roll with maxUnavailable 0 and a surge",
  "termination-grace":
    "terminationGracePeriodSeconds is set and outlasts SHUTDOWN_DRAIN_MS / SHUTDOWN_TIMEOUT_MS",
  "topology-spread": "pods are spread across nodes (kubernetes.io/hostname)",
  "prometheus-scrape":
    "pods carry prometheus.io scrape, port and path annotations for a declared port",
  "job-limits":
    "Jobs have backoffLimit and activeDeadlineSeconds; hook Jobs are replaced before the next run",
  "database-secret":
    "DATABASE_URL comes from a secretKeyRef; multi-replica workloads and split roles (ROLE=api, ROLE=worker) have one",
  "plain-secret":
    "no Secret with data or stringData in git: an ExternalSecret or a SealedSecret instead",
  "secret-store":
    "every ExternalSecret reads from a ClusterSecretStore (named in components/external-secrets)",
  "model-settings":
    "with AGENT=model, MODEL_BASE_URL and MODEL_NAME are set and MODEL_API_KEY comes from a Secret (secretKeyRef, or envFrom an ExternalSecret's Secret), never a literal value or a ConfigMap",
  "task-runner": "an API with ROLE=api has a workload of its image beside it that runs the tasks",
  "service-selector": "a Service selects the pods of a Deployment and no others",
  "service-target-port": "a Service's targetPort is a port the selected pods declare",
  "pdb-selector": "a PodDisruptionBudget selects the pods of a Deployment",
  "pdb-evictable":
    "a PodDisruptionBudget leaves at least one pod evictable at the smallest replica count",
  "hpa-target":
    "an HPA scales a Deployment rendered beside it, with requests to measure utilization against",
  "hpa-replicas":
    "a workload an HPA scales does not set spec.replicas, so Argo CD never resets the HPA's count",
  "smoke-test": "each app overlay ships a PostSync hook Job",
  "rollout-selector":
    "a Rollout's selector selects its pods (own template or workloadRef), and its stable and canary Services select them too",
  "canary-analysis":
    "every canary step list runs an analysis after its last partial weight and before full weight, with templates and arguments that exist",
  "analysis-metrics":
    "every metric an analysis's Prometheus query reads is one the app exports on GET /metrics (read from the running app)",
  "workload-ref-replicas":
    "a Deployment that a Rollout's workloadRef names sets no spec.replicas (Argo Rollouts scales it to zero)",
  "service-monitor":
    "a ServiceMonitor scrapes Services rendered beside it, by a port they name, each pod through one Service only",
  repository:
    "every Argo CD repoURL and sourceRepos entry is the repository of gitops/repository.yaml",
  "applicationset-path":
    "every ApplicationSet and Application path exists, and every overlay is deployed by one",
  applicationset:
    "the ApplicationSet generates its Applications for the clusters of gitops/repository.yaml as Argo CD would (unique merge keys: one cluster per environment label)",
  namespace: "objects land in the namespace their Application deploys to",
  "project-destination": "the AppProject allows each Application's project, namespace and kinds",
  notifications:
    "generated Applications report each sync to GitHub (status and deployment); every trigger, template and service they use is defined, credentials only as $secret keys",
  "sync-policy":
    "Applications sync automatically with prune, selfHeal, no allowEmpty, retry, CreateNamespace",
};

/** The model-settings rule on hand-made workloads: what AGENT=model needs, and where its key may come from. */
import type { KubernetesObject } from "@repo/kustomize-ts";
import { describe, expect, it } from "vitest";
import type { RuleContext } from "../src/verify/rules/context.ts";
import { checkModelSettings } from "../src/verify/rules/model.ts";
import { TEST_REPOSITORY } from "./helpers/repository-config.ts";

const config = TEST_REPOSITORY;

function context(objects: KubernetesObject[]): RuleContext {
  return {
    target: {
      label: "app/staging",
      dir: "/x",
      path: "gitops/apps/app/overlays/staging",
      app: "app",
      env: "staging",
      objects,
    },
    objects,
    config,
    apps: ["app"],
  };
}

type Env = Array<Record<string, unknown>>;

function workload(env: Env, envFrom: Env = [], kind = "Deployment"): KubernetesObject {
  return {
    apiVersion: kind === "Rollout" ? "argoproj.io/v1alpha1" : "apps/v1",
    kind,
    metadata: { name: "app-worker", namespace: "app-staging" },
    spec: {
      selector: { matchLabels: { app: "a" } },
      template: {
        metadata: { labels: { app: "a" } },
        spec: { containers: [{ name: "app", image: "ghcr.io/o/r/app:1.0", env, envFrom }] },
      },
    },
  } as KubernetesObject;
}

function configMap(name: string, data: Record<string, string>): KubernetesObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data } as KubernetesObject;
}

function externalSecret(name: string, spec: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name },
    spec,
  } as KubernetesObject;
}

const MODEL: Env = [
  { name: "AGENT", value: "model" },
  { name: "MODEL_BASE_URL", value: "https://api.openai.com/v1" },
  { name: "MODEL_NAME", value: "gpt-4o-mini" },
];
const KEY_FROM_SECRET = {
  name: "MODEL_API_KEY",
  valueFrom: { secretKeyRef: { name: "app-model", key: "key", optional: true } },
};

const problems = (object: KubernetesObject, others: KubernetesObject[] = []) =>
  checkModelSettings(object, context([object, ...others])).map((finding) => {
    expect(finding.rule).toBe("model-settings");
    expect(finding.problem).not.toContain("\n");
    return finding.problem;
  });

describe("model-settings", () => {
  it("passes the model's settings with the key from a secretKeyRef", () => {
    expect(problems(workload([...MODEL, KEY_FROM_SECRET]))).toEqual([]);
    expect(problems(workload([...MODEL, KEY_FROM_SECRET], [], "Rollout"))).toEqual([]);
  });

  it("leaves containers without AGENT=model alone", () => {
    expect(problems(workload([]))).toEqual([]);
    expect(problems(workload([{ name: "AGENT", value: "example" }]))).toEqual([]);
    expect(problems(workload([{ name: "MODEL_API_KEY", value: "sk-unused" }]))).toEqual([]);
  });

  it("asks for MODEL_BASE_URL and MODEL_NAME, one line each", () => {
    expect(problems(workload([{ name: "AGENT", value: "model" }, KEY_FROM_SECRET]))).toEqual([
      "container app runs AGENT=model without MODEL_BASE_URL: the agent refuses to start",
      "container app runs AGENT=model without MODEL_NAME: the agent refuses to start",
    ]);
    const empty = [...MODEL.slice(0, 2), { name: "MODEL_NAME", value: "" }, KEY_FROM_SECRET];
    expect(problems(workload(empty))).toEqual([
      "container app runs AGENT=model without MODEL_NAME: the agent refuses to start",
    ]);
  });

  it("refuses the key as a literal value", () => {
    const [problem, ...more] = problems(
      workload([...MODEL, { name: "MODEL_API_KEY", value: "sk-live-0123" }]),
    );
    expect(problem).toBe(
      "container app sets MODEL_API_KEY as a literal value: the model key is in git",
    );
    expect(more).toEqual([]);
    const [finding] = checkModelSettings(
      workload([...MODEL, { name: "MODEL_API_KEY", value: "sk-live-0123" }]),
      context([]),
    );
    expect(finding?.fix).toMatch(/rotate the key.*secretKeyRef/);
    // the key itself is never repeated in the message
    expect(JSON.stringify(finding)).not.toContain("sk-live-0123");
  });

  it("refuses the key from a ConfigMap, by reference or through envFrom", () => {
    const byReference = workload([
      ...MODEL,
      { name: "MODEL_API_KEY", valueFrom: { configMapKeyRef: { name: "settings", key: "key" } } },
    ]);
    expect(problems(byReference)).toEqual([
      "container app reads MODEL_API_KEY from the ConfigMap settings: ConfigMaps are not secret (in git, and shown to anyone who may read the namespace's ConfigMaps)",
    ]);
    const settings = configMap("settings-7h2k", {
      AGENT: "model",
      MODEL_BASE_URL: "http://ollama:11434/v1",
      MODEL_NAME: "llama3.2",
      MODEL_API_KEY: "sk-live-0123",
    });
    const fromEnvFrom = workload([], [{ configMapRef: { name: "settings-7h2k" } }]);
    expect(problems(fromEnvFrom, [settings])).toEqual([
      expect.stringContaining("reads MODEL_API_KEY from the ConfigMap settings-7h2k"),
    ]);
    // AGENT=model read from the ConfigMap counts too; an env entry overrides the ConfigMap
    expect(
      problems(workload([KEY_FROM_SECRET], [{ configMapRef: { name: "settings-7h2k" } }]), [
        settings,
      ]),
    ).toEqual([]);
    // a prefix renames the ConfigMap's keys
    const prefixed = workload([], [{ configMapRef: { name: "settings-7h2k" }, prefix: "X_" }]);
    expect(problems(prefixed, [settings])).toEqual([]);
  });

  it("asks for the key when nothing provides it", () => {
    expect(problems(workload(MODEL))).toEqual([
      "container app runs AGENT=model without MODEL_API_KEY from a Secret",
    ]);
    const fromField = { name: "MODEL_API_KEY", valueFrom: { fieldRef: { fieldPath: "x" } } };
    expect(problems(workload([...MODEL, fromField]))).toEqual([
      "container app runs AGENT=model without MODEL_API_KEY from a Secret",
    ]);
  });

  it("takes the key from the Secret an ExternalSecret writes, through envFrom", () => {
    const writes = (data: Env) =>
      externalSecret("app-model", { target: { name: "app-model-env" }, data });
    const pod = workload(MODEL, [{ secretRef: { name: "app-model-env" } }]);
    expect(
      problems(pod, [writes([{ secretKey: "MODEL_API_KEY", remoteRef: { key: "k" } }])]),
    ).toEqual([]);
    expect(problems(pod, [writes([{ secretKey: "OTHER", remoteRef: { key: "k" } }])])).toEqual([
      "container app runs AGENT=model without MODEL_API_KEY from a Secret",
    ]);
    // keys copied with dataFrom are known only to the secret manager: given the benefit of the doubt
    const copied = externalSecret("app-model-env", { dataFrom: [{ extract: { key: "k" } }] });
    expect(problems(pod, [copied])).toEqual([]);
  });
});

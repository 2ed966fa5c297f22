/**
 * model-settings: a container with AGENT=model gets what the model agent needs to start
 * (MODEL_BASE_URL, MODEL_NAME), and its key only from a Secret: a literal `value:` or a
 * ConfigMap puts the key in git or in an object anyone reading the namespace can see.
 */
import { podTemplate, record, records, text } from "../objects.ts";
import type { Finding, KubernetesObject } from "../types.ts";
import type { ObjectRule } from "./context.ts";

/** Where a variable's value comes from, as the kubelet resolves it. */
type EnvSource =
  | { from: "value"; value: string }
  | { from: "configMap"; name: string; value: string | undefined }
  | { from: "secret"; name: string }
  | { from: "other" };

const named = (objects: KubernetesObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);

/** The keys the Secret `name` will hold, when the target says (a Secret or an ExternalSecret). */
function secretKeys(objects: KubernetesObject[], name: string): string[] | undefined {
  const secret = named(objects, "Secret", name) as
    | { data?: unknown; stringData?: unknown }
    | undefined;
  if (secret)
    return [...Object.keys(record(secret.data)), ...Object.keys(record(secret.stringData))];
  const external = objects.find(
    (object) =>
      object.kind === "ExternalSecret" &&
      (text(record(record(object.spec).target).name) ?? object.metadata.name) === name,
  );
  if (!external) return undefined;
  const spec = record(external.spec);
  // dataFrom copies keys only the secret manager knows
  if (records(spec.dataFrom).length > 0) return undefined;
  return records(spec.data).flatMap((entry) => text(entry.secretKey) ?? []);
}

/** The container's environment: envFrom first (later sources win), then env entries over it. */
function environment(
  container: Record<string, unknown>,
  objects: KubernetesObject[],
): { env: Map<string, EnvSource>; secretsWithUnknownKeys: string[] } {
  const env = new Map<string, EnvSource>();
  const secretsWithUnknownKeys: string[] = [];
  for (const source of records(container.envFrom)) {
    const prefix = text(source.prefix) ?? "";
    const configMap = text(record(source.configMapRef).name);
    const secret = text(record(source.secretRef).name);
    if (configMap) {
      const data = record(named(objects, "ConfigMap", configMap)?.data);
      for (const [key, value] of Object.entries(data)) {
        env.set(prefix + key, { from: "configMap", name: configMap, value: text(value) });
      }
    } else if (secret) {
      const keys = secretKeys(objects, secret);
      if (!keys) secretsWithUnknownKeys.push(secret);
      for (const key of keys ?? []) env.set(prefix + key, { from: "secret", name: secret });
    }
  }
  for (const entry of records(container.env)) {
    const name = text(entry.name);
    if (!name) continue;
    const valueFrom = record(entry.valueFrom);
    const configMapRef = record(valueFrom.configMapKeyRef);
    const secretRef = record(valueFrom.secretKeyRef);
    if (entry.valueFrom === undefined) {
      env.set(name, { from: "value", value: text(entry.value) ?? "" });
    } else if (text(configMapRef.name)) {
      const configMap = text(configMapRef.name) as string;
      const data = record(named(objects, "ConfigMap", configMap)?.data);
      const key = text(configMapRef.key);
      env.set(name, {
        from: "configMap",
        name: configMap,
        value: key ? text(data[key]) : undefined,
      });
    } else if (text(secretRef.name) && text(secretRef.key)) {
      env.set(name, { from: "secret", name: text(secretRef.name) as string });
    } else env.set(name, { from: "other" });
  }
  return { env, secretsWithUnknownKeys };
}

/** A value given in the manifests, as far as the target shows it (undefined: not known here). */
function givenValue(source: EnvSource | undefined): string | undefined {
  if (source?.from === "value" || source?.from === "configMap") return source.value;
  return undefined;
}

const KEY_FIX =
  "take it from a Secret: valueFrom.secretKeyRef {name: <app>-model, key: key}, which the overlay's ExternalSecret writes from the secret manager (see docs/agent-logic.md)";

/** The containers of a workload, a Rollout's own template included. */
function containersOf(object: KubernetesObject): Record<string, unknown>[] {
  const pod = podTemplate(object);
  if (pod) return pod.containers;
  if (object.kind === "Rollout") {
    return records(record(record(record(object.spec).template).spec).containers);
  }
  return [];
}

export const checkModelSettings: ObjectRule = (object, { objects }) => {
  const findings: Finding[] = [];
  for (const container of containersOf(object)) {
    const { env, secretsWithUnknownKeys } = environment(container, objects);
    if (givenValue(env.get("AGENT")) !== "model") continue;
    const name = text(container.name) ?? "(unnamed)";
    for (const [variable, example] of [
      [
        "MODEL_BASE_URL",
        "the endpoint's OpenAI-compatible root, such as https://api.openai.com/v1",
      ],
      ["MODEL_NAME", "the model the endpoint serves, such as gpt-4o-mini"],
    ] as const) {
      const source = env.get(variable);
      if (source === undefined || givenValue(source) === "") {
        findings.push({
          rule: "model-settings",
          problem: `container ${name} runs AGENT=model without ${variable}: the agent refuses to start`,
          fix: `set env ${variable} to ${example}, in the overlay's patch of this workload`,
        });
      }
    }
    const key = env.get("MODEL_API_KEY");
    if (key?.from === "value") {
      findings.push({
        rule: "model-settings",
        problem: `container ${name} sets MODEL_API_KEY as a literal value: the model key is in git`,
        fix: `remove it, rotate the key, and ${KEY_FIX}`,
      });
    } else if (key?.from === "configMap") {
      findings.push({
        rule: "model-settings",
        problem: `container ${name} reads MODEL_API_KEY from the ConfigMap ${key.name}: ConfigMaps are not secret (in git, and shown to anyone who may read the namespace's ConfigMaps)`,
        fix: `remove it from the ConfigMap, rotate the key, and ${KEY_FIX}`,
      });
    } else if (key?.from !== "secret" && secretsWithUnknownKeys.length === 0) {
      findings.push({
        rule: "model-settings",
        problem: `container ${name} runs AGENT=model without MODEL_API_KEY from a Secret`,
        fix: KEY_FIX,
      });
    }
  }
  return findings;
};

/**
 * plain-secret, secret-store: credentials never live in git. A Secret with values is refused
 * wherever it is rendered (a manifest or a secretGenerator); its values come from the secret
 * manager through an ExternalSecret, or encrypted for the cluster as a SealedSecret.
 */
import { record, text } from "../objects.ts";
import type { KubernetesObject } from "../types.ts";
import type { ObjectRule } from "./context.ts";

/** The keys a core Secret carries values for, in data and stringData. */
export function secretValueKeys(object: KubernetesObject): string[] {
  if (object.kind !== "Secret" || object.apiVersion !== "v1") return [];
  const data = object as { data?: unknown; stringData?: unknown };
  return [...Object.keys(record(data.data)), ...Object.keys(record(data.stringData))];
}

export const checkPlainSecret: ObjectRule = (object) => {
  const keys = secretValueKeys(object);
  if (keys.length === 0) return [];
  return [
    {
      rule: "plain-secret",
      problem: `the Secret carries values in git (${keys.join(", ")}), readable by anyone who can read the repository`,
      fix: "delete it and rotate those values (git history keeps them); read them through an ExternalSecret (components/external-secrets) or a SealedSecret (components/sealed-secrets)",
    },
  ];
};

export const checkSecretStore: ObjectRule = (object) => {
  if (object.kind !== "ExternalSecret" || !object.apiVersion.startsWith("external-secrets.io/"))
    return [];
  const ref = record(record(object.spec).secretStoreRef);
  const kind = text(ref.kind) ?? "SecretStore";
  if (kind === "ClusterSecretStore" && text(ref.name)) return [];
  return [
    {
      rule: "secret-store",
      problem: text(ref.name)
        ? `spec.secretStoreRef is the ${kind} ${JSON.stringify(ref.name)}, not a ClusterSecretStore: the app's namespace would have to hold the store's own credentials`
        : "spec.secretStoreRef names no store",
      fix: "read from the ClusterSecretStore named in components/external-secrets (include that component in the overlay; it sets spec.secretStoreRef)",
    },
  ];
};

export const SECRET_RULES: ObjectRule[] = [checkPlainSecret, checkSecretStore];

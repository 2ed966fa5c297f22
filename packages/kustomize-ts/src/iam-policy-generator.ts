/**
 * The builtin IAMPolicyGenerator: a Kubernetes ServiceAccount bound to a cloud service
 * account. kustomize 5.5 knows one cloud, GKE (workload identity's
 * `iam.gke.io/gcp-service-account` annotation).
 *
 * kustomize decodes the config as JSON into Go structs (unknown keys ignored, keys matched
 * without regard to case, the first type error reported) and writes the values into a YAML
 * template unquoted, so a value YAML reads differently (`123`, `#x`) renders as YAML reads
 * it. Both are reproduced here: the template is parsed like any resource file.
 */
import { KustomizeError } from "./api.ts";
import type { Where } from "./context.ts";
import type { Resource } from "./resource.ts";
import { resourcesFromText } from "./resources.ts";
import { isMap } from "./slash-path.ts";
import { parseYamlStream } from "./yaml/parse.ts";

export interface IamPolicyArgs {
  cloud: string;
  kubernetesService: { name: string; namespace: string };
  serviceAccount: { name: string; projectId: string };
}

/** The JSON type Go names in "cannot unmarshal <type> into". */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/** Keys in the order Go's JSON encoding of a map lists them. */
function sortedEntries(map: Record<string, unknown>): [string, unknown][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The field `key` fills, matched as Go's JSON decoder does: exactly, else ignoring case. */
function fieldOf<K extends string>(key: string, fields: readonly K[]): K | undefined {
  return fields.find((f) => f === key) ?? fields.find((f) => f.toLowerCase() === key.toLowerCase());
}

type Fail = (problem: string) => never;

function decodeStruct<K extends string>(
  value: unknown,
  fields: readonly K[],
  decode: (field: K, value: unknown) => void,
  mismatch: (type: string) => never,
): void {
  if (value === null || value === undefined) return;
  if (!isMap(value)) mismatch(jsonType(value));
  for (const [key, v] of sortedEntries(value)) {
    const field = fieldOf(key, fields);
    if (field !== undefined) decode(field, v);
  }
}

function unmarshalError(fail: Fail, type: string, field: string, goType: string): never {
  return fail(
    `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${type} into Go struct field ${field} of type ${goType}`,
  );
}

/** A string field: null leaves it empty, any other non-string is a type error. */
function decodeString(value: unknown, onMismatch: (type: string) => never): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "string") onMismatch(jsonType(value));
  return value;
}

/** Decodes an IAMPolicyGenerator config the way kustomize 5.5 does. */
export function iamPolicyArgs(config: Record<string, unknown>, fail: Fail): IamPolicyArgs {
  const args: IamPolicyArgs = {
    cloud: "",
    kubernetesService: { name: "", namespace: "" },
    serviceAccount: { name: "", projectId: "" },
  };
  const top = "IAMPolicyGeneratorPlugin";
  decodeStruct(
    config,
    ["cloud", "kubernetesService", "serviceAccount"] as const,
    (field, value) => {
      if (field === "cloud") {
        args.cloud =
          decodeString(value, (t) => unmarshalError(fail, t, `${top}.cloud`, "types.Cloud")) ??
          args.cloud;
        return;
      }
      const goType = field === "kubernetesService" ? "KubernetesService" : "ServiceAccount";
      const target: Record<string, string> = args[field];
      const subfields =
        field === "kubernetesService"
          ? (["name", "namespace"] as const)
          : (["name", "projectId"] as const);
      decodeStruct(
        value,
        subfields,
        (sub, v) => {
          target[sub] =
            decodeString(v, (t) =>
              unmarshalError(fail, t, `${goType}.${field}.${sub}`, "string"),
            ) ?? (target[sub] as string);
        },
        (t) => unmarshalError(fail, t, `${top}.${field}`, `types.${goType}`),
      );
    },
    () => fail("the config must be a map"),
  );
  return args;
}

/** The ServiceAccount kustomize 5.5 generates for `args`. */
export function iamPolicyResources(args: IamPolicyArgs, id: string, where: Where): Resource[] {
  if (args.cloud !== "gke") {
    throw new KustomizeError(
      `cloud provider ${args.cloud} not supported yet: IAMPolicyGenerator ${id} supports only "cloud: gke"`,
      where,
    );
  }
  const { kubernetesService: ksa, serviceAccount: gsa } = args;
  let text = `apiVersion: v1
kind: ServiceAccount
metadata:
  annotations:
    iam.gke.io/gcp-service-account: ${gsa.name}@${gsa.projectId}.iam.gserviceaccount.com
  name: ${ksa.name}
`;
  if (ksa.namespace !== "") text += `  namespace: ${ksa.namespace}\n`;
  if (gsa.name === "") {
    // kustomize fails to parse the annotation then: YAML reserves a leading "@".
    throw new KustomizeError(
      `IAMPolicyGenerator ${id} needs serviceAccount.name: the annotation it writes would start with "@" (kustomize: found character that cannot start any token)`,
      where,
    );
  }
  if (ksa.name === "") {
    throw new KustomizeError(
      `missing metadata.name in object: IAMPolicyGenerator ${id} needs kubernetesService.name, the name of the ServiceAccount it generates`,
      where,
    );
  }
  const source = `IAMPolicyGenerator ${id}`;
  try {
    parseYamlStream(text, source);
  } catch (error) {
    if (!(error instanceof KustomizeError)) throw error;
    throw new KustomizeError(
      `IAMPolicyGenerator ${id} writes its values into YAML unquoted and they do not parse (${error.reason}): remove YAML special characters from kubernetesService and serviceAccount`,
      where,
    );
  }
  try {
    return resourcesFromText(text, source);
  } catch (error) {
    // A value YAML reads as null or a list (`#x`, `~`) leaves the ServiceAccount without a name.
    if (!(error instanceof KustomizeError)) throw error;
    throw new KustomizeError(`${error.reason} (generated by IAMPolicyGenerator ${id})`, where);
  }
}

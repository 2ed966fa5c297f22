/** A resource being built: the object plus what kustomize tracks about it on the side. */
import type { AliasGroup } from "./aliases.ts";
import type { KubernetesObject } from "./api.ts";
import { isClusterScoped } from "./config/scope.ts";

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ResId {
  gvk: Gvk;
  name: string;
  namespace: string;
}

interface PrevId {
  name: string;
  namespace: string;
  kind: string;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  if (i >= 0) return { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
  if (apiVersion === "builtin") return { group: apiVersion, version: "" };
  return { group: "", version: apiVersion };
}

function apiVersionOf(gvk: Gvk): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

function str(value: unknown): string {
  return typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : String(value);
}

export class Resource {
  obj: KubernetesObject;
  /** The file (or generator) this resource came from, for error messages. */
  readonly source: string;
  prevIds: PrevId[] = [];
  prefixes: string[] = [];
  suffixes: string[] = [];
  needsHash = false;
  behavior: string | undefined;
  /** Set by configMapGenerator/secretGenerator. */
  generated = false;
  /** buildMetadata: where the resource came from, and the transformers that ran on it. */
  origin: string | undefined;
  transformations: string[] = [];
  /** Fields that share one node in kustomize (see aliases.ts). */
  aliases: AliasGroup[] = [];
  /** vars that read their value from this resource. */
  refVarNames: string[] = [];

  constructor(obj: KubernetesObject, source: string) {
    this.obj = obj;
    this.source = source;
  }

  get name(): string {
    return str(this.obj.metadata?.name);
  }

  set name(value: string) {
    this.meta().name = value;
  }

  get namespace(): string {
    return str(this.obj.metadata?.namespace);
  }

  get kind(): string {
    return str(this.obj.kind);
  }

  get apiVersion(): string {
    return str(this.obj.apiVersion);
  }

  meta(): KubernetesObject["metadata"] {
    if (this.obj.metadata === null || typeof this.obj.metadata !== "object") {
      this.obj.metadata = {} as KubernetesObject["metadata"];
    }
    return this.obj.metadata;
  }

  gvk(): Gvk {
    const { group, version } = parseApiVersion(this.apiVersion);
    return { group, version, kind: this.kind };
  }

  curId(): ResId {
    return { gvk: this.gvk(), name: this.name, namespace: this.namespace };
  }

  /** The first id this resource had, before any rename. */
  orgId(): ResId {
    const first = this.prevIds[0];
    if (!first) return this.curId();
    const { group, version } = parseApiVersion(this.apiVersion);
    return {
      gvk: { group, version, kind: first.kind },
      name: first.name,
      namespace: first.namespace,
    };
  }

  /** Ids this resource had before its current one, oldest first. */
  previousIds(): ResId[] {
    const { group, version } = parseApiVersion(this.apiVersion);
    return this.prevIds.map((p) => ({
      gvk: { group, version, kind: p.kind },
      name: p.name,
      namespace: p.namespace,
    }));
  }

  /** Records the current id; kustomize stores the effective namespace ("default" for none). */
  storePreviousId(): void {
    this.prevIds.push({
      name: this.name,
      namespace: effectiveNamespace(this.curId()),
      kind: this.kind,
    });
  }

  isClusterScoped(): boolean {
    return isClusterScoped(this.apiVersion, this.kind);
  }

  labels(): Record<string, unknown> {
    const l = this.obj.metadata?.labels;
    return l && typeof l === "object" ? (l as Record<string, unknown>) : {};
  }

  annotations(): Record<string, unknown> {
    const a = this.obj.metadata?.annotations;
    return a && typeof a === "object" ? (a as Record<string, unknown>) : {};
  }
}

export function idClusterScoped(id: ResId): boolean {
  return isClusterScoped(apiVersionOf(id.gvk), id.gvk.kind);
}

export function effectiveNamespace(id: ResId): string {
  if (idClusterScoped(id)) return "_non_namespaceable_";
  if (id.namespace === "" || id.namespace === "default") return "default";
  return id.namespace;
}

export function gvkEquals(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return (
    a.name === b.name && gvkEquals(a.gvk, b.gvk) && effectiveNamespace(a) === effectiveNamespace(b)
  );
}

/** A string that two ids share exactly when idEquals holds, for sets and maps of ids. */
export function idKey(id: ResId): string {
  return `${id.gvk.group}\u0000${id.gvk.version}\u0000${id.gvk.kind}\u0000${id.name}\u0000${effectiveNamespace(id)}`;
}

/** True when every non-empty field of `selector` equals the one in `gvk`. */
export function gvkSelected(gvk: Gvk, selector: Partial<Gvk>): boolean {
  if (selector.group && gvk.group !== selector.group) return false;
  if (selector.version && gvk.version !== selector.version) return false;
  if (selector.kind && gvk.kind !== selector.kind) return false;
  return true;
}

export function gvkString(gvk: Gvk): string {
  return `${gvk.kind || "[noKind]"}.${gvk.version || "[noVer]"}.${gvk.group || "[noGrp]"}`;
}

/** kustomize's id text: Kind.version.group/name.namespace. */
export function idString(id: ResId): string {
  return `${gvkString(id.gvk)}/${id.name || "[noName]"}.${id.namespace || "[noNs]"}`;
}

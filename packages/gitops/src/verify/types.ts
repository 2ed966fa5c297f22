/** What verify finds, and how it prints it. */
import type { KubernetesObject } from "@repo/kustomize-ts";
import type { Cluster } from "./applicationset.ts";

export type { Cluster, KubernetesObject };

/** One rule broken by one object. */
export interface Violation {
  /** `<app>/<env>` for an overlay, or the directory name under gitops/ (e.g. `argocd`). */
  target: string;
  /** `<Kind>/<name>` of the object at fault. */
  object: string;
  rule: string;
  /** What is wrong. */
  problem: string;
  /** How to fix it. */
  fix: string;
}

/** A rule's finding before verify knows which target and object it belongs to. */
export interface Finding {
  rule: string;
  problem: string;
  fix: string;
}

/** One kustomization that verify renders: an app's overlay or a directory such as gitops/argocd. */
export interface Target {
  label: string;
  /** Absolute path of the kustomization directory. */
  dir: string;
  /** Relative to the repository root, with forward slashes. */
  path: string;
  app?: string;
  env?: string;
}

export interface RenderedTarget extends Target {
  objects: KubernetesObject[];
}

/** gitops/repository.yaml, and what derives from it. */
export interface RepositoryConfig {
  /** `owner/name` */
  repository: string;
  /** e.g. `ghcr.io` */
  registry: string;
  /** The Git URL Argo CD must use: `https://github.com/<owner>/<name>.git`. */
  repoURL: string;
  /** Every app image is `<imagePrefix><app>`: `<registry>/<owner>/<name>/`. */
  imagePrefix: string;
  /** Clusters Argo CD knows besides in-cluster (`clusters:`); the ApplicationSet is rendered for them. */
  clusters: Cluster[];
}

export function objectName(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.name ?? "(unnamed)"}`;
}

export function formatViolation(violation: Violation): string {
  return `${violation.target} ${violation.object}: ${violation.rule}: ${violation.problem} -> ${violation.fix}`;
}

/** The public types of @repo/kustomize-ts. */

/** One rendered Kubernetes object, as plain data. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface BuildOptions {
  /**
   * kustomize's --load-restrictor: `rootOnly` (default) refuses files outside the
   * kustomization root; `none` allows them.
   */
  loadRestrictor?: "rootOnly" | "none";
}

/** Everything kustomize-ts refuses or finds wrong: names the file, key and line when known. */
export class KustomizeError extends Error {
  override readonly name = "KustomizeError";
  readonly file: string | undefined;
  readonly key: string | undefined;
  readonly line: number | undefined;
  /** The message without the place in front of it. */
  readonly reason: string;

  constructor(message: string, where: { file?: string; key?: string; line?: number } = {}) {
    const place = [
      where.file,
      where.line === undefined ? undefined : `line ${where.line}`,
      where.key === undefined ? undefined : `key "${where.key}"`,
    ]
      .filter(Boolean)
      .join(", ");
    super(place ? `${place}: ${message}` : message);
    this.file = where.file;
    this.key = where.key;
    this.line = where.line;
    this.reason = message;
  }
}

import type { FastifyInstance } from "fastify";

interface RoutePattern {
  url: string;
  matcher: RegExp;
  /** Names of the `:param` segments, by segment index. */
  params: Map<number, string>;
  methods: Set<string>;
}

/** Why a request found no route: a path unknown, a method not allowed, or a too-long parameter. */
export type PathMatch =
  | { kind: "unknown" }
  | { kind: "method_not_allowed"; allow: string }
  | { kind: "param_too_long"; param: string; length: number };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The routes by path pattern, collected as they are registered, so that a request the router
 * did not match can be told apart: a path that exists with other methods (405 with Allow, or
 * the answer to OPTIONS), a parameter longer than the router takes (a 400 naming it), or a
 * path that does not exist at all (404).
 */
export class AllowedMethods {
  readonly #patterns = new Map<string, RoutePattern>();
  readonly #maxParamLength: number;

  constructor(maxParamLength: number) {
    this.#maxParamLength = maxParamLength;
  }

  /** Records every route registered on `app` and its children from now on. */
  watch(app: FastifyInstance): void {
    app.addHook("onRoute", (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) this.add(method, route.url);
    });
  }

  add(method: string, url: string): void {
    let pattern = this.#patterns.get(url);
    if (!pattern) {
      const params = new Map<number, string>();
      const segments = url.split("/").map((segment, index) => {
        if (segment === "*") return ".*";
        if (segment.startsWith(":")) {
          params.set(index, segment.slice(1));
          return "[^/]+";
        }
        return escapeRegExp(segment);
      });
      pattern = { url, matcher: new RegExp(`^${segments.join("/")}$`), params, methods: new Set() };
      this.#patterns.set(url, pattern);
    }
    pattern.methods.add(method.toUpperCase());
    if (method.toUpperCase() === "GET") pattern.methods.add("HEAD");
  }

  /** Why `method path` found no route. */
  match(method: string, path: string): PathMatch {
    const allowed = new Set<string>();
    for (const pattern of this.#patterns.values()) {
      if (!pattern.matcher.test(path)) continue;
      if (pattern.methods.has(method)) {
        const segments = path.split("/");
        for (const [index, param] of pattern.params) {
          const length = segments[index]?.length ?? 0;
          if (length > this.#maxParamLength) return { kind: "param_too_long", param, length };
        }
      }
      for (const each of pattern.methods) allowed.add(each);
    }
    if (allowed.size === 0) return { kind: "unknown" };
    allowed.add("OPTIONS");
    return { kind: "method_not_allowed", allow: [...allowed].sort().join(", ") };
  }
}

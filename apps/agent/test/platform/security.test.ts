import { describe, expect, it } from "vitest";
import { appPerTest } from "../support/app.ts";

const setup = appPerTest();

describe("security headers", () => {
  it("puts helmet's headers and a locked-down CSP on every API answer, errors included", async () => {
    const { app } = await setup();
    for (const url of ["/health", "/tasks", "/tasks/not-a-uuid", "/nothing"]) {
      const res = await app.inject(url);
      expect(res.headers["content-security-policy"], url).toBe(
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(res.headers["cross-origin-resource-policy"]).toBe("same-origin");
      // left to whatever terminates TLS in front of the service
      expect(res.headers["strict-transport-security"]).toBeUndefined();
      // read only by old browsers and plugins
      for (const legacy of ["x-xss-protection", "x-download-options", "x-dns-prefetch-control"]) {
        expect(res.headers[legacy], legacy).toBeUndefined();
      }
    }
  });

  it("serves Swagger UI with its own CSP, which works over plain HTTP on any address", async () => {
    const { app } = await setup();
    for (const url of ["/docs", "/docs/static/swagger-initializer.js"]) {
      const res = await app.inject(url);
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, url).not.toContain("upgrade-insecure-requests");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    // everything the page loads comes from the same origin, by relative URLs
    const page = (await app.inject("/docs")).body;
    for (const [, src] of page.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect(src).toMatch(/^\.\/|^\/docs\//);
    }
  });
});

describe("rate limit", () => {
  it("is off by default", async () => {
    const { app } = await setup();
    const answers = await Promise.all(Array.from({ length: 150 }, () => app.inject("/tasks")));
    expect(answers.every((res) => res.statusCode === 200)).toBe(true);
  });

  it("with RATE_LIMIT_MAX, answers 429 in the API's error body with Retry-After, never for the probes", async () => {
    const { app } = await setup({ env: { RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_MS: "60000" } });
    expect((await app.inject("/tasks")).statusCode).toBe(200);
    expect((await app.inject("/tasks")).statusCode).toBe(200);
    const limited = await app.inject("/tasks");
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBe("60");
    expect(limited.json()).toEqual({
      error: "too_many_requests",
      message:
        "More than 2 requests from this address within 60000 ms (RATE_LIMIT_MAX); retry after 60 s.",
    });
    for (const probe of ["/health", "/ready", "/metrics", "/health"]) {
      expect((await app.inject(probe)).statusCode, probe).toBe(200);
    }
  });
});

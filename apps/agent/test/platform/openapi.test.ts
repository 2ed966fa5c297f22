import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { registerOpenApi } from "../../src/platform/openapi.ts";
import { appPerTest } from "../support/app.ts";

const setup = appPerTest();

describe("OpenAPI and docs", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const { app } = await setup({ env: { APP_VERSION: "1.2.3" } });
    const res = await app.inject("/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe("1.2.3");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/health",
      "/metrics",
      "/ready",
      "/tasks",
      "/tasks/{id}",
      "/tasks/{id}/events",
    ]);
    const post = doc.paths["/tasks"].post;
    const body = post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["title"]);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.title).toMatchObject({ type: "string", minLength: 1, maxLength: 200 });
    expect(Object.keys(post.responses).sort()).toEqual(["201", "400", "413", "415", "503"]);
    expect(post.responses["400"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/ErrorResponse",
    );
    expect(doc.components.schemas.ErrorResponse.properties.details.items.required).toEqual([
      "field",
      "rule",
      "message",
    ]);
    expect(Object.keys(doc.paths["/tasks/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.paths["/tasks"].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      "cursor",
      "limit",
      "status",
    ]);
    // every operation can be named by generated clients; no two share a name
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>),
    );
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/tasks"].post.operationId).toBe("createTask");
    // Prometheus' text format, not JSON
    expect(Object.keys(doc.paths["/metrics"].get.responses["200"].content)).toEqual(["text/plain"]);
    // Try it out starts from an example, not from a string made up from the NUL pattern
    expect(post.requestBody.content["application/json"].example).toEqual({
      title: "Summarise the incident report",
      description: "Two paragraphs: what failed, and what we changed so it does not happen again.",
    });
    expect(doc.paths["/tasks/{id}"].patch.requestBody.content["application/json"].example).toEqual({
      status: "running",
    });
    // the same document on the second call (built once)
    expect((await app.inject("/openapi.json")).json()).toEqual(doc);
  });

  it("serves Swagger UI at /docs, including its assets", async () => {
    const { app } = await setup();
    const page = await app.inject("/docs");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain("swagger-initializer.js");
    const bundle = await app.inject("/docs/static/swagger-ui-bundle.js");
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers["content-type"]).toContain("javascript");
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const redirect = await app.inject("/docs/static/index.html");
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe("/docs/");
    const init = await app.inject("/docs/static/swagger-initializer.js");
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain("./json");
    const spec = await app.inject("/docs/json");
    expect(spec.json().paths["/tasks"]).toBeDefined();
    const missing = await app.inject("/docs/static/nothing-here.js");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: "not_found",
      message:
        "There is no documentation page /docs/static/nothing-here.js; open /docs for the API documentation.",
    });
  });
});

describe("OpenAPI", () => {
  it("retries building the documentation after a failure", async () => {
    const app = Fastify({ logger: false });
    let attempts = 0;
    registerOpenApi(app, {
      version: "1",
      title: "Only",
      description: "One route.",
      tags: [],
      describe: async (instance) => {
        attempts += 1;
        if (attempts === 1) throw new Error("not yet");
        instance.get("/only", { schema: { summary: "Only route" } }, async () => "ok");
      },
    });
    expect((await app.inject("/openapi.json")).statusCode).toBe(500);
    const doc = await app.inject("/openapi.json");
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(["/only"]);
    expect(attempts).toBe(2);
    await app.close();
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { appSerializersModule } from "../../scripts/precompile-serializers.ts";
import {
  createSerializerCompiler,
  loadPrecompiledSerializers,
  PRECOMPILED_FILE,
  type PrecompiledSerializers,
  precompiledSerializersModule,
  schemaFingerprint,
} from "../../src/platform/serialization.ts";
import { appPerTest, json } from "../support/app.ts";

const dir = mkdtempSync(join(tmpdir(), "agent-serializers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The build's module, written where a test can load it as the service does. */
async function builtSerializers(): Promise<PrecompiledSerializers> {
  const file = join(dir, PRECOMPILED_FILE);
  writeFileSync(file, (await appSerializersModule()).source);
  return loadPrecompiledSerializers(pathToFileURL(file));
}

const setup = appPerTest();

/** Answers whose bodies go through most response schemas: probes, tasks, lists and errors. */
const REQUESTS = [
  { method: "GET", url: "/ready" },
  { method: "POST", url: "/tasks", payload: { title: "Reconcile", description: "March" } },
  { method: "GET", url: "/tasks?limit=5" },
  { method: "GET", url: "/tasks/00000000-0000-4000-8000-000000000000" },
  { method: "GET", url: "/tasks/not-a-uuid" },
  { method: "POST", url: "/tasks", payload: { title: "", extra: 1 } },
  { method: "GET", url: "/nothing" },
] as const;

/** Status and body of each, with the ids and times that differ between two apps masked. */
async function answers(serializers: { precompiled: PrecompiledSerializers }) {
  const { app } = await setup({ serializers });
  const seen: string[] = [];
  for (const request of REQUESTS) {
    const res = await app.inject({ ...request, headers: json });
    const body = res.body
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>")
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
    seen.push(`${request.method} ${request.url} ${res.statusCode} ${body}`);
  }
  return seen;
}

describe("precompiled response serializers", () => {
  it("cover every schema the app asks a serializer for", async () => {
    const table = await builtSerializers();
    const asked: string[] = [];
    const { app } = await setup({
      serializers: {
        precompiled: new Map(),
        seen: (schema, external) => asked.push(schemaFingerprint(schema, external)),
      },
    });
    await app.ready();
    expect(asked.length).toBeGreaterThan(20);
    expect(asked.filter((fingerprint) => !table.has(fingerprint))).toEqual([]);
  });

  it("give the same answers, byte for byte, as serializers built at run time", async () => {
    const precompiled = await builtSerializers();
    const used = new Set<string>();
    const watched = new Map(
      [...precompiled].map(([key, serialize]) => [
        key,
        (data: unknown) => {
          used.add(key);
          return serialize(data);
        },
      ]),
    );
    const fromBuild = await answers({ precompiled: watched });
    const fromRunTime = await answers({ precompiled: new Map() });
    expect(fromBuild).toEqual(fromRunTime);
    expect(fromBuild.some((line) => line.includes('"details":['))).toBe(true);
    expect(used.size).toBeGreaterThanOrEqual(4);
  });

  it("are not used for a schema edited since the build: it gets one built from the new schema", () => {
    const built = { type: "object", properties: { name: { type: "string" } } };
    const edited = { type: "object", properties: { title: { type: "string" } } };
    const precompiled = new Map([[schemaFingerprint(built, {}), () => "stale"]]);
    const compile = createSerializerCompiler({}, { precompiled });
    const args = { method: "GET", url: "/", httpStatus: "200" };
    expect(compile({ schema: built, ...args })({ name: "a" })).toBe("stale");
    expect(compile({ schema: edited, ...args })({ title: "b", name: "a" })).toBe('{"title":"b"}');
  });

  it("share one serializer between the routes whose schemas are the same", () => {
    const schema = { type: "object", properties: { id: { type: "integer" } } };
    const source = precompiledSerializersModule([
      { schema, externalSchemas: {} },
      { schema: structuredClone(schema), externalSchemas: {} },
    ]);
    expect(source.match(/^ {2}"[\w-]+": \(\(\) => \{$/gm)).toHaveLength(1);
  });

  it("are none where the build has not written its file (the sources, under tsx and tests)", () => {
    expect(loadPrecompiledSerializers(pathToFileURL(join(dir, "missing.cjs"))).size).toBe(0);
    expect(loadPrecompiledSerializers().size).toBe(0);
  });
});

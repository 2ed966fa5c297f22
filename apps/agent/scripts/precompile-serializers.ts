/**
 * Writes dist/platform/precompiled-serializers.cjs after tsc (`pnpm build` runs it): the
 * service's response serializers in fast-json-stringify's standalone form, one for every
 * schema the app asks a serializer for, so the built service starts without compiling any
 * (see src/platform/serialization.ts).
 */
import { writeFileSync } from "node:fs";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { PRECOMPILED_FILE, precompiledSerializersModule } from "../src/platform/serialization.ts";
import { MemoryTaskStore } from "../src/tasks/memory-store.ts";

/**
 * The module's source, from the app as it runs by default (role "all": every route), built
 * without listening; and how many route answers asked for a serializer.
 */
export async function appSerializersModule(): Promise<{ source: string; answers: number }> {
  const schemas: Array<{ schema: object; externalSchemas: Record<string, unknown> }> = [];
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: "silent", ROLE: "all" }),
    store: new MemoryTaskStore(),
    serializers: {
      precompiled: new Map(),
      seen: (schema, externalSchemas) => schemas.push({ schema, externalSchemas }),
    },
  });
  await app.ready();
  await app.close();
  return { source: precompiledSerializersModule(schemas), answers: schemas.length };
}

if (import.meta.main) {
  const { source, answers } = await appSerializersModule();
  writeFileSync(new URL(`../dist/platform/${PRECOMPILED_FILE}`, import.meta.url), source);
  process.stdout.write(
    `precompiled the serializers of ${answers} route answers into dist/platform/${PRECOMPILED_FILE}\n`,
  );
}

import { createRequire } from "node:module";
import type { FastifySerializerCompiler } from "fastify/types/schema.js";

const require = createRequire(import.meta.url);

type Serialize = (data: unknown) => string;

/**
 * Response serializers from the route schemas (fast-json-stringify, as Fastify's default),
 * but each built on the first response that needs it rather than at start, and once per
 * schema however many routes share it (the task, the error body). fast-json-stringify and
 * the Ajv it brings stay off the start-up path, so the service is ready sooner.
 */
export function createSerializerCompiler(
  externalSchemas: Record<string, unknown>,
): FastifySerializerCompiler<object> {
  const built = new WeakMap<object, Serialize>();
  const build = (schema: object): Serialize => {
    let serialize = built.get(schema);
    if (!serialize) {
      const fastJson = require("fast-json-stringify") as typeof import("fast-json-stringify");
      serialize = fastJson(schema, {
        schema: externalSchemas as Record<string, never>,
      }) as Serialize;
      built.set(schema, serialize);
    }
    return serialize;
  };
  return ({ schema }) => {
    let serialize: Serialize | undefined;
    return (data: unknown) => {
      serialize ??= build(schema);
      return serialize(data);
    };
  };
}

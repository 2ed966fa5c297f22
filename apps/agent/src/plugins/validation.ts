import { Ajv, type Options, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

// The schemas are this service's own source, checked by its tests: skipping the
// meta-schema pass saves most of Ajv's start-up cost.
const common: Options = {
  allErrors: true,
  useDefaults: true,
  removeAdditional: false,
  validateSchema: false,
};

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  addFormats.default(ajv, ["uuid", "date-time"]);
  return ajv;
}

/**
 * Fastify's default Ajv coerces types (`{"title": 42}` becomes "42") and silently drops
 * unknown properties. Bodies are JSON and must be taken exactly as sent: no coercion, and
 * unknown fields are rejected by `additionalProperties: false` in their schemas. Query
 * strings and path parameters only exist as text, so those are converted (limit=10).
 */
export function createValidatorCompiler(): FastifySchemaCompiler<object> {
  const parts = {
    body: {
      ajv: createAjv({ coerceTypes: false }),
      compiled: new WeakMap<object, ValidateFunction>(),
    },
    text: {
      ajv: createAjv({ coerceTypes: true }),
      compiled: new WeakMap<object, ValidateFunction>(),
    },
  };
  return ({ schema, httpPart }) => {
    const part = httpPart === "body" ? parts.body : parts.text;
    // Several routes share a schema (the task id parameter): compile it once.
    let validate = part.compiled.get(schema);
    if (!validate) {
      validate = part.ajv.compile(schema);
      part.compiled.set(schema, validate);
    }
    return validate as ReturnType<FastifySchemaCompiler<object>>;
  };
}

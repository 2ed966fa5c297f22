import { createRequire } from "node:module";
import type { Ajv as AjvType, Options, ValidateFunction } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

const require = createRequire(import.meta.url);

// The schemas are this service's own source, checked by its tests: skipping the
// meta-schema pass saves most of Ajv's compile time.
const common: Options = {
  allErrors: true,
  useDefaults: true,
  removeAdditional: false,
  validateSchema: false,
};

function createAjv(options: Options): AjvType {
  const { Ajv } = require("ajv") as typeof import("ajv");
  const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;
  const ajv = new Ajv({ ...common, ...options });
  addFormats(ajv, ["uuid", "date-time"]);
  return ajv;
}

interface Part {
  ajv: AjvType;
  compiled: WeakMap<object, ValidateFunction>;
}

/**
 * Fastify's default Ajv coerces types (`{"title": 42}` becomes "42") and silently drops
 * unknown properties. Bodies are JSON and must be taken exactly as sent: no coercion, and
 * unknown fields are rejected by `additionalProperties: false` in their schemas. Query
 * strings and path parameters only exist as text, so those are converted (limit=10).
 *
 * Ajv is loaded and each schema compiled on its first use rather than at start: the
 * probes never need them, so the service is ready sooner.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<object> {
  let parts: { body: Part; text: Part } | undefined;
  const compile = (schema: object, httpPart: string | undefined): ValidateFunction => {
    parts ??= {
      body: { ajv: createAjv({ coerceTypes: false }), compiled: new WeakMap() },
      text: { ajv: createAjv({ coerceTypes: true }), compiled: new WeakMap() },
    };
    const part = httpPart === "body" ? parts.body : parts.text;
    // Several routes share a schema (the task id parameter): compile it once.
    let validate = part.compiled.get(schema);
    if (!validate) {
      validate = part.ajv.compile(schema);
      part.compiled.set(schema, validate);
    }
    return validate;
  };

  return ({ schema, httpPart }) => {
    let compiled: ValidateFunction | undefined;
    // Fastify reads `errors` from the function it called, as with a compiled Ajv validator.
    const validate = Object.assign(
      (data: unknown): boolean => {
        compiled ??= compile(schema, httpPart);
        const valid = compiled(data);
        validate.errors = compiled.errors;
        return valid;
      },
      { errors: null as ValidateFunction["errors"] },
    );
    return validate;
  };
}

import { createRequire } from "node:module";
import type { Ajv as AjvType, ErrorObject, Options, ValidateFunction } from "ajv";
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

interface PropertySchema {
  type?: unknown;
}

/** Digits only: what a whole number in a query string or path looks like. */
const DIGITS = /^[0-9]+$/;

/**
 * Problems Ajv's coercion of text would hide: it reads "Infinity", "9e999", "0x10", "+5" and
 * " 5" as numbers, and a parameter given twice arrives as an array. Each becomes an error in
 * Ajv's own form, so it is reported like any other.
 */
function textProblems(schema: object, data: unknown): ErrorObject[] {
  const problems: ErrorObject[] = [];
  if (typeof data !== "object" || data === null) return problems;
  const properties = (schema as { properties?: Record<string, PropertySchema> }).properties ?? {};
  for (const [name, value] of Object.entries(data)) {
    const instancePath = `/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (Array.isArray(value)) {
      problems.push({
        keyword: "repeated",
        instancePath,
        schemaPath: "#/properties",
        params: {},
        message: "is given more than once; give it once",
      });
      continue;
    }
    const type = properties[name]?.type;
    if ((type === "integer" || type === "number") && typeof value === "string") {
      if (!DIGITS.test(value)) {
        problems.push({
          keyword: "type",
          instancePath,
          schemaPath: `#/properties/${name}/type`,
          params: { type, digits: true },
          message: "must be a whole number written in digits, such as 20",
        });
      }
    }
  }
  return problems;
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
    const text = httpPart !== "body";
    // Fastify reads `errors` from the function it called, as with a compiled Ajv validator.
    const validate = Object.assign(
      (data: unknown): boolean => {
        compiled ??= compile(schema, httpPart);
        const problems = text ? textProblems(schema, data) : [];
        const valid = compiled(data);
        if (problems.length === 0) {
          validate.errors = compiled.errors;
          return valid;
        }
        // Ajv's own findings on the same parameters would only repeat these less clearly.
        const flagged = new Set(problems.map((problem) => problem.instancePath));
        const others = (compiled.errors ?? []).filter((error) => !flagged.has(error.instancePath));
        validate.errors = [...problems, ...others];
        return false;
      },
      { errors: null as ValidateFunction["errors"] },
    );
    return validate;
  };
}

import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  // ajv-formats is typed against another copy of ajv 8; the runtime API is the same.
  (addFormats.default as unknown as (instance: Ajv) => Ajv)(ajv);
  return ajv;
}

/**
 * Fastify's validator compiler: query strings and path parameters are text on the wire, so their
 * numbers and booleans are read from text; bodies are JSON and are taken as sent, with no
 * coercion at all. Nothing is removed: an unknown field fails validation.
 */
export function strictValidatorCompiler(
  sharedSchemas: readonly AnySchema[],
): FastifySchemaCompiler<AnySchema> {
  const fromText = createAjv(true);
  const asSent = createAjv(false);
  for (const schema of sharedSchemas) {
    fromText.addSchema(schema);
    asSent.addSchema(schema);
  }
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'querystring' || httpPart === 'params' ? fromText : asSent;
    return ajv.compile(schema) as ValidateFunction;
  };
}

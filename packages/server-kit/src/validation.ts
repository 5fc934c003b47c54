import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { formatSchemaErrors } from '@ktrdr/shared';

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
    // Infinity and NaN are not numbers here: `1e999` in a body or `?offset=Infinity` in a
    // query is a 400 naming the field, not a value that reaches the handlers
    strictNumbers: true,
    ...options,
  });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

/** The JSON Pointer of the first number that is not finite in `value`, if any. */
function nonFinite(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (depth > 4 || value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = nonFinite(child, `${path}/${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Ajv coerces `"Infinity"` (and `1e999`) to a number and then skips the number keywords
 * (`maximum`, `strictNumbers`) for it: so after coercion, what is not finite is refused here.
 */
function finiteAfterCoercion(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    if (!validate(data, context)) {
      wrapped.errors = validate.errors;
      return false;
    }
    const at = nonFinite(data);
    const error: ErrorObject = {
      keyword: 'type',
      instancePath: at ?? '',
      schemaPath: '#/type',
      params: { type: 'a finite number' },
      message: 'must be a finite number',
    };
    wrapped.errors = at === undefined ? null : [error];
    return at === undefined;
  }) as ValidateFunction;
  // Fastify hands Ajv the parent of the value when this is set (so a root can be coerced)
  return Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}

/**
 * A validator compiled on its first call: Fastify compiles every route's schemas when the
 * route is registered, and Ajv's generated code for the ~100 schemas of the backend held
 * ~6 MiB of heap (2026-12-02) that an idle process never runs. The errors are the compiled
 * validator's own; `schemaEnv` is set so that Fastify passes the parent (Ajv needs it to
 * coerce or default a root value).
 */
function compiledOnFirstUse(compile: () => ValidateFunction): ValidateFunction {
  let validate: ValidateFunction | undefined;
  const wrapped = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    validate ??= compile();
    const valid = validate(data, context);
    wrapped.errors = validate.errors;
    return valid;
  }) as ValidateFunction;
  return Object.assign(wrapped, { schemaEnv: true });
}

/**
 * Bodies are typed JSON: a string where a number belongs is an error, not coerced.
 * Query strings and path params arrive as text: those are coerced (`?limit=10`), and
 * what coerces to Infinity is refused. Each validator compiles on its first request.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) =>
    compiledOnFirstUse(() =>
      httpPart === 'body'
        ? strict.compile(schema as object)
        : finiteAfterCoercion(coercing.compile(schema as object)),
    );
}

/**
 * Checks a JSON body that did not come through a route (a job handed over in a report's
 * answer) exactly as a route checks its body: the same strict validator, defaults filled
 * in place. Returns what is wrong, one line naming each field, or undefined when it is valid.
 */
export function bodyChecker(schema: object): (body: unknown) => string | undefined {
  let validate: ValidateFunction | undefined;
  return (body) => {
    validate ??= makeAjv({ coerceTypes: false }).compile(schema);
    if (validate(body)) return undefined;
    const issues = formatSchemaErrors(validate.errors ?? [], 'body');
    return issues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'body: invalid';
  };
}

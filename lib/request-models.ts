import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as z from 'zod';

/**
 * API Gateway request models from the zod schemas of the route table, so that a malformed body is refused
 * at the edge before it costs a function invocation. The function still parses every body with the same
 * zod schema (and normalises text to NFC); the model is a first, coarser filter and must never refuse a
 * body the function would accept. Hence:
 *
 * - the *input* side of each schema (what the client sends, before transforms and defaults);
 * - JSON Schema draft-4, the only draft API Gateway validates;
 * - every schema inlined (an empty metadata registry, so no `$ref` to `definitions`), which leaves the
 *   body's own keywords, `additionalProperties: false` among them, at the top of the model;
 * - refinements zod cannot express in JSON Schema (non-blank text, a denial that grants nothing) are left
 *   to the function;
 * - no `pattern` from a regex with flags or with Unicode property classes (`\p{L}`): the gateway's Java
 *   validator reads neither the way JavaScript does;
 * - no `format`: zod emits a `pattern` with its exact check beside each format it knows, and a format read
 *   differently by the gateway (e-mail, date-time) could refuse what the function accepts.
 */
export function requestModelSchema(schema: z.ZodType): apigateway.JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-04',
    io: 'input',
    unrepresentable: 'any',
    metadata: z.registry(),
    override: ({ zodSchema, jsonSchema }) => {
      // zod writes each check's regex source and drops its flags; the checks still have the RegExp.
      const checks = [zodSchema, ...((zodSchema._zod.def as { checks?: unknown[] }).checks ?? [])];
      const patterns = checks
        .map((check) => (check as { _zod: { def: { pattern?: unknown } } })._zod.def.pattern)
        .filter((pattern): pattern is RegExp => pattern instanceof RegExp);
      if (patterns.some(unsupportedPattern)) {
        const target = jsonSchema as Record<string, unknown>;
        delete target.pattern;
        if (Array.isArray(target.allOf)) {
          target.allOf = (target.allOf as Record<string, unknown>[]).filter((entry) => !('pattern' in entry));
          if ((target.allOf as unknown[]).length === 0) delete target.allOf;
        }
      }
    },
  });
  return toCdkJsonSchema(json as Record<string, unknown>);
}

/** A JavaScript regex the gateway's (Java) JSON Schema validator would not read the same way. */
export function unsupportedPattern(pattern: RegExp): boolean {
  return pattern.flags.replace(/[gy]/g, '') !== '' || /\\[pPu]\{/.test(pattern.source);
}

/** Keywords kept as they are (values need no conversion). */
const PLAIN_KEYWORDS = new Set([
  'type',
  'title',
  'description',
  'enum',
  'default',
  'required',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
]);
/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = new Set(['not', 'additionalItems']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
/** Keywords whose value maps names (kept as they are) to schemas. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'definitions']);

/**
 * A plain draft-4 JSON Schema object as CDK's `JsonSchema`, which spells `$schema` and `$ref` as `schema`
 * and `ref` and puts the `$` back when it renders the model. A keyword this does not know throws, so that a
 * schema feature new to the route table is looked at rather than passed to the gateway unread.
 */
export function toCdkJsonSchema(json: Record<string, unknown>): apigateway.JsonSchema {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '$schema') result.schema = value;
    else if (key === '$ref') result.ref = value;
    else if (key === 'id') result.id = value;
    // `format` is left out: see requestModelSchema.
    else if (key === 'format') continue;
    else if (PLAIN_KEYWORDS.has(key)) result[key] = value;
    else if (SCHEMA_KEYWORDS.has(key)) result[key] = toCdkJsonSchema(value as Record<string, unknown>);
    else if (SCHEMA_LIST_KEYWORDS.has(key))
      result[key] = (value as Record<string, unknown>[]).map((entry) => toCdkJsonSchema(entry));
    else if (SCHEMA_MAP_KEYWORDS.has(key))
      result[key] = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([name, entry]) => [
          name,
          toCdkJsonSchema(entry),
        ]),
      );
    else if (key === 'items')
      result[key] = Array.isArray(value)
        ? value.map((entry: Record<string, unknown>) => toCdkJsonSchema(entry))
        : toCdkJsonSchema(value as Record<string, unknown>);
    else if (key === 'additionalProperties')
      result[key] = typeof value === 'boolean' ? value : toCdkJsonSchema(value as Record<string, unknown>);
    else throw new Error(`JSON Schema keyword ${key} is not converted for API Gateway models`);
  }
  return result as apigateway.JsonSchema;
}

import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { requestModelSchema, toCdkJsonSchema, unsupportedPattern } from '../../lib/request-models';

describe('request models', () => {
  it('takes the input side: a transformed, defaulted field is optional text before the transform', () => {
    const schema = z.strictObject({
      name: z
        .string()
        .max(10)
        .transform((value) => value.normalize('NFC')),
      status: z.enum(['open', 'closed']).default('open'),
    });
    expect(requestModelSchema(schema)).toEqual({
      schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 10 },
        status: { type: 'string', enum: ['open', 'closed'], default: 'open' },
      },
      required: ['name'],
      additionalProperties: false,
    });
  });

  it('inlines named schemas, so the body itself is at the top', () => {
    const Inner = z.strictObject({ a: z.string() }).meta({ id: 'TestInnerModel' });
    const Outer = z.strictObject({ inner: Inner, again: Inner }).meta({ id: 'TestOuterModel' });
    const json = requestModelSchema(Outer);
    expect(json).toMatchObject({ type: 'object', additionalProperties: false });
    expect(JSON.stringify(json)).not.toMatch(/ref|definitions/);
  });

  it('drops patterns with Unicode classes or flags, and formats, and keeps plain patterns', () => {
    const json = requestModelSchema(
      z.strictObject({
        letters: z.string().regex(/^[\p{L}]+$/u),
        caseless: z.string().regex(/^[a-z]+$/i),
        digits: z.string().regex(/^[0-9٠-٩-]{5,20}$/),
        email: z.email(),
      }),
    ) as { properties: Record<string, Record<string, unknown>> };
    expect(json.properties.letters).toEqual({ type: 'string' });
    expect(json.properties.caseless).toEqual({ type: 'string' });
    expect(json.properties.digits).toEqual({ type: 'string', pattern: '^[0-9٠-٩-]{5,20}$' });
    expect(json.properties.email?.format).toBeUndefined();
    expect(json.properties.email?.pattern).toEqual(expect.any(String));
  });

  it('tells supported patterns from unsupported ones', () => {
    expect(unsupportedPattern(/^[a-z]+$/)).toBe(false);
    expect(unsupportedPattern(/^\p{L}+$/u)).toBe(true);
    expect(unsupportedPattern(/^[a-z]+$/i)).toBe(true);
  });

  it('spells $ref and $schema as CDK does, and refuses a keyword it does not know', () => {
    expect(
      toCdkJsonSchema({
        $schema: 'http://json-schema.org/draft-04/schema#',
        anyOf: [{ $ref: '#/definitions/A' }, { type: 'null' }],
        definitions: { A: { type: 'array', items: { type: 'integer', minimum: 0 } } },
      }),
    ).toEqual({
      schema: 'http://json-schema.org/draft-04/schema#',
      anyOf: [{ ref: '#/definitions/A' }, { type: 'null' }],
      definitions: { A: { type: 'array', items: { type: 'integer', minimum: 0 } } },
    });
    expect(() => toCdkJsonSchema({ const: 1 })).toThrow(/const/);
  });
});

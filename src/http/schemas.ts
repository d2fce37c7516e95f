import * as z from 'zod';
import { AgencyViewSchema } from '../domain/directory';

/** Shapes shared by several routes. Route-specific shapes live beside their domain. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    grantId: z
      .string()
      .optional()
      .meta({ description: '`emergency-access-live`: the live emergency grant (its request id too).' }),
    expiresAt: z.string().optional().meta({ description: '`emergency-access-live`: when that grant ends.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const UserHeaderSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._@:-]+$/, 'an officer id is ASCII letters, digits and . _ @ : -')
  .meta({
    description: 'The officer or caseworker the agency system acts for (recorded in the access log).',
  });

/** A client's key for retrying a write safely (see the idempotency middleware). */
export const IdempotencyKeySchema = z.string().regex(/^[\w.:-]{8,128}$/);

export const HealthSchema = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

export const AgencyListSchema = z
  .strictObject({ agencies: z.array(AgencyViewSchema.meta({ id: 'Agency' })) })
  .meta({ id: 'AgencyList' });

/** The document `GET /v1/openapi.json` serves, described only as far as a client relies on it. */
export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document' });

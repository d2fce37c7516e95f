import type { ZodObject, ZodRawShape } from 'zod';
import * as z from 'zod';
import { type Directory, DirectorySchema } from './domain/directory';

/** What every function reads from its environment. Local endpoints are set only by the local stack. */
export const BaseEnvSchema = z.object({
  AWS_REGION: z.string().min(1).default('me-central-1'),
  DYNAMODB_ENDPOINT: z.url().optional(),
  KMS_ENDPOINT: z.url().optional(),
  AGENCY_DIRECTORY: z
    .string()
    .min(2)
    .transform((text, ctx): Directory => {
      try {
        return DirectorySchema.parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'AGENCY_DIRECTORY is not a valid agency directory' });
        return z.NEVER;
      }
    }),
});

export const TablesEnvSchema = z.object({
  CASES_TABLE: z.string().min(1),
  AUDIT_TABLE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
});

/** The statistics' counters (the aggregator writes them, the stats function reads them). */
export const StatsEnvSchema = z.object({ STATS_TABLE: z.string().min(1) });

/** The HMAC key the deployment's request-id key is derived with (see src/adapters/request-id-key.ts). */
export const IdKeyEnvSchema = z.object({ HMAC_KEY_ARN: z.string().min(1) });

/**
 * The branch key store of section encryption, and how long an unwrapped branch key is used: a KMS outage
 * or a disabled agency key stops reads and writes at most this long after it begins.
 */
export const KeyStoreEnvSchema = z.object({
  KEY_STORE_TABLE: z.string().min(1),
  BRANCH_KEY_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
});

/** The EventBridge bus domain events go to; unset on the local stack, which has an in-process bus. */
export const EventsEnvSchema = z.object({ EVENT_BUS_NAME: z.string().min(1).optional() });

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Reads and validates the environment once; fails fast (at cold start) naming the bad variables only. */
export function readEnv<T extends ZodRawShape>(
  schema: ZodObject<T>,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<ZodObject<T>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const names = result.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigurationError(`invalid or missing environment: ${names}`);
  }
  return result.data;
}

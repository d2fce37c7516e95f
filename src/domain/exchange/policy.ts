import { z } from 'zod';
import { URGENCIES, type Urgency } from '../cases/schemas';

/**
 * The time limits of the exchange. Configurable per deployment (see `policyFromEnvironment`); the
 * defaults are the ones agreed between the agencies.
 */
export interface ExchangePolicy {
  /** Minutes the asked agency has to decide a request, and the owner to act first on a new report. */
  responseMinutes: Record<Urgency, number>;
  /** How long emergency (break-glass) access lasts. */
  emergencyAccessMinutes: number;
  /** Expiry of the share an approval creates when the owner names none. */
  defaultGrantDays: number;
  /** The longest a share may last: access is reviewed at least this often. */
  maxGrantDays: number;
  /** Distinct pending requests one agency may have about one case (an identical one is answered, not added). */
  maxOpenRequestsPerCase: number;
}

const HOUR = 60;
const DAY = 24 * HOUR;

export const DEFAULT_POLICY: ExchangePolicy = {
  responseMinutes: { critical: HOUR, high: DAY, medium: 3 * DAY, low: 7 * DAY },
  emergencyAccessMinutes: 4 * HOUR,
  defaultGrantDays: 30,
  maxGrantDays: 365,
  maxOpenRequestsPerCase: 5,
};

const minutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(366 * DAY);

/**
 * `RESPONSE_DEADLINE_MINUTES` (JSON, e.g. `{"critical":30}`; urgencies left out keep their default),
 * `EMERGENCY_ACCESS_MINUTES` and `OPEN_REQUESTS_PER_CASE`. Anything invalid fails the function at cold start.
 */
export const ExchangePolicyEnvSchema = z.object({
  RESPONSE_DEADLINE_MINUTES: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return {};
      const parsed = z
        .strictObject(Object.fromEntries(URGENCIES.map((urgency) => [urgency, minutes.optional()])))
        .safeParse(safeJson(text));
      if (parsed.success) return parsed.data as Partial<Record<Urgency, number>>;
      ctx.addIssue({
        code: 'custom',
        message: 'RESPONSE_DEADLINE_MINUTES is not a JSON map of urgency → minutes',
      });
      return z.NEVER;
    }),
  EMERGENCY_ACCESS_MINUTES: minutes.max(DAY).optional(),
  OPEN_REQUESTS_PER_CASE: z.coerce.number().int().min(1).max(100).optional(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function policyFromEnvironment(env: z.infer<typeof ExchangePolicyEnvSchema>): ExchangePolicy {
  const responseMinutes = { ...DEFAULT_POLICY.responseMinutes };
  for (const urgency of URGENCIES) {
    const configured = env.RESPONSE_DEADLINE_MINUTES[urgency];
    if (configured !== undefined) responseMinutes[urgency] = configured;
  }
  return {
    ...DEFAULT_POLICY,
    responseMinutes,
    emergencyAccessMinutes: env.EMERGENCY_ACCESS_MINUTES ?? DEFAULT_POLICY.emergencyAccessMinutes,
    maxOpenRequestsPerCase: env.OPEN_REQUESTS_PER_CASE ?? DEFAULT_POLICY.maxOpenRequestsPerCase,
  };
}

const addMinutes = (at: string | Date, count: number) => new Date(new Date(at).getTime() + count * 60_000);

/** When a request (or a new report's first action) made at `from` with this urgency falls due. */
export function dueAt(from: string, urgency: Urgency, policy: ExchangePolicy): string {
  return addMinutes(from, policy.responseMinutes[urgency]).toISOString();
}

/** The latest creation time that is overdue at `now`: everything created at or before it is late. */
export function overdueIfCreatedBy(now: Date, urgency: Urgency, policy: ExchangePolicy): string {
  return addMinutes(now, -policy.responseMinutes[urgency]).toISOString();
}

export function emergencyExpiry(now: Date, policy: ExchangePolicy): string {
  return addMinutes(now, policy.emergencyAccessMinutes).toISOString();
}

export function defaultGrantExpiry(now: Date, policy: ExchangePolicy): string {
  return addMinutes(now, policy.defaultGrantDays * DAY).toISOString();
}

export function latestGrantExpiry(now: Date, policy: ExchangePolicy): Date {
  return addMinutes(now, policy.maxGrantDays * DAY);
}

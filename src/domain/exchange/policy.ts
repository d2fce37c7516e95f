import * as z from 'zod';
import { SECTION_NAMES, type SectionName, URGENCIES, type Urgency } from '../cases/schemas';

/**
 * The time limits of the exchange. Configurable per deployment (see `policyFromEnvironment`); the
 * defaults are the ones agreed between the agencies.
 */
export interface ExchangePolicy {
  /** Minutes the asked agency has to decide a request, and the owner to act first on a new report. */
  responseMinutes: Record<Urgency, number>;
  /** How long emergency (break-glass) access lasts. */
  emergencyAccessMinutes: number;
  /** The sections emergency access may open; never `reporter`. */
  emergencySections: readonly SectionName[];
  /** Emergency accesses an agency may use per UTC day, over all cases; then 429 and an alarm. */
  emergencyDailyCap: number;
  /** Days after the owner revoked an agency during which its emergency access is flagged at high priority. */
  afterRevocationDays: number;
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
  emergencySections: SECTION_NAMES.filter((name) => name !== 'reporter'),
  emergencyDailyCap: 10,
  afterRevocationDays: 7,
  defaultGrantDays: 30,
  maxGrantDays: 365,
  maxOpenRequestsPerCase: 5,
};

const minutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(366 * DAY);

/** `EMERGENCY_ACCESS_SECTIONS`: comma-separated section names; `reporter` is never opened by emergency. */
const EmergencySectionsSchema = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim()))
  .pipe(
    z
      .array(z.enum(SECTION_NAMES).refine((name) => name !== 'reporter', 'emergency never opens reporter'))
      .min(1),
  );

/**
 * `RESPONSE_DEADLINE_MINUTES` (JSON, e.g. `{"critical":30}`; urgencies left out keep their default),
 * `EMERGENCY_ACCESS_MINUTES`, `EMERGENCY_ACCESS_SECTIONS`, `EMERGENCY_ACCESS_DAILY_CAP`,
 * `EMERGENCY_AFTER_REVOCATION_DAYS` and `OPEN_REQUESTS_PER_CASE`. Anything invalid fails the function at
 * cold start.
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
  EMERGENCY_ACCESS_SECTIONS: EmergencySectionsSchema.optional(),
  EMERGENCY_ACCESS_DAILY_CAP: z.coerce.number().int().min(1).max(10_000).optional(),
  EMERGENCY_AFTER_REVOCATION_DAYS: z.coerce.number().int().min(0).max(366).optional(),
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
    emergencySections: SECTION_NAMES.filter((name) =>
      (env.EMERGENCY_ACCESS_SECTIONS ?? DEFAULT_POLICY.emergencySections).some((open) => open === name),
    ),
    emergencyDailyCap: env.EMERGENCY_ACCESS_DAILY_CAP ?? DEFAULT_POLICY.emergencyDailyCap,
    afterRevocationDays: env.EMERGENCY_AFTER_REVOCATION_DAYS ?? DEFAULT_POLICY.afterRevocationDays,
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

/** The UTC day an emergency access counts against, and when that day's cap is lifted. */
export function emergencyDay(now: Date): { day: string; endsAt: Date } {
  const day = now.toISOString().slice(0, 10);
  return { day, endsAt: new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY * 60_000) };
}

/** Whether the owner's revocation at `revokedAt` is recent enough to flag an emergency access at `now`. */
export function isRecentRevocation(revokedAt: string | undefined, now: Date, policy: ExchangePolicy) {
  if (revokedAt === undefined) return false;
  return now.getTime() - Date.parse(revokedAt) <= policy.afterRevocationDays * DAY * 60_000;
}

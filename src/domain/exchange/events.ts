import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { SECTION_NAMES, UrgencySchema } from '../cases/schemas';

/**
 * Domain events: what an agency system subscribes to (EventBridge in AWS, source `himaya.exchange`,
 * detail-type = `type`). They name who and what — ids, agencies, section names, times — and never carry
 * case content or free text. `recipients` are the agencies the event is for; a subscription rule matches
 * its own agency id there.
 */
export const DOMAIN_EVENT_TYPES = [
  'share.created',
  'share.revoked',
  'request.created',
  'request.decided',
  'request.withdrawn',
  'emergency-access.granted',
  'emergency-access.after-revocation',
  'request.overdue',
  'report.overdue',
  'match.found',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export const EVENT_SOURCE = 'himaya.exchange';

export const DomainEventSchema = z
  .strictObject({
    eventId: z.uuid(),
    type: z.enum(DOMAIN_EVENT_TYPES),
    time: z.iso.datetime(),
    caseId: z.uuid(),
    /** The agency whose act this is; absent for the scheduler's escalations. */
    actorAgency: z.string().optional(),
    recipients: z.array(z.string()).min(1),
    requestId: z.uuid().optional(),
    grantId: z.uuid().optional(),
    sections: z.array(z.enum(SECTION_NAMES)).optional(),
    expiresAt: z.iso.datetime().optional(),
    urgency: UrgencySchema.optional(),
    dueAt: z.iso.datetime().optional(),
    decision: z.enum(['approve', 'deny']).optional(),
    /** `match.found`: how the lookup confirmed the recipient's case (see POST /v1/matches). */
    strength: z.enum(['exact-id', 'name-dob', 'name-year']).optional(),
  })
  .meta({ id: 'DomainEvent' });
export type DomainEvent = z.infer<typeof DomainEventSchema>;

export function domainEvent(
  type: DomainEventType,
  time: Date,
  fields: Omit<DomainEvent, 'eventId' | 'type' | 'time'>,
): DomainEvent {
  return { eventId: randomUUID(), type, time: time.toISOString(), ...fields };
}

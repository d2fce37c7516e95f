import { randomBytes } from 'node:crypto';
import * as z from 'zod';

/**
 * One access-log event: who (agency, client, officer), did what (action) to what (resource), why
 * (purpose) under which grants, with what outcome (HTTP status), when, from where. Written for every request that
 * reaches a function, allowed or denied, and for every request the gateway refuses itself. Holds no case content.
 */
export const AuditEventSchema = z
  .strictObject({
    eventId: z.string(),
    time: z.iso.datetime(),
    agency: z.string().nullable(),
    clientId: z.string().nullable(),
    user: z.string().nullable(),
    action: z.string(),
    resource: z.string(),
    caseId: z.string().optional(),
    purpose: z.string().optional(),
    /**
     * The grants a read of another agency's case was allowed under (DESIGN §6, "the grant used"); absent
     * for the owner and where no grant was used. Absent from the leaf bytes when absent, so events written
     * before it existed verify as they did.
     */
    grantIds: z.array(z.string()).optional(),
    outcome: z.number().int(),
    requestId: z.string(),
    sourceIp: z.string(),
    /**
     * `committed`: written in the same transaction as the data it records, before the answer was sent;
     * `outcome` is the status the request was to be answered with (if the answer differed, another event
     * of the same request records it). `ahead`: written while the request was still being served (a case
     * read writes it while it decrypts), with the status it was to be answered with; likewise, if the
     * answer differed, another event of the same request records it. `replayed`: a retry answered with
     * what an earlier request under its Idempotency-Key stored (or refused, its caller no longer allowed to
     * see it); nothing was written. Absent: `outcome` is the answer sent.
     */
    disposition: z.enum(['committed', 'ahead', 'replayed']).optional(),
    /** Set by the sealer once the event is a leaf of the Merkle tree. */
    leafIndex: z.number().int().nonnegative().optional(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** The fields that are hashed into the log; `leafIndex` is where the event sits, not part of it. */
export type AuditEventContent = Omit<AuditEvent, 'leafIndex'>;

/** Sortable by time, then random: ids of events written in the same millisecond never collide. */
export function newEventId(now: Date): string {
  return `${now.getTime().toString(36).padStart(10, '0')}${randomBytes(10).toString('hex')}`;
}

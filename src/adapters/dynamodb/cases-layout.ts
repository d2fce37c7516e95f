import type { StoredCase, StoredGrant, StoredNote } from '../../domain/cases/ports';
import { type CaseMetadata, SECTION_NAMES, type Urgency } from '../../domain/cases/schemas';
import type { DomainEvent } from '../../domain/exchange/events';
import type { AgencyAccess, ExchangeRecord } from '../../domain/exchange/ports';
import type { ReviewRecord } from '../../domain/reviews/ports';
import { ReviewViewSchema } from '../../domain/reviews/schemas';

/**
 * The Cases table, item by item. A case is one partition, so one Query reads it whole; the exchange's
 * requests, compliance reviews and the event outbox have partitions of their own.
 *
 * Case partition `pk = CASE#<caseId>`:
 * - `sk = CASE`: metadata in clear, `sections` (section name → Encryption SDK message), `version`;
 *   `byAgency` keys for the owner's listing; `byQueue` keys `DUE#report#<urgency>` / `<createdAt>#<id>`
 *   until the owner's first action (update, owner's note, share, approval), or until escalated.
 * - `sk = NOTE#<noteId>`: a note, its text encrypted under the owner's key (the id alone in the key, so a
 *   retried note with a derived id meets the conditional write).
 * - `sk = GRANT#<agency>#<grantId>`: a share or an emergency access (sections, purpose, expiry, who,
 *   `revokedAt`); TTL at expiry, but expiry is checked on every read.
 * - `sk = LISTED#<agency>`: the case in a grantee's listing: a copy of the metadata (brought up to each
 *   new version after the update commits, never older than it was), `expiresAt` = the latest expiry of
 *   the agency's live grants, `byAgency` keys `ACCESS#<agency>`. Removed on revocation; an expired one is
 *   filtered out of the listing at once.
 * - `sk = AGENCY#<agency>`: that agency's access to the case, kept off the case item so that a change of
 *   access never contends with the owner's update: `revision` (every share, revocation and emergency
 *   access of the agency expects it unchanged and moves it on), `emergencyGrantId`/`emergencyExpiresAt`
 *   (its emergency grant, until revoked: one live at a time), `revokedAt` (the owner's last revocation).
 *
 * `pk = EMERGENCY#<agency>`, `sk = DAY#<yyyy-mm-dd>`: `count` of the agency's emergency accesses that UTC
 * day, held under the daily cap by a conditional update in each emergency access's transaction; TTL.
 *
 * `pk = REQUEST#<requestId>`, `sk = REQUEST`: an access request or an emergency access. `byOutbox` keys
 * for the requesting agency; `byInbox` keys and, while pending, `byQueue` keys `DUE#request#<urgency>`
 * only when delivered (the named agency owns the case: see exchange-service.ts). A decision or a
 * withdrawal rewrites the item without the `byQueue` keys: it is no longer due.
 *
 * `pk = REVIEW#<reviewId>`, `sk = REVIEW`: an item on the compliance review list; `byReview` keys
 * `REVIEW#<status>` / `<createdAt>#<reviewId>`.
 *
 * `pk = OUTBOX#<eventId>`, `sk = OUTBOX`: a domain event, written with the change it announces; `byQueue`
 * keys `OUTBOX` / `<time>#<eventId>` until published, then a TTL.
 */
export const INDEXES = {
  byAgency: 'byAgency',
  byInbox: 'byInbox',
  byOutbox: 'byOutbox',
  byQueue: 'byQueue',
  byReview: 'byReview',
} as const;

export const CASE_SK = 'CASE';
export const casePartition = (caseId: string) => `CASE#${caseId}`;
export const caseKey = (caseId: string) => ({ pk: casePartition(caseId), sk: CASE_SK });
export const grantKey = (caseId: string, agency: string, grantId: string) => ({
  pk: casePartition(caseId),
  sk: `GRANT#${agency}#${grantId}`,
});
export const listingKey = (caseId: string, agency: string) => ({
  pk: casePartition(caseId),
  sk: `LISTED#${agency}`,
});
export const agencyAccessKey = (caseId: string, agency: string) => ({
  pk: casePartition(caseId),
  sk: `AGENCY#${agency}`,
});
export const emergencyDayKey = (agency: string, day: string) => ({
  pk: `EMERGENCY#${agency}`,
  sk: `DAY#${day}`,
});
export const requestKey = (requestId: string) => ({ pk: `REQUEST#${requestId}`, sk: 'REQUEST' });
export const reviewKey = (reviewId: string) => ({ pk: `REVIEW#${reviewId}`, sk: 'REVIEW' });
export const outboxKey = (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' });

export const accessPartition = (agency: string) => `ACCESS#${agency}`;
export const inboxPartition = (agency: string) => `IN#${agency}`;
export const outboxPartition = (agency: string) => `OUT#${agency}`;
export type DueKind = 'report' | 'request';
export const duePartition = (kind: DueKind, urgency: Urgency) => `DUE#${kind}#${urgency}`;
export const OUTBOX_QUEUE = 'OUTBOX';
export const reviewPartition = (status: 'open' | 'closed') => `REVIEW#${status}`;

export const epochSeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

export function caseItem(record: StoredCase, options: { awaitingFirstAction?: boolean } = {}) {
  const { meta } = record;
  return {
    ...caseKey(meta.caseId),
    type: 'case',
    ...meta,
    createdBy: record.createdBy,
    sections: record.sections,
    ...(record.requestDigest ? { requestDigest: record.requestDigest } : {}),
    gsi1pk: accessPartition(meta.ownerAgency),
    gsi1sk: `${meta.updatedAt}#${meta.caseId}`,
    ...(options.awaitingFirstAction
      ? { gsi4pk: duePartition('report', meta.urgency), gsi4sk: `${meta.createdAt}#${meta.caseId}` }
      : {}),
  };
}

export function metadataOf(item: Record<string, unknown>): CaseMetadata {
  const { caseId, ownerAgency, category, urgency, status, region, createdAt, updatedAt, version } = item;
  return {
    caseId,
    ownerAgency,
    category,
    urgency,
    status,
    region,
    createdAt,
    updatedAt,
    version,
  } as CaseMetadata;
}

export function recordOf(item: Record<string, unknown>): StoredCase {
  const stored = (item.sections ?? {}) as Record<string, Uint8Array>;
  const sections: StoredCase['sections'] = {};
  for (const name of SECTION_NAMES) if (stored[name]) sections[name] = stored[name];
  return {
    meta: metadataOf(item),
    createdBy: String(item.createdBy),
    sections,
    awaitingFirstAction: typeof item.gsi4pk === 'string',
    ...(typeof item.requestDigest === 'string' ? { requestDigest: item.requestDigest } : {}),
  };
}

export function noteItem(note: StoredNote) {
  return {
    pk: casePartition(note.caseId),
    sk: `NOTE#${note.noteId}`,
    type: 'note',
    ...note,
  };
}

export function noteOf(item: Record<string, unknown>): StoredNote {
  return {
    caseId: String(item.caseId),
    noteId: String(item.noteId),
    agency: String(item.agency),
    user: String(item.user),
    kind: item.kind as StoredNote['kind'],
    createdAt: String(item.createdAt),
    ciphertext: item.ciphertext as Uint8Array,
    ...(typeof item.requestDigest === 'string' ? { requestDigest: item.requestDigest } : {}),
  };
}

export function grantItem(grant: StoredGrant) {
  return {
    ...grantKey(grant.caseId, grant.agency, grant.grantId),
    type: 'grant',
    ...grant,
    ttl: epochSeconds(grant.expiresAt),
  };
}

const GRANT_FIELDS = [
  'grantId',
  'caseId',
  'agency',
  'kind',
  'sections',
  'purpose',
  'expiresAt',
  'grantedAt',
  'grantedBy',
  'readOnly',
  'requestId',
  'revokedAt',
  'revokedBy',
] as const;

export function grantOf(item: Record<string, unknown>): StoredGrant {
  return pick(item, GRANT_FIELDS) as unknown as StoredGrant;
}

export const isGrantItem = (item: Record<string, unknown>) => String(item.sk).startsWith('GRANT#');

/** The case in a grantee's listing, with the metadata of the version the change was made on. */
export function listingItem(meta: CaseMetadata, agency: string, expiresAt: string) {
  return {
    ...listingKey(meta.caseId, agency),
    type: 'listing',
    // The metadata fields only, whatever else the object carries.
    ...metadataOf(meta),
    agency,
    expiresAt,
    gsi1pk: accessPartition(agency),
    gsi1sk: `${meta.updatedAt}#${meta.caseId}`,
    ttl: epochSeconds(expiresAt),
  };
}

/** What the agency's access item says, read with `agencyAccessKey` (nothing yet: revision 0). */
export function agencyAccessOf(item: Record<string, unknown> | undefined): AgencyAccess {
  if (!item) return { revision: 0 };
  const { revision, emergencyGrantId, emergencyExpiresAt, revokedAt } = item;
  return {
    revision: typeof revision === 'number' ? revision : 0,
    ...(typeof emergencyGrantId === 'string' && typeof emergencyExpiresAt === 'string'
      ? { emergency: { grantId: emergencyGrantId, expiresAt: emergencyExpiresAt } }
      : {}),
    ...(typeof revokedAt === 'string' ? { revokedAt } : {}),
  };
}

/** The condition that an item is still in `status`: a request still pending, a review still open. */
export function statusCondition(status: string) {
  return {
    ConditionExpression: '#status = :expectedStatus',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':expectedStatus': status },
  };
}

export function requestItem(record: ExchangeRecord) {
  const sortKey = `${record.createdAt}#${record.requestId}`;
  // Due while delivered, pending and not yet escalated.
  const dueUrgency =
    record.delivered && record.status === 'pending' && !record.escalatedAt ? record.urgency : undefined;
  return {
    ...requestKey(record.requestId),
    type: 'request',
    ...record,
    gsi3pk: outboxPartition(record.fromAgency),
    gsi3sk: sortKey,
    ...(record.delivered ? { gsi2pk: inboxPartition(record.toAgency), gsi2sk: sortKey } : {}),
    ...(dueUrgency ? { gsi4pk: duePartition('request', dueUrgency), gsi4sk: sortKey } : {}),
  };
}

const REQUEST_FIELDS = [
  'requestId',
  'kind',
  'caseId',
  'fromAgency',
  'toAgency',
  'requestedBy',
  'sections',
  'purpose',
  'legalBasis',
  'urgency',
  'justification',
  'status',
  'createdAt',
  'expiresAt',
  'decision',
  'withdrawal',
  'escalatedAt',
  'delivered',
  'requestDigest',
] as const;

export function requestOf(item: Record<string, unknown>): ExchangeRecord {
  return pick(item, REQUEST_FIELDS) as unknown as ExchangeRecord;
}

export function reviewItem(review: ReviewRecord) {
  return {
    ...reviewKey(review.reviewId),
    type: 'review',
    ...review,
    gsi5pk: reviewPartition(review.status),
    gsi5sk: `${review.createdAt}#${review.reviewId}`,
  };
}

const REVIEW_FIELDS = Object.keys(ReviewViewSchema.shape) as (keyof ReviewRecord)[];

export function reviewOf(item: Record<string, unknown>): ReviewRecord {
  return pick(item, REVIEW_FIELDS) as unknown as ReviewRecord;
}

/** A domain event in the outbox: `byQueue` keys until it is published. */
export function outboxItem(event: DomainEvent) {
  return {
    ...outboxKey(event.eventId),
    type: 'outbox',
    eventType: event.type,
    caseId: event.caseId,
    time: event.time,
    event,
    gsi4pk: OUTBOX_QUEUE,
    gsi4sk: `${event.time}#${event.eventId}`,
  };
}

function pick(item: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) picked[field] = item[field];
  return picked;
}

import type { StoredCase, StoredGrant, StoredNote } from '../../domain/cases/ports';
import { type CaseMetadata, SECTION_NAMES, type Urgency } from '../../domain/cases/schemas';
import type { DomainEvent } from '../../domain/exchange/events';
import type { AgencyAccess, ExchangeRecord } from '../../domain/exchange/ports';
import type { IndexCandidate, IndexEntry } from '../../domain/matching/ports';
import type { ReviewRecord } from '../../domain/reviews/ports';
import { ReviewViewSchema } from '../../domain/reviews/schemas';

/**
 * The Cases table, item by item. A case is one partition: one Query reads its head, grants and listings
 * (every sort key before `NOTE#`), another a page of its notes; the exchange's requests, compliance
 * reviews and the event outbox have partitions of their own.
 *
 * Case partition `pk = CASE#<caseId>`:
 * - `sk = CASE`: metadata in clear, `sections` (section name → Encryption SDK message), `version`;
 *   `byAgency` keys for the owner's listing; `byQueue` keys `DUE#report#<urgency>` / `<createdAt>#<id>`
 *   until the owner's first action (update, owner's note, share, approval), or until escalated.
 * - `sk = NOTE#<createdAt>#<noteId>`: a note, its text encrypted under the owner's key; the key sorts
 *   notes by time, for paging newest first. `sk = NOTEID#<noteId>` holds the note's key (`noteSk`): the id
 *   alone in a key, so that a retried note with a derived id meets the conditional write.
 *   `sk = NOTECOUNT#<agency>`: how many notes the agency added (`notes`), checked against the cap in the
 *   same transaction. `sk = AUTHORS`: the agencies that added notes (`agencies`, a string set, added to
 *   by each note's transaction), sorted before `NOTE#` so that the Query of the head reads it: a read
 *   skips the Query of the notes when none can be the caller's. Written with the case (`tracked`), so
 *   that a case stored before it existed (no item, or one a later note made, without `tracked`) is read
 *   as "authors unknown", and its notes always queried.
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
 * when delivered (the named agency owns the case: see exchange-service.ts). An undelivered request has
 * the same index keys under partitions nothing lists (`HELD#…`), so that it costs the same index writes.
 * A decision or a withdrawal rewrites the item without the `byQueue` keys: it is no longer due.
 *
 * `pk = OPEN#<fromAgency>#<caseId>`: the requester's pending requests about a case. `sk = SLOT#<digest>`
 * per distinct pending request (`requestId`; the digest of what was asked), `sk = COUNT` their number
 * (`open`). A request takes its slot and counts in the transaction that makes it, and frees both in the
 * one that closes it.
 *
 * `pk = REVIEW#<reviewId>`, `sk = REVIEW`: an item on the compliance review list; `byReview` keys
 * `REVIEW#<status>` / `<createdAt>#<reviewId>`.
 *
 * `pk = ESCALATION#<caseId>#<requester>`, `sk = ESCALATION`: the review of the latest escalation of the
 * requester's overdue requests about the case (`reviewId`). While that review is open, another overdue
 * request of theirs joins it rather than opening one more.
 *
 * `pk = INDEX#<entryId>`, `sk = INDEX`: one blind-index entry of a case's identity (matching): `byToken`
 * keys `TOKEN#<truncated token>` / `<entryId>`, `ownerAgency`, and `sealed` (the case id and the full
 * token, encrypted under the owner's key and bound to the entry id). The entry id is random and no case id
 * is in clear, so neither a case nor a case's other entries can be found from an entry; the case item
 * keeps the ids of its entries encrypted (`indexRefs`), and a write of its identity replaces them in its
 * transaction. See src/domain/matching/case-index.ts.
 *
 * `pk = MATCHES#<agency>`, `sk = MINUTE#<yyyy-mm-ddThh:mm>`: `lookups` the agency made that minute, held
 * under the limit by a conditional update before each lookup; TTL.
 *
 * `pk = OUTBOX#<eventId>`, `sk = OUTBOX`: a domain event, written with the change it announces; `byQueue`
 * keys `OUTBOX` / `<time>#<eventId>` until published (or, `withheld`, settled unpublished), then a TTL.
 * The Cases stream carries its insert to the outbox processor.
 */
export const INDEXES = {
  byAgency: 'byAgency',
  byInbox: 'byInbox',
  byOutbox: 'byOutbox',
  byQueue: 'byQueue',
  byReview: 'byReview',
  byToken: 'byToken',
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
export const escalationKey = (caseId: string, requester: string) => ({
  pk: `ESCALATION#${caseId}#${requester}`,
  sk: 'ESCALATION',
});
export const openRequestsPartition = (fromAgency: string, caseId: string) => `OPEN#${fromAgency}#${caseId}`;
export const openSlotKey = (fromAgency: string, caseId: string, fingerprint: string) => ({
  pk: openRequestsPartition(fromAgency, caseId),
  sk: `SLOT#${fingerprint}`,
});
export const openCountKey = (fromAgency: string, caseId: string) => ({
  pk: openRequestsPartition(fromAgency, caseId),
  sk: 'COUNT',
});

export const indexEntryKey = (entryId: string) => ({ pk: `INDEX#${entryId}`, sk: 'INDEX' });
export const tokenPartition = (key: string) => `TOKEN#${key}`;
export const matchMinuteKey = (agency: string, minute: string) => ({
  pk: `MATCHES#${agency}`,
  sk: `MINUTE#${minute}`,
});

export const accessPartition = (agency: string) => `ACCESS#${agency}`;
export const inboxPartition = (agency: string) => `IN#${agency}`;
export const outboxPartition = (agency: string) => `OUT#${agency}`;
export type DueKind = 'report' | 'request';
export const duePartition = (kind: DueKind, urgency: Urgency) => `DUE#${kind}#${urgency}`;
/** Where an undelivered request is indexed instead of an inbox and the due queue: nothing reads it. */
export const heldPartition = (what: 'inbox' | 'due', key: string) => `HELD#${what}#${key}`;
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
    ...(record.indexRefs ? { indexRefs: record.indexRefs } : {}),
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
    ...(item.indexRefs instanceof Uint8Array ? { indexRefs: item.indexRefs } : {}),
  };
}

/** One blind-index entry: found by its truncated token (`byToken`), nothing in it names its case. */
export function indexEntryItem(entry: IndexEntry) {
  return {
    ...indexEntryKey(entry.entryId),
    type: 'index',
    ownerAgency: entry.ownerAgency,
    sealed: entry.sealed,
    gsi6pk: tokenPartition(entry.key),
    gsi6sk: entry.entryId,
  };
}

export function indexCandidateOf(item: Record<string, unknown>): IndexCandidate {
  return {
    entryId: String(item.gsi6sk),
    ownerAgency: String(item.ownerAgency),
    sealed: item.sealed as Uint8Array,
  };
}

export const NOTE_PREFIX = 'NOTE#';
export const noteSortKey = (note: Pick<StoredNote, 'createdAt' | 'noteId'>) =>
  `${NOTE_PREFIX}${note.createdAt}#${note.noteId}`;
export const noteIdKey = (caseId: string, noteId: string) => ({
  pk: casePartition(caseId),
  sk: `NOTEID#${noteId}`,
});
export const NOTE_AUTHORS_SK = 'AUTHORS';
export const noteAuthorsKey = (caseId: string) => ({ pk: casePartition(caseId), sk: NOTE_AUTHORS_SK });

/** The note authors' item of a new case: none yet, and known from the start. */
export const noteAuthorsItem = (caseId: string) => ({
  ...noteAuthorsKey(caseId),
  type: 'note-authors',
  tracked: true,
});

/** The agencies that added notes, as the head's `AUTHORS` item says; undefined when not known. */
export function noteAuthorsOf(item: Record<string, unknown> | undefined): ReadonlySet<string> | undefined {
  if (item?.tracked !== true) return undefined;
  return item.agencies instanceof Set ? new Set([...item.agencies].map(String)) : new Set();
}

export const noteCountKey = (caseId: string, agency: string) => ({
  pk: casePartition(caseId),
  sk: `NOTECOUNT#${agency}`,
});

export function noteItem(note: StoredNote) {
  return { pk: casePartition(note.caseId), sk: noteSortKey(note), type: 'note', ...note };
}

/** What makes a note's id taken, and finds the note by it. */
export function noteIdItem(note: StoredNote) {
  return { ...noteIdKey(note.caseId, note.noteId), type: 'note-id', noteSk: noteSortKey(note) };
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
  // Due while pending and not yet escalated; an undelivered one is held where nothing reads it.
  const due =
    record.status === 'pending' && !record.escalatedAt && record.urgency ? record.urgency : undefined;
  const inbox = record.delivered ? inboxPartition(record.toAgency) : heldPartition('inbox', record.toAgency);
  const queue = due && (record.delivered ? duePartition('request', due) : heldPartition('due', due));
  return {
    ...requestKey(record.requestId),
    type: 'request',
    ...record,
    gsi3pk: outboxPartition(record.fromAgency),
    gsi3sk: sortKey,
    gsi2pk: inbox,
    gsi2sk: sortKey,
    ...(queue ? { gsi4pk: queue, gsi4sk: sortKey } : {}),
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
  'fingerprint',
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

/** A domain event in the outbox: `byQueue` keys until it is settled. */
export function outboxItem(event: DomainEvent, withheld = false) {
  return {
    ...outboxKey(event.eventId),
    type: 'outbox',
    eventType: event.type,
    caseId: event.caseId,
    time: event.time,
    event,
    withheld,
    gsi4pk: OUTBOX_QUEUE,
    gsi4sk: `${event.time}#${event.eventId}`,
  };
}

function pick(item: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) picked[field] = item[field];
  return picked;
}

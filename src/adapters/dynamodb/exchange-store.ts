import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import { AccessChangedError, CaseGoneError, StoreConditionError } from '../../domain/cases/ports';
import type { Urgency } from '../../domain/cases/schemas';
import type { DomainEvent } from '../../domain/exchange/events';
import {
  type AccessChange,
  AlreadyDecidedError,
  type DueItem,
  EmergencyCapReachedError,
  type Escalation,
  type ExchangeRecord,
  type ExchangeStore,
  type ExchangeWrite,
  GrantChangedError,
  OpenRequestExistsError,
  OpenRequestLimitError,
  type OpenRequestSlot,
  type OutboxEntry,
  RequestExistsError,
} from '../../domain/exchange/ports';
import type { RequestKind, RequestStatus } from '../../domain/exchange/schemas';
import { InvalidCursorError } from '../../domain/paging';
import type { AuditStore } from './audit-store';
import {
  agencyAccessKey,
  agencyAccessOf,
  caseKey,
  duePartition,
  emergencyDayKey,
  epochSeconds,
  escalationKey,
  grantItem,
  grantKey,
  INDEXES,
  inboxPartition,
  listingItem,
  listingKey,
  OUTBOX_QUEUE,
  openCountKey,
  openSlotKey,
  outboxItem,
  outboxKey,
  outboxPartition,
  requestItem,
  requestKey,
  requestOf,
  reviewItem,
  reviewKey,
  statusCondition,
} from './cases-layout';
import { failClosed, failedConditions, isTransactionConflict } from './errors';
import { refreshListing } from './listing-copies';
import { decodeCursor, equalityFilter, queryPage } from './paging';
import { type CasesTable, type TransactItem, writeTransaction } from './transactions';

/** How long a published event stays in the outbox, for whoever needs to trace a notification. */
const PUBLISHED_RETENTION_DAYS = 30;

/** What a failed condition at each position of a transaction means. */
type Failure =
  | 'case'
  | 'agency-access'
  | 'emergency-day'
  | 'new-grant'
  | 'revoked-grant'
  | 'new-request'
  | 'closed-request'
  | 'due'
  | 'open-slot'
  | 'open-count'
  | 'other';

/** A transaction item with what its failed condition would mean. */
interface Entry {
  item: TransactItem;
  failure: Failure;
  /** For the daily count of emergency accesses: when the cap lifts. */
  resetsAt?: string;
}

const BOXES = {
  incoming: { index: INDEXES.byInbox, pk: 'gsi2pk', sk: 'gsi2sk', partition: inboxPartition },
  outgoing: { index: INDEXES.byOutbox, pk: 'gsi3pk', sk: 'gsi3sk', partition: outboxPartition },
} as const;

/** Requests, grants, listings, reviews and the event outbox in the Cases table (see cases-layout.ts). */
export function dynamoDbExchangeStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  audit: AuditStore,
): ExchangeStore {
  const table: CasesTable = { client, tableName, audit };
  return {
    commit: (write) => commitWrite(table, write),
    agencyAccess: (caseId, agency) => agencyAccess(table, caseId, agency),
    getRequest: (requestId) => getRequest(table, requestId),
    findOpenRequest: (fromAgency, caseId, fingerprint) =>
      findOpenRequest(table, fromAgency, caseId, fingerprint),
    listBox: (agency, box, filter, limit, cursor) => listBox(table, agency, box, filter, limit, cursor),
    listDue: (kind, urgency, createdBy, limit) => listDue(table, kind, urgency, createdBy, limit),
    escalate: (item, at, event, escalation) => escalate(table, item, at, event, escalation),
    escalationOf: (caseId, requester) => escalationOf(table, caseId, requester),
    listUnpublished: (writtenBy, limit) => listUnpublished(table, writtenBy, limit),
    markPublished: (eventIds, at) => markPublished(table, eventIds, at),
  };
}

async function agencyAccess(table: CasesTable, caseId: string, agency: string) {
  const result = await failClosed(() =>
    table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: agencyAccessKey(caseId, agency),
        ConsistentRead: true,
      }),
    ),
  );
  return agencyAccessOf(result.Item);
}

/** Runs the transaction, failing closed, and throws the domain's reading of a failed condition. */
async function transact(table: CasesTable, entries: Entry[]): Promise<void> {
  const items = entries.map((entry) => entry.item);
  await failClosed(async () => {
    try {
      await writeTransaction(table.client, items);
    } catch (error) {
      throw refusalOf(error, entries);
    }
  });
}

function refusalOf(error: unknown, entries: Entry[]): unknown {
  // Another transaction on the same items at the same moment: as good as a change, read again.
  if (isTransactionConflict(error)) return new AccessChangedError();
  const failed = failedConditions(error);
  if (!failed) return error;
  const reasons = failed.map((f) => ({ failure: entries[f.index]?.failure ?? 'other', item: f.item }));
  const head = reasons.find((reason) => reason.failure === 'case');
  if (head) return head.item ? new AccessChangedError() : new CaseGoneError();
  const failedAs = (...failures: Failure[]) => reasons.some((reason) => failures.includes(reason.failure));
  if (failedAs('agency-access')) return new AccessChangedError();
  const day = entries.find((entry) => entry.failure === 'emergency-day');
  if (day && failedAs('emergency-day')) return new EmergencyCapReachedError(day.resetsAt ?? '');
  if (failedAs('due')) return new NoLongerDueError();
  if (failedAs('new-request', 'new-grant')) return new RequestExistsError();
  if (failedAs('open-slot')) return new OpenRequestExistsError();
  if (failedAs('open-count')) return new OpenRequestLimitError();
  if (failedAs('closed-request')) return new AlreadyDecidedError();
  if (failedAs('revoked-grant')) return new GrantChangedError();
  return error;
}

function put(tableName: string, Item: Record<string, unknown>, ConditionExpression?: string): TransactItem {
  return { Put: { TableName: tableName, Item, ...(ConditionExpression ? { ConditionExpression } : {}) } };
}

/** A Put on the condition that the item is new. */
function putNew(tableName: string, item: Record<string, unknown>): TransactItem {
  return put(tableName, item, 'attribute_not_exists(pk)');
}

async function commitWrite(table: CasesTable, write: ExchangeWrite) {
  const { tableName } = table;
  const entries: Entry[] = write.access ? accessEntries(tableName, write.access) : [];
  if (write.newRequest) {
    entries.push({ failure: 'new-request', item: putNew(tableName, requestItem(write.newRequest)) });
  }
  if (write.closedRequest) {
    entries.push({ failure: 'closed-request', item: closingPut(tableName, write.closedRequest) });
  }
  if (write.newReview) {
    entries.push({ failure: 'other', item: putNew(tableName, reviewItem(write.newReview)) });
  }
  if (write.takesSlot) entries.push(...slotTaking(tableName, write.takesSlot.slot, write.takesSlot.max));
  if (write.freesSlot) entries.push(...slotFreeing(tableName, write.freesSlot));
  entries.push({ failure: 'other', item: table.audit.putItem(write.event) });
  entries.push(...noticeEntries(tableName, write.notices));
  entries.push(...noticeEntries(tableName, write.withheld ?? [], true));
  await transact(table, entries);
  // A new or extended listing entry takes the case's metadata as it stands now (see listing-copies.ts);
  // the change itself stands and is answered even if this fails.
  if (write.access?.listedUntil) {
    await refreshListing(table, write.access.meta.caseId, write.access.agency).catch(() => undefined);
  }
}

/** The slot, if no identical request holds it, and one more open request, if fewer than `max` are. */
function slotTaking(tableName: string, slot: OpenRequestSlot, max: number): Entry[] {
  const { fromAgency, caseId, fingerprint, requestId } = slot;
  const item = { ...openSlotKey(fromAgency, caseId, fingerprint), type: 'open-slot', requestId };
  const count: TransactItem = {
    Update: {
      TableName: tableName,
      Key: openCountKey(fromAgency, caseId),
      UpdateExpression: 'SET #open = if_not_exists(#open, :zero) + :one',
      ConditionExpression: 'attribute_not_exists(#open) OR #open < :max',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max },
    },
  };
  return [
    { failure: 'open-slot', item: putNew(tableName, item) },
    { failure: 'open-count', item: count },
  ];
}

function slotFreeing(tableName: string, slot: OpenRequestSlot): Entry[] {
  const { fromAgency, caseId, fingerprint } = slot;
  const count: TransactItem = {
    Update: {
      TableName: tableName,
      Key: openCountKey(fromAgency, caseId),
      UpdateExpression: 'SET #open = #open - :one',
      ConditionExpression: '#open > :zero',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
    },
  };
  return [
    {
      failure: 'other',
      item: { Delete: { TableName: tableName, Key: openSlotKey(fromAgency, caseId, fingerprint) } },
    },
    { failure: 'other', item: count },
  ];
}

async function findOpenRequest(table: CasesTable, fromAgency: string, caseId: string, fingerprint: string) {
  const result = await failClosed(() =>
    table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: openSlotKey(fromAgency, caseId, fingerprint),
        ConsistentRead: true,
      }),
    ),
  );
  return typeof result.Item?.requestId === 'string' ? result.Item.requestId : undefined;
}

/**
 * The agency's access revision moves on, the grants change, and the grantee's listing follows; an
 * emergency grant is also counted against the agency's day. The case item is written only for the
 * owner's first act on a new report.
 */
function accessEntries(tableName: string, access: AccessChange): Entry[] {
  return [
    ...(access.firstAction ? [{ failure: 'case' as const, item: firstActionUpdate(tableName, access) }] : []),
    { failure: 'agency-access', item: agencyAccessUpdate(tableName, access) },
    ...(access.emergency
      ? [
          {
            failure: 'emergency-day' as const,
            item: emergencyDayCount(tableName, access.agency, access.emergency),
            resetsAt: access.emergency.dayEndsAt,
          },
        ]
      : []),
    ...(access.grantsToAdd ?? []).map(
      (grant): Entry => ({ failure: 'new-grant', item: putNew(tableName, grantItem(grant)) }),
    ),
    ...(access.grantsToRevoke ?? []).map(
      (revocation): Entry => ({ failure: 'revoked-grant', item: grantRevocation(tableName, revocation) }),
    ),
    {
      failure: 'other',
      item: access.listedUntil
        ? put(tableName, listingItem(access.meta, access.agency, access.listedUntil))
        : { Delete: { TableName: tableName, Key: listingKey(access.meta.caseId, access.agency) } },
    },
  ];
}

/** The owner's first act on a new report meets its first-action deadline: off the due queue. */
function firstActionUpdate(tableName: string, access: AccessChange): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: caseKey(access.meta.caseId),
      UpdateExpression: 'REMOVE gsi4pk, gsi4sk',
      ConditionExpression: 'attribute_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The agency's access item, on the condition that no other change of its access landed since it was
 * read: so of parallel emergency accesses exactly one is written, and the others read it and are told.
 */
function agencyAccessUpdate(tableName: string, access: AccessChange): TransactItem {
  const sets = ['revision = :next'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':next': access.expectedRevision + 1 };
  if (access.emergency) {
    sets.push('emergencyGrantId = :grantId', 'emergencyExpiresAt = :expiresAt');
    values[':grantId'] = access.emergency.grantId;
    values[':expiresAt'] = access.emergency.expiresAt;
  }
  if (access.revokedAt) {
    sets.push('revokedAt = :revokedAt');
    removes.push('emergencyGrantId', 'emergencyExpiresAt');
    values[':revokedAt'] = access.revokedAt;
  }
  const unchanged = access.expectedRevision === 0 ? 'attribute_not_exists(revision)' : 'revision = :expected';
  if (access.expectedRevision !== 0) values[':expected'] = access.expectedRevision;
  return {
    Update: {
      TableName: tableName,
      Key: agencyAccessKey(access.meta.caseId, access.agency),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: unchanged,
      ExpressionAttributeValues: values,
    },
  };
}

/** One more emergency access of the agency on its UTC day, only while under the cap. */
function emergencyDayCount(
  tableName: string,
  agency: string,
  emergency: NonNullable<AccessChange['emergency']>,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: emergencyDayKey(agency, emergency.day),
      UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':cap': emergency.dailyCap,
        // Kept a week past its day, for whoever traces an alarm.
        ':ttl': epochSeconds(emergency.dayEndsAt) + 7 * 24 * 60 * 60,
      },
    },
  };
}

function grantRevocation(
  tableName: string,
  { grant, revokedAt, revokedBy }: NonNullable<AccessChange['grantsToRevoke']>[number],
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: grantKey(grant.caseId, grant.agency, grant.grantId),
      UpdateExpression: 'SET revokedAt = :revokedAt, revokedBy = :revokedBy',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: { ':revokedAt': revokedAt, ':revokedBy': revokedBy },
    },
  };
}

/**
 * The decided or withdrawn request, only if it is still pending. No longer pending, it leaves the due
 * queue (see `requestItem`), so the deadline sweep no longer finds it.
 */
function closingPut(tableName: string, closed: ExchangeRecord): TransactItem {
  return { Put: { TableName: tableName, Item: requestItem(closed), ...statusCondition('pending') } };
}

function noticeEntries(tableName: string, notices: readonly DomainEvent[], withheld = false): Entry[] {
  return notices.map((notice) => ({
    failure: 'other',
    item: putNew(tableName, outboxItem(notice, withheld)),
  }));
}

async function getRequest(table: CasesTable, requestId: string) {
  const result = await failClosed(() =>
    table.client.send(
      new GetCommand({ TableName: table.tableName, Key: requestKey(requestId), ConsistentRead: true }),
    ),
  );
  return result.Item ? requestOf(result.Item) : undefined;
}

/** Newest first; status and kind are filtered by DynamoDB after the key condition. */
async function listBox(
  table: CasesTable,
  agency: string,
  box: keyof typeof BOXES,
  filter: { status?: RequestStatus | undefined; kind?: RequestKind | undefined },
  limit: number,
  cursor: string | undefined,
) {
  const spec = BOXES[box];
  const partition = spec.partition(agency);
  const startKey = decodeCursor(cursor, ['pk', 'sk', spec.pk, spec.sk], { [spec.pk]: partition });
  if (startKey === null) throw new InvalidCursorError();
  const equal = equalityFilter(filter, ['status', 'kind']);
  return queryPage(
    table.client,
    {
      TableName: table.tableName,
      IndexName: spec.index,
      KeyConditionExpression: '#p = :p',
      ...(equal.expression ? { FilterExpression: equal.expression } : {}),
      ExpressionAttributeNames: { '#p': spec.pk, ...equal.names },
      ExpressionAttributeValues: { ':p': partition, ...equal.values },
      ScanIndexForward: false,
    },
    limit,
    startKey,
    requestOf,
  );
}

/** Oldest first: the items of a `byQueue` partition whose time is at or before `until`, up to `limit`. */
async function queryQueue(table: CasesTable, partition: string, until: string, limit: number) {
  const page = await queryPage(
    table.client,
    {
      TableName: table.tableName,
      IndexName: INDEXES.byQueue,
      KeyConditionExpression: 'gsi4pk = :p AND gsi4sk <= :bound',
      ExpressionAttributeValues: { ':p': partition, ':bound': `${until}#\uffff` },
    },
    limit,
    undefined,
    (item) => item,
  );
  return page.items;
}

async function listDue(
  table: CasesTable,
  kind: DueItem['kind'],
  urgency: Urgency,
  createdBy: string,
  limit: number,
) {
  const items = await queryQueue(table, duePartition(kind, urgency), createdBy, limit);
  return items.map(
    (item): DueItem => ({
      kind,
      id: String(kind === 'report' ? item.caseId : item.requestId),
      caseId: String(item.caseId),
      agency: String(kind === 'report' ? item.ownerAgency : item.toAgency),
      ...(kind === 'request' && typeof item.fromAgency === 'string' ? { requester: item.fromAgency } : {}),
      urgency,
      createdAt: String(item.createdAt),
    }),
  );
}

async function escalate(
  table: CasesTable,
  item: DueItem,
  at: string,
  event: AuditEvent,
  escalation: Escalation,
) {
  try {
    await transact(table, [
      { failure: 'due', item: dueEscalation(table.tableName, item, at) },
      ...escalationEntries(table.tableName, item, escalation),
      { failure: 'other', item: table.audit.putItem(event) },
    ]);
    return true;
  } catch (error) {
    // Acted on meanwhile, or in a transaction at the same moment: the next sweep looks again.
    if (error instanceof NoLongerDueError || error instanceof AccessChangedError) return false;
    throw error;
  }
}

/**
 * A new escalation: its review, its notices and, for a request, the requester's escalation slot of the
 * case, if it is still as read. Joining one: only the check that it is still open.
 */
function escalationEntries(tableName: string, item: DueItem, escalation: Escalation): Entry[] {
  if ('joins' in escalation) {
    const check = { TableName: tableName, Key: reviewKey(escalation.joins), ...statusCondition('open') };
    return [{ failure: 'due', item: { ConditionCheck: check } }];
  }
  const entries: Entry[] = [
    { failure: 'other', item: putNew(tableName, reviewItem(escalation.review)) },
    ...noticeEntries(tableName, escalation.notices),
  ];
  if (item.requester) {
    const slot = {
      ...escalationKey(item.caseId, item.requester),
      type: 'escalation',
      reviewId: escalation.review.reviewId,
    };
    const replaced = escalation.replaces
      ? {
          ConditionExpression: 'reviewId = :replaced',
          ExpressionAttributeValues: { ':replaced': escalation.replaces },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    entries.push({ failure: 'due', item: { Put: { TableName: tableName, Item: slot, ...replaced } } });
  }
  return entries;
}

async function escalationOf(table: CasesTable, caseId: string, requester: string) {
  const slot = await getItem(table, escalationKey(caseId, requester));
  if (typeof slot?.reviewId !== 'string') return undefined;
  const review = await getItem(table, reviewKey(slot.reviewId));
  return { reviewId: slot.reviewId, open: review?.status === 'open' };
}

async function getItem(table: CasesTable, key: Record<string, string>) {
  const result = await failClosed(() =>
    table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true })),
  );
  return result.Item;
}

/** Marks the item escalated and takes it off its queue, only if it is still due. */
function dueEscalation(tableName: string, item: DueItem, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: item.kind === 'report' ? caseKey(item.caseId) : requestKey(item.id),
      UpdateExpression: 'SET escalatedAt = :at REMOVE gsi4pk, gsi4sk',
      ConditionExpression: 'gsi4pk = :p AND gsi4sk = :sk',
      ExpressionAttributeValues: {
        ':at': at,
        ':p': duePartition(item.kind, item.urgency),
        ':sk': `${item.createdAt}#${item.id}`,
      },
    },
  };
}

async function listUnpublished(table: CasesTable, writtenBy: string, limit: number) {
  const items = await queryQueue(table, OUTBOX_QUEUE, writtenBy, limit);
  return items.map(
    (item): OutboxEntry => ({ event: item.event as DomainEvent, withheld: item.withheld === true }),
  );
}

/** The outbox alone, as the outbox processor settles it (it writes no audit event). */
export function dynamoDbOutbox(client: DynamoDBDocumentClient, tableName: string) {
  return {
    markPublished: (eventIds: readonly string[], at: string) =>
      markPublished({ client, tableName }, eventIds, at),
  };
}

async function markPublished(
  table: Pick<CasesTable, 'client' | 'tableName'>,
  eventIds: readonly string[],
  at: string,
) {
  const ttl = epochSeconds(at) + PUBLISHED_RETENTION_DAYS * 24 * 60 * 60;
  await failClosed(() =>
    Promise.all(
      eventIds.map((eventId) =>
        table.client.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: outboxKey(eventId),
            UpdateExpression: 'SET publishedAt = :at, #ttl = :ttl REMOVE gsi4pk, gsi4sk',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':at': at, ':ttl': ttl },
          }),
        ),
      ),
    ),
  );
}

/** The item was acted on, or escalated by another sweep, since it was listed. */
class NoLongerDueError extends StoreConditionError {
  constructor() {
    super('the item is no longer due');
    this.name = 'NoLongerDueError';
  }
}

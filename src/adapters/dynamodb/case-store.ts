import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import {
  AccessChangedError,
  CaseExistsError,
  type CaseFilter,
  CaseGoneError,
  type CaseStore,
  NoteLimitError,
  type NotePage,
  StaleVersionError,
  type StoredCase,
  type StoredNote,
} from '../../domain/cases/ports';
import type { IndexChange } from '../../domain/matching/ports';
import { InvalidCursorError } from '../../domain/paging';
import type { AuditStore } from './audit-store';
import {
  accessPartition,
  CASE_SK,
  caseItem,
  caseKey,
  casePartition,
  grantOf,
  INDEXES,
  indexEntryItem,
  indexEntryKey,
  isGrantItem,
  metadataOf,
  NOTE_AUTHORS_SK,
  NOTE_PREFIX,
  noteAuthorsItem,
  noteAuthorsKey,
  noteAuthorsOf,
  noteCountKey,
  noteIdItem,
  noteIdKey,
  noteItem,
  noteOf,
  recordOf,
} from './cases-layout';
import { failClosed, failedConditions, isTransactionConflict } from './errors';
import { refreshListings } from './listing-copies';
import { decodeCursor, encodeCursor, equalityFilter, queryPage } from './paging';
import { type CasesTable, type TransactItem, writeAudited, writeTransaction } from './transactions';

/** Cases, notes and grants in the Cases table; the layout is described in cases-layout.ts. */
export function dynamoDbCaseStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  audit: AuditStore,
): CaseStore {
  const table: CasesTable = { client, tableName, audit };
  return {
    get: (caseId) => readCase(table, caseId),
    ownerOf: (caseId) => ownerOf(table, caseId),
    create: (record, event, index) => createCase(table, record, event, index),
    update: (record, expectedVersion, event, index) =>
      updateCase(table, record, expectedVersion, event, index),
    addNote: (note, event, options) => addNote(table, note, event, options),
    listNotes: (caseId, filter, limit, cursor) => listNotes(table, caseId, filter, limit, cursor),
    getNote: (caseId, noteId) => getNote(table, caseId, noteId),
    listVisibleTo: (agency, filter, limit, cursor, now) =>
      listVisibleTo(table, agency, filter, limit, cursor, now),
  };
}

async function readCase(table: CasesTable, caseId: string) {
  const items = await readHead(table, casePartition(caseId));
  const head = items.find((item) => item.sk === CASE_SK);
  if (!head) return undefined;
  const noteAuthors = noteAuthorsOf(items.find((item) => item.sk === NOTE_AUTHORS_SK));
  return {
    record: recordOf(head),
    grants: items.filter(isGrantItem).map(grantOf),
    ...(noteAuthors ? { noteAuthors } : {}),
  };
}

async function ownerOf(table: CasesTable, caseId: string) {
  const result = await failClosed(() =>
    table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: caseKey(caseId),
        ProjectionExpression: 'ownerAgency',
        ConsistentRead: true,
      }),
    ),
  );
  return typeof result.Item?.ownerAgency === 'string' ? result.Item.ownerAgency : undefined;
}

/** The items of a case partition before its notes (head, grants, listings), strongly consistent. */
async function readHead(table: CasesTable, partition: string) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await failClosed(() =>
      table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk AND sk < :notes',
          ExpressionAttributeValues: { ':pk': partition, ':notes': NOTE_PREFIX },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

async function createCase(table: CasesTable, record: StoredCase, event: AuditEvent, index?: IndexChange) {
  const put = {
    Put: {
      TableName: table.tableName,
      Item: caseItem(record, { awaitingFirstAction: true }),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const authors: TransactItem = {
    Put: { TableName: table.tableName, Item: noteAuthorsItem(record.meta.caseId) },
  };
  await writeAudited(table, [put, ...indexWrites(table.tableName, index), authors], event, [CaseExistsError]);
}

/** The blind-index entries a case write adds and removes, in its transaction (after the case item). */
function indexWrites(tableName: string, index: IndexChange | undefined): TransactItem[] {
  if (!index) return [];
  return [
    ...index.remove.map(
      (entryId): TransactItem => ({ Delete: { TableName: tableName, Key: indexEntryKey(entryId) } }),
    ),
    ...index.put.map(
      (entry): TransactItem => ({ Put: { TableName: tableName, Item: indexEntryItem(entry) } }),
    ),
  ];
}

// The Put leaves out the first-action deadline: an update is the owner's action on the report.
async function updateCase(
  table: CasesTable,
  record: StoredCase,
  expectedVersion: number,
  event: AuditEvent,
  index?: IndexChange,
) {
  const put: TransactItem = {
    Put: {
      TableName: table.tableName,
      Item: caseItem(record),
      ConditionExpression: 'attribute_exists(pk) AND #version = :expectedVersion',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  await failClosed(async () => {
    try {
      const items = [put, ...indexWrites(table.tableName, index), table.audit.putItem(event)];
      await writeTransaction(table.client, items);
    } catch (error) {
      throw refusalOfUpdate(error);
    }
  });
  // Committed: the grantees' listing copies follow. One left behind (DynamoDB failing now) catches up
  // with the next update; the update itself stands and is answered.
  await refreshListings(table, record.meta).catch(() => undefined);
}

/** The domain's reading of a failed update (the case Put first, then the audit event). */
function refusalOfUpdate(error: unknown): unknown {
  // Another write held the case at the same moment (a note, the deadline sweep): read it again.
  if (isTransactionConflict(error)) return new AccessChangedError();
  const head = failedConditions(error)?.find((c) => c.index === 0);
  if (!head) return error;
  return head.item ? new StaleVersionError() : new CaseGoneError();
}

/** The note, its id, and one more to its agency's count: only on an existing case, a new id, under the cap. */
async function addNote(
  table: CasesTable,
  note: StoredNote,
  event: AuditEvent,
  options: { byOwner?: boolean; maxPerAgency?: number } = {},
) {
  const putNew = (Item: Record<string, unknown>): TransactItem => ({
    Put: { TableName: table.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const count: TransactItem = {
    Update: {
      TableName: table.tableName,
      Key: noteCountKey(note.caseId, note.agency),
      UpdateExpression: 'SET notes = if_not_exists(notes, :zero) + :one',
      ...(options.maxPerAgency !== undefined
        ? { ConditionExpression: 'attribute_not_exists(notes) OR notes < :max' }
        : {}),
      ExpressionAttributeValues: {
        ':zero': 0,
        ':one': 1,
        ...(options.maxPerAgency !== undefined ? { ':max': options.maxPerAgency } : {}),
      },
    },
  };
  // A string set: adding an agency twice keeps it once. On a case from before `AUTHORS` existed this
  // makes the item without `tracked`, which still reads as "authors unknown".
  const author: TransactItem = {
    Update: {
      TableName: table.tableName,
      Key: noteAuthorsKey(note.caseId),
      UpdateExpression: 'ADD agencies :agency',
      ExpressionAttributeValues: { ':agency': new Set([note.agency]) },
    },
  };
  const items = [
    caseCheck(table.tableName, note.caseId, options.byOwner),
    putNew(noteIdItem(note)),
    putNew(noteItem(note)),
    count,
    author,
  ];
  await writeAudited(table, items, event, [CaseGoneError, CaseExistsError, CaseExistsError, NoteLimitError]);
}

/**
 * Newest first. One more note than asked is read, so that a cursor is handed out only when older notes
 * follow; it is the key of the last note returned.
 */
async function listNotes(
  table: CasesTable,
  caseId: string,
  filter: { agency?: string | undefined },
  limit: number,
  cursor: string | undefined,
): Promise<NotePage> {
  const partition = casePartition(caseId);
  const startKey = decodeCursor(cursor, ['pk', 'sk'], { pk: partition });
  if (startKey === null || (startKey && !startKey.sk?.startsWith(NOTE_PREFIX)))
    throw new InvalidCursorError();
  const byAgency = filter.agency !== undefined;
  const page = await queryPage(
    table.client,
    {
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :notes)',
      ...(byAgency ? { FilterExpression: 'agency = :agency' } : {}),
      ExpressionAttributeValues: {
        ':pk': partition,
        ':notes': NOTE_PREFIX,
        ...(byAgency ? { ':agency': filter.agency } : {}),
      },
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    limit + 1,
    startKey,
    (item) => item,
  );
  const items = page.items.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    page.items.length > limit && last ? encodeCursor({ pk: last.pk, sk: last.sk }) : undefined;
  return { items: items.map(noteOf), ...(nextCursor ? { nextCursor } : {}) };
}

async function getNote(table: CasesTable, caseId: string, noteId: string) {
  const get = (Key: Record<string, unknown>) =>
    failClosed(() =>
      table.client.send(new GetCommand({ TableName: table.tableName, Key, ConsistentRead: true })),
    );
  const marker = (await get(noteIdKey(caseId, noteId))).Item;
  if (typeof marker?.noteSk !== 'string') return undefined;
  const note = (await get({ pk: casePartition(caseId), sk: marker.noteSk })).Item;
  return note ? noteOf(note) : undefined;
}

/** The condition that the case exists; the owner's note is also its first action, meeting the deadline. */
function caseCheck(tableName: string, caseId: string, byOwner = false): TransactItem {
  const exists = { TableName: tableName, Key: caseKey(caseId), ConditionExpression: 'attribute_exists(pk)' };
  return byOwner
    ? { Update: { ...exists, UpdateExpression: 'REMOVE gsi4pk, gsi4sk' } }
    : { ConditionCheck: exists };
}

/**
 * Newest first: the agency's own cases and its listing entries of shared cases. An entry whose grants
 * have all expired is filtered out at once (TTL removes it later). Other filters are applied by
 * DynamoDB after the key condition.
 */
async function listVisibleTo(
  table: CasesTable,
  agency: string,
  filter: CaseFilter,
  limit: number,
  cursor: string | undefined,
  now: Date,
) {
  const partition = accessPartition(agency);
  const startKey = decodeCursor(cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], { gsi1pk: partition });
  if (startKey === null) throw new InvalidCursorError();
  const equal = equalityFilter(filter, ['status', 'urgency', 'category']);
  const values: Record<string, unknown> = { ':p': partition, ':now': now.toISOString(), ...equal.values };
  let keyCondition = 'gsi1pk = :p';
  if (filter.updatedSince) {
    keyCondition += ' AND gsi1sk >= :since';
    values[':since'] = filter.updatedSince;
  }
  const live = '(attribute_not_exists(#expiresAt) OR #expiresAt > :now)';
  return queryPage(
    table.client,
    {
      TableName: table.tableName,
      IndexName: INDEXES.byAgency,
      KeyConditionExpression: keyCondition,
      FilterExpression: equal.expression ? `${live} AND ${equal.expression}` : live,
      ExpressionAttributeNames: { '#expiresAt': 'expiresAt', ...equal.names },
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
    limit,
    startKey,
    metadataOf,
  );
}

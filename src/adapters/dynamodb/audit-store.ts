import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import { OUTCOME_CLASSES, type OutcomeClass } from '../../domain/audit/outcomes';
import { InvalidCursorError } from '../../domain/paging';
import { failClosed, writeOrUnknown } from './errors';
import { decodeCursor, equalityFilter, queryPage } from './paging';

/**
 * AuditLog items: `pk = EVENT#<eventId>`, `sk = EVENT`, the event's fields, and two index keys:
 * `byTime` (`gsi1pk = LOG`, `gsi1sk = <time>#<eventId>`) and `byCase` (`gsi2pk = CASE#<id>`, same sort).
 * The one `LOG` partition keeps listing in time order simple; at thousands of events a second it would
 * need sharding by day.
 */
export const LOG_PARTITION = 'LOG';

export const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' });

export function auditItem(event: AuditEvent): Record<string, unknown> {
  const sortKey = `${event.time}#${event.eventId}`;
  return {
    ...eventKey(event.eventId),
    ...event,
    gsi1pk: LOG_PARTITION,
    gsi1sk: sortKey,
    ...(event.caseId ? { gsi2pk: `CASE#${event.caseId}`, gsi2sk: sortKey } : {}),
  };
}

const EVENT_FIELDS = [
  'eventId',
  'time',
  'agency',
  'clientId',
  'user',
  'action',
  'resource',
  'caseId',
  'purpose',
  'grantIds',
  'outcome',
  'requestId',
  'sourceIp',
  'disposition',
  'leafIndex',
] as const;
const EVENT_FIELD_NAMES = Object.fromEntries(EVENT_FIELDS.map((field) => [`#e_${field}`, field]));
const EVENT_PROJECTION = Object.keys(EVENT_FIELD_NAMES).join(', ');

export function eventFromItem(item: Record<string, unknown>): AuditEvent {
  const event: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) if (item[field] !== undefined) event[field] = item[field];
  return event as AuditEvent;
}

export interface AuditFilter {
  caseId?: string | undefined;
  agency?: string | undefined;
  user?: string | undefined;
  action?: string | undefined;
  outcome?: OutcomeClass | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditStore {
  /**
   * Writes one event on its own (reads and refusals): `DependencyUnavailableError` if it cannot,
   * `WriteOutcomeUnknownError` if it may have been written without DynamoDB saying so.
   */
  record(event: AuditEvent): Promise<void>;
  /** As `record`, for an event that may be delivered again: one already written under its id is kept. */
  recordOnce(event: AuditEvent): Promise<void>;
  /** The Put of an event, for a transaction that also writes the data it records. */
  putItem(event: AuditEvent): {
    Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string };
  };
  list(
    filter: AuditFilter,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }>;
}

/** The filter of a listing: equal agency, user and action, and the outcome class's status range. */
function eventFilter(filter: AuditFilter) {
  const equal = equalityFilter(filter, ['agency', 'user', 'action']);
  if (filter.outcome === undefined) return equal;
  const { from, to } = OUTCOME_CLASSES[filter.outcome];
  const range = '#outcome BETWEEN :outcomeFrom AND :outcomeTo';
  return {
    names: { ...equal.names, '#outcome': 'outcome' },
    values: { ...equal.values, ':outcomeFrom': from, ':outcomeTo': to },
    expression: equal.expression ? `${equal.expression} AND ${range}` : range,
  };
}

/**
 * Whether a Put of a fresh event failed its condition only because an earlier attempt of the same call
 * landed: the SDK retried after an attempt whose answer was lost (a timeout after sending). The event id
 * is random, so nothing else can hold it; the event is written, and saying 503 would be untrue.
 */
function isOwnEarlierAttempt(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { attempts?: number } } | undefined;
  return failure?.name === 'ConditionalCheckFailedException' && (failure.$metadata?.attempts ?? 1) > 1;
}

export function dynamoDbAuditStore(client: DynamoDBDocumentClient, tableName: string): AuditStore {
  const putItem = (event: AuditEvent) => ({
    Put: { TableName: tableName, Item: auditItem(event), ConditionExpression: 'attribute_not_exists(pk)' },
  });
  /** Puts an event; a failed condition that `alreadyWritten` explains means the event is there. */
  const put = (event: AuditEvent, alreadyWritten: (error: unknown) => boolean) =>
    failClosed(() =>
      writeOrUnknown(() =>
        client.send(new PutCommand(putItem(event).Put)).catch((error: unknown) => {
          if (alreadyWritten(error)) return undefined;
          throw error;
        }),
      ),
    );
  return {
    putItem,
    async record(event) {
      await put(event, isOwnEarlierAttempt);
    },

    async recordOnce(event) {
      await put(event, (error) => (error as Error)?.name === 'ConditionalCheckFailedException');
    },

    /** Oldest first, as a log is read. A cursor that does not belong to this listing is refused. */
    async list(filter, limit, cursor) {
      const byCase = filter.caseId !== undefined;
      const [pkName, skName, indexName, partition] = byCase
        ? ['gsi2pk', 'gsi2sk', 'byCase', `CASE#${filter.caseId}`]
        : ['gsi1pk', 'gsi1sk', 'byTime', LOG_PARTITION];
      const startKey = decodeCursor(cursor, ['pk', 'sk', pkName, skName], { [pkName]: partition });
      if (startKey === null) throw new InvalidCursorError();

      const matching = eventFilter(filter);
      return queryPage(
        client,
        {
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: '#p = :p AND #s BETWEEN :from AND :to',
          ...(matching.expression ? { FilterExpression: matching.expression } : {}),
          // Only the event's own fields: the keys of the item and its indexes are a third of each item,
          // which a verifier listing the whole log would otherwise have read and decoded for nothing.
          ProjectionExpression: EVENT_PROJECTION,
          ExpressionAttributeNames: { '#p': pkName, '#s': skName, ...matching.names, ...EVENT_FIELD_NAMES },
          ExpressionAttributeValues: {
            ':p': partition,
            ':from': filter.from ?? '0',
            ':to': `${filter.to ?? '9999'}\uffff`,
            ...matching.values,
          },
        },
        limit,
        startKey,
        eventFromItem,
      );
    },
  };
}

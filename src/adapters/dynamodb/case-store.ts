import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import {
  AccessChangedError,
  CaseExistsError,
  CaseGoneError,
  type CaseStore,
  StaleVersionError,
} from '../../domain/cases/ports';
import type { CaseMetadata } from '../../domain/cases/schemas';
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
  isGrantItem,
  listingKey,
  metadataOf,
  noteItem,
  noteOf,
  recordOf,
  unchangedCaseCondition,
} from './cases-layout';
import { failClosed, failedConditions, isTransactionConflict } from './errors';
import { decodeCursor, equalityFilter, queryPage } from './paging';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Cases, notes and grants in the Cases table; the layout is described in cases-layout.ts. */
export function dynamoDbCaseStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  audit: AuditStore,
): CaseStore {
  const transact = async (items: TransactItems) =>
    client.send(new TransactWriteCommand({ TransactItems: items }));

  return {
    async get(caseId) {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await failClosed(() =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': casePartition(caseId) },
              ConsistentRead: true,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      const head = items.find((item) => item.sk === CASE_SK);
      if (!head) return undefined;
      return {
        record: recordOf(head),
        notes: items
          .filter((item) => String(item.sk).startsWith('NOTE#'))
          .map(noteOf)
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.noteId.localeCompare(b.noteId)),
        grants: items.filter(isGrantItem).map(grantOf),
      };
    },

    async create(record, event) {
      await failClosed(async () => {
        try {
          await transact([
            {
              Put: {
                TableName: tableName,
                Item: caseItem(record, { awaitingFirstAction: true }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            audit.putItem(event),
          ]);
        } catch (error) {
          if (failedConditions(error)?.some((c) => c.index === 0)) throw new CaseExistsError();
          throw error;
        }
      });
    },

    // The Put leaves out the first-action deadline: an update is the owner's action on the report.
    async update(record, expectedVersion, event: AuditEvent, listedFor = []) {
      const unchanged = unchangedCaseCondition(expectedVersion, record.accessRevision ?? 0);
      const listings: TransactItems = listedFor.map((agency) => ({
        Update: {
          TableName: tableName,
          Key: listingKey(record.meta.caseId, agency),
          ...listingCopyOf(record.meta),
        },
      }));
      await failClosed(async () => {
        try {
          await transact([
            {
              Put: {
                TableName: tableName,
                Item: caseItem(record),
                ConditionExpression: unchanged.ConditionExpression,
                ExpressionAttributeNames: unchanged.names,
                ExpressionAttributeValues: unchanged.values,
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            audit.putItem(event),
            ...listings,
          ]);
        } catch (error) {
          // Another write to the case at the same moment: read it again (a stale version then says 412).
          if (isTransactionConflict(error)) throw new AccessChangedError();
          const failures = failedConditions(error);
          if (!failures) throw error;
          const head = failures.find((c) => c.index === 0);
          if (!head) throw new AccessChangedError(); // a listing entry went away: read again
          if (!head.item) throw new CaseGoneError();
          throw numberOf(head.item.version) === expectedVersion
            ? new AccessChangedError()
            : new StaleVersionError();
        }
      });
    },

    async addNote(note, event, options = {}) {
      await failClosed(async () => {
        try {
          await transact([
            options.byOwner
              ? {
                  // The owner's note is its first action on the report: the deadline is met.
                  Update: {
                    TableName: tableName,
                    Key: caseKey(note.caseId),
                    UpdateExpression: 'REMOVE gsi4pk, gsi4sk',
                    ConditionExpression: 'attribute_exists(pk)',
                  },
                }
              : {
                  ConditionCheck: {
                    TableName: tableName,
                    Key: caseKey(note.caseId),
                    ConditionExpression: 'attribute_exists(pk)',
                  },
                },
            {
              Put: {
                TableName: tableName,
                Item: noteItem(note),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            audit.putItem(event),
          ]);
        } catch (error) {
          const failed = failedConditions(error);
          if (failed?.some((c) => c.index === 0)) throw new CaseGoneError();
          if (failed?.some((c) => c.index === 1)) throw new CaseExistsError();
          throw error;
        }
      });
    },

    /**
     * Newest first: the agency's own cases and its listing entries of shared cases. An entry whose grants
     * have all expired is filtered out at once (TTL removes it later). Other filters are applied by
     * DynamoDB after the key condition.
     */
    async listVisibleTo(agency, filter, limit, cursor, now) {
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
        client,
        {
          TableName: tableName,
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
    },
  };
}

/** A number attribute of a cancellation reason's item, which the SDK leaves marshalled. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const marshalled = (value as { N?: string } | undefined)?.N;
  return marshalled === undefined ? undefined : Number(marshalled);
}

/** The update of a listing entry's metadata copy; only where the entry still exists. */
export function listingCopyOf(meta: CaseMetadata) {
  return {
    UpdateExpression:
      'SET category = :category, urgency = :urgency, #status = :status, #region = :region, updatedAt = :updatedAt, #version = :version, gsi1sk = :gsi1sk',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status', '#region': 'region', '#version': 'version' },
    ExpressionAttributeValues: {
      ':category': meta.category,
      ':urgency': meta.urgency,
      ':status': meta.status,
      ':region': meta.region,
      ':updatedAt': meta.updatedAt,
      ':version': meta.version,
      ':gsi1sk': `${meta.updatedAt}#${meta.caseId}`,
    },
  };
}

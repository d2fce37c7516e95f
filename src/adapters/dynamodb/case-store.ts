import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import type { Grant } from '../../domain/cases/access';
import {
  CaseExistsError,
  CaseGoneError,
  type CaseStore,
  InvalidCursorError,
  StaleVersionError,
  type StoredCase,
  type StoredNote,
} from '../../domain/cases/ports';
import { type CaseMetadata, SECTION_NAMES } from '../../domain/cases/schemas';
import type { AuditStore } from './audit-store';
import { decodeCursor, encodeCursor, failClosed, failedConditions } from './errors';

/**
 * Cases table layout, one partition per case (`pk = CASE#<id>`), so one Query reads a case whole:
 * - `sk = CASE`: metadata in clear, `sections` a map of section name → Encryption SDK message (binary),
 *   and `gsi1pk = ACCESS#<agency>`, `gsi1sk = <updatedAt>#<caseId>` so an agency lists what it may see.
 * - `sk = NOTE#<noteId>`: a note, its text encrypted under the owner's key (the id alone in the key, so a
 *   retried note with a derived id meets the conditional write).
 * - `sk = GRANT#<agency>`: a share with another agency.
 */
const CASE_SK = 'CASE';
const partitionOf = (caseId: string) => `CASE#${caseId}`;
const accessPartition = (agency: string) => `ACCESS#${agency}`;

function caseItem(record: StoredCase): Record<string, unknown> {
  const { meta } = record;
  return {
    pk: partitionOf(meta.caseId),
    sk: CASE_SK,
    type: 'case',
    ...meta,
    createdBy: record.createdBy,
    sections: record.sections,
    gsi1pk: accessPartition(meta.ownerAgency),
    gsi1sk: `${meta.updatedAt}#${meta.caseId}`,
  };
}

function metadataOf(item: Record<string, unknown>): CaseMetadata {
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

function recordOf(item: Record<string, unknown>): StoredCase {
  const stored = (item.sections ?? {}) as Record<string, Uint8Array>;
  const sections: StoredCase['sections'] = {};
  for (const name of SECTION_NAMES) if (stored[name]) sections[name] = stored[name];
  return { meta: metadataOf(item), createdBy: String(item.createdBy), sections };
}

function noteOf(item: Record<string, unknown>): StoredNote {
  return {
    caseId: String(item.caseId),
    noteId: String(item.noteId),
    agency: String(item.agency),
    user: String(item.user),
    kind: item.kind as StoredNote['kind'],
    createdAt: String(item.createdAt),
    ciphertext: item.ciphertext as Uint8Array,
  };
}

function grantOf(item: Record<string, unknown>): Grant {
  return item as unknown as Grant;
}

export function dynamoDbCaseStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  audit: AuditStore,
): CaseStore {
  const transact = async (
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ) => client.send(new TransactWriteCommand({ TransactItems: items }));

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
              ExpressionAttributeValues: { ':pk': partitionOf(caseId) },
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
        grants: items.filter((item) => String(item.sk).startsWith('GRANT#')).map(grantOf),
      };
    },

    async create(record, event) {
      await failClosed(async () => {
        try {
          await transact([
            {
              Put: {
                TableName: tableName,
                Item: caseItem(record),
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

    async update(record, expectedVersion, event: AuditEvent) {
      await failClosed(async () => {
        try {
          await transact([
            {
              Put: {
                TableName: tableName,
                Item: caseItem(record),
                ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            audit.putItem(event),
          ]);
        } catch (error) {
          const failed = failedConditions(error)?.find((c) => c.index === 0);
          if (failed) throw failed.item ? new StaleVersionError() : new CaseGoneError();
          throw error;
        }
      });
    },

    async addNote(note, event) {
      await failClosed(async () => {
        try {
          await transact([
            {
              ConditionCheck: {
                TableName: tableName,
                Key: { pk: partitionOf(note.caseId), sk: CASE_SK },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  pk: partitionOf(note.caseId),
                  sk: `NOTE#${note.noteId}`,
                  type: 'note',
                  ...note,
                },
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

    /** Newest first. Filters other than time are applied by DynamoDB after the key condition. */
    async listVisibleTo(agency, filter, limit, cursor) {
      const partition = accessPartition(agency);
      const startKey = decodeCursor(cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], { gsi1pk: partition });
      if (startKey === null) throw new InvalidCursorError();
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':p': partition };
      const filters: string[] = [];
      for (const field of ['status', 'urgency', 'category'] as const) {
        if (filter[field] !== undefined) {
          names[`#${field}`] = field;
          values[`:${field}`] = filter[field];
          filters.push(`#${field} = :${field}`);
        }
      }
      let keyCondition = 'gsi1pk = :p';
      if (filter.updatedSince) {
        keyCondition += ' AND gsi1sk >= :since';
        values[':since'] = filter.updatedSince;
      }
      const items: CaseMetadata[] = [];
      let exclusiveStartKey: Record<string, unknown> | undefined = startKey;
      do {
        const page = await failClosed(() =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'byAgency',
              KeyConditionExpression: keyCondition,
              ...(filters.length > 0
                ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names }
                : {}),
              ExpressionAttributeValues: values,
              ScanIndexForward: false,
              Limit: limit - items.length,
              ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
            }),
          ),
        );
        items.push(...(page.Items ?? []).map(metadataOf));
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey && items.length < limit);
      const nextCursor = encodeCursor(exclusiveStartKey);
      return { items, ...(nextCursor ? { nextCursor } : {}) };
    },
  };
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import type { DomainEvent } from '../../domain/exchange/events';
import { MatchRateLimitedError, type MatchStore } from '../../domain/matching/ports';
import type { AuditStore } from './audit-store';
import {
  epochSeconds,
  INDEXES,
  indexCandidateOf,
  matchMinuteKey,
  outboxItem,
  tokenPartition,
} from './cases-layout';
import { failClosed } from './errors';
import { type TransactItem, transactWrite } from './transactions';

/** More entries than any truncated token should hold (2 to 4 expected): a lookup reads no further. */
const MAX_CANDIDATES = 100;

/** Matching's items in the Cases table (the blind index, the per-minute counters, the outbox). */
export function dynamoDbMatchStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  audit: AuditStore,
): MatchStore {
  return {
    async candidates(key) {
      const page = await failClosed(() =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INDEXES.byToken,
            KeyConditionExpression: 'gsi6pk = :key',
            ExpressionAttributeValues: { ':key': tokenPartition(key) },
            Limit: MAX_CANDIDATES,
          }),
        ),
      );
      return (page.Items ?? []).map(indexCandidateOf);
    },

    async countLookup(agency, minute, limit) {
      const count = new UpdateCommand({
        TableName: tableName,
        Key: matchMinuteKey(agency, minute),
        UpdateExpression: 'ADD lookups :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(lookups) OR lookups < :limit',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': limit,
          ':ttl': epochSeconds(`${minute}:00.000Z`) + 3600,
        },
      });
      await failClosed(() =>
        client.send(count).catch((error: unknown) => {
          // The domain knows when the minute ends; the store only says the limit was reached.
          if (error instanceof ConditionalCheckFailedException) throw new MatchRateLimitedError(minute);
          throw error;
        }),
      );
    },

    // Not `writeTransaction`: a lookup is not retried under a key, so a write that may have landed is a 503.
    async recordLookup(events: AuditEvent[], found: DomainEvent[]) {
      const items: TransactItem[] = [
        ...events.map((event) => audit.putItem(event)),
        ...found.map((event): TransactItem => ({ Put: { TableName: tableName, Item: outboxItem(event) } })),
      ];
      await failClosed(() => transactWrite(client, items));
    },
  };
}

import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../../domain/cases/ports';
import { ReviewClosedError, type ReviewRecord, type ReviewStore } from '../../domain/reviews/ports';
import type { AuditStore } from './audit-store';
import { INDEXES, reviewItem, reviewKey, reviewOf, reviewPartition } from './cases-layout';
import { decodeCursor, encodeCursor, failClosed, failedConditions } from './errors';

/**
 * The compliance review list: `REVIEW#` items of the Cases table and the `byReview` index (see
 * cases-layout.ts). The reviews function's role reaches these items and that index only.
 */
export function dynamoDbReviewStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  audit: AuditStore,
): ReviewStore {
  return {
    async get(reviewId) {
      const result = await failClosed(() =>
        client.send(new GetCommand({ TableName: tableName, Key: reviewKey(reviewId), ConsistentRead: true })),
      );
      return result.Item ? reviewOf(result.Item) : undefined;
    },

    /** Newest first. */
    async list(status, kind, limit, cursor) {
      const partition = reviewPartition(status);
      const startKey = decodeCursor(cursor, ['pk', 'sk', 'gsi5pk', 'gsi5sk'], { gsi5pk: partition });
      if (startKey === null) throw new InvalidCursorError();
      const items: ReviewRecord[] = [];
      let exclusiveStartKey: Record<string, unknown> | undefined = startKey;
      do {
        const page = await failClosed(() =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: INDEXES.byReview,
              KeyConditionExpression: 'gsi5pk = :p',
              ...(kind
                ? { FilterExpression: '#kind = :kind', ExpressionAttributeNames: { '#kind': 'kind' } }
                : {}),
              ExpressionAttributeValues: { ':p': partition, ...(kind ? { ':kind': kind } : {}) },
              ScanIndexForward: false,
              Limit: limit - items.length,
              ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
            }),
          ),
        );
        items.push(...(page.Items ?? []).map(reviewOf));
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey && items.length < limit);
      const nextCursor = encodeCursor(exclusiveStartKey);
      return { items, ...(nextCursor ? { nextCursor } : {}) };
    },

    async close(review, event) {
      await failClosed(async () => {
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: reviewItem(review),
                    ConditionExpression: '#status = :open',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ':open': 'open' },
                  },
                },
                audit.putItem(event),
              ],
            }),
          );
        } catch (error) {
          if (failedConditions(error)?.some((c) => c.index === 0)) throw new ReviewClosedError();
          throw error;
        }
      });
    },
  };
}

import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../../domain/paging';
import { ReviewClosedError, type ReviewStore } from '../../domain/reviews/ports';
import type { AuditStore } from './audit-store';
import { INDEXES, reviewItem, reviewKey, reviewOf, reviewPartition, statusCondition } from './cases-layout';
import { failClosed } from './errors';
import { decodeCursor, equalityFilter, queryPage } from './paging';
import { writeAudited } from './transactions';

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
    async list(status, filter, limit, cursor) {
      const partition = reviewPartition(status);
      const startKey = decodeCursor(cursor, ['pk', 'sk', 'gsi5pk', 'gsi5sk'], { gsi5pk: partition });
      if (startKey === null) throw new InvalidCursorError();
      const equal = equalityFilter(filter, ['kind', 'priority']);
      return queryPage(
        client,
        {
          TableName: tableName,
          IndexName: INDEXES.byReview,
          KeyConditionExpression: 'gsi5pk = :p',
          ...(equal.expression
            ? { FilterExpression: equal.expression, ExpressionAttributeNames: equal.names }
            : {}),
          ExpressionAttributeValues: { ':p': partition, ...equal.values },
          ScanIndexForward: false,
        },
        limit,
        startKey,
        reviewOf,
      );
    },

    async close(review, event) {
      const put = { Put: { TableName: tableName, Item: reviewItem(review), ...statusCondition('open') } };
      await writeAudited({ client, tableName, audit }, [put], event, [ReviewClosedError]);
    },
  };
}

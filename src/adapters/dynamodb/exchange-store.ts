import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AccessChangedError, CaseGoneError, StoreConditionError } from '../../domain/cases/ports';
import type { DomainEvent } from '../../domain/exchange/events';
import {
  AlreadyDecidedError,
  type DueItem,
  type ExchangeStore,
  type ExchangeWrite,
  GrantChangedError,
  RequestExistsError,
} from '../../domain/exchange/ports';
import { InvalidCursorError } from '../../domain/paging';
import type { AuditStore } from './audit-store';
import {
  caseKey,
  duePartition,
  epochSeconds,
  grantItem,
  grantKey,
  INDEXES,
  inboxPartition,
  listingItem,
  listingKey,
  OUTBOX_QUEUE,
  outboxItem,
  outboxKey,
  outboxPartition,
  requestItem,
  requestKey,
  requestOf,
  reviewItem,
  unchangedCaseCondition,
} from './cases-layout';
import { failClosed, failedConditions, isTransactionConflict } from './errors';
import { decodeCursor, equalityFilter, queryPage } from './paging';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** How long a published event stays in the outbox, for whoever needs to trace a notification. */
const PUBLISHED_RETENTION_DAYS = 30;

/** What a failed condition at each position of a transaction means. */
type Failure = 'case' | 'new-grant' | 'revoked-grant' | 'new-request' | 'decided-request' | 'due' | 'other';

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
  const transact = async (items: { item: TransactItem; failure: Failure }[]) => {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items.map((entry) => entry.item) }));
    } catch (error) {
      // Another transaction on the same items at the same moment: as good as a change, read again.
      if (isTransactionConflict(error)) throw new AccessChangedError();
      const failed = failedConditions(error);
      if (!failed) throw error;
      const reasons = failed.map((f) => ({ failure: items[f.index]?.failure ?? 'other', item: f.item }));
      const head = reasons.find((reason) => reason.failure === 'case');
      if (head) throw head.item ? new AccessChangedError() : new CaseGoneError();
      if (reasons.some((reason) => reason.failure === 'due')) throw new NoLongerDueError();
      if (reasons.some((reason) => reason.failure === 'new-request' || reason.failure === 'new-grant')) {
        throw new RequestExistsError();
      }
      if (reasons.some((reason) => reason.failure === 'decided-request')) throw new AlreadyDecidedError();
      if (reasons.some((reason) => reason.failure === 'revoked-grant')) throw new GrantChangedError();
      throw error;
    }
  };
  const put = (Item: Record<string, unknown>, ConditionExpression?: string) => ({
    Put: { TableName: tableName, Item, ...(ConditionExpression ? { ConditionExpression } : {}) },
  });

  /** Oldest first: the items of a `byQueue` partition whose time is at or before `until`, up to `limit`. */
  const queryQueue = async (partition: string, until: string, limit: number) => {
    const page = await queryPage(
      client,
      {
        TableName: tableName,
        IndexName: INDEXES.byQueue,
        KeyConditionExpression: 'gsi4pk = :p AND gsi4sk <= :bound',
        ExpressionAttributeValues: { ':p': partition, ':bound': `${until}#\uffff` },
      },
      limit,
      undefined,
      (item) => item,
    );
    return page.items;
  };

  return {
    async commit(write: ExchangeWrite) {
      const items: { item: TransactItem; failure: Failure }[] = [];
      const { access } = write;
      if (access) {
        const unchanged = unchangedCaseCondition(access.meta.version, access.expectedAccessRevision);
        items.push({
          failure: 'case',
          item: {
            Update: {
              TableName: tableName,
              Key: caseKey(access.meta.caseId),
              // The owner's act is its first action on the report: that deadline is met.
              UpdateExpression: `SET accessRevision = :nextRevision${access.byOwner ? ' REMOVE gsi4pk, gsi4sk' : ''}`,
              ConditionExpression: unchanged.ConditionExpression,
              ExpressionAttributeNames: unchanged.names,
              ExpressionAttributeValues: {
                ...unchanged.values,
                ':nextRevision': access.expectedAccessRevision + 1,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        });
        for (const grant of access.grantsToAdd ?? []) {
          items.push({ failure: 'new-grant', item: put(grantItem(grant), 'attribute_not_exists(pk)') });
        }
        for (const { grant, revokedAt, revokedBy } of access.grantsToRevoke ?? []) {
          items.push({
            failure: 'revoked-grant',
            item: {
              Update: {
                TableName: tableName,
                Key: grantKey(grant.caseId, grant.agency, grant.grantId),
                UpdateExpression: 'SET revokedAt = :revokedAt, revokedBy = :revokedBy',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
                ExpressionAttributeValues: { ':revokedAt': revokedAt, ':revokedBy': revokedBy },
              },
            },
          });
        }
        items.push({
          failure: 'other',
          item: access.listedUntil
            ? put(listingItem(access.meta, access.agency, access.listedUntil))
            : { Delete: { TableName: tableName, Key: listingKey(access.meta.caseId, access.agency) } },
        });
      }
      if (write.newRequest) {
        items.push({
          failure: 'new-request',
          item: put(requestItem(write.newRequest), 'attribute_not_exists(pk)'),
        });
      }
      if (write.decidedRequest) {
        items.push({
          failure: 'decided-request',
          item: {
            Put: {
              TableName: tableName,
              Item: requestItem(write.decidedRequest),
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'pending' },
            },
          },
        });
      }
      if (write.newReview) {
        items.push({ failure: 'other', item: put(reviewItem(write.newReview), 'attribute_not_exists(pk)') });
      }
      items.push({ failure: 'other', item: audit.putItem(write.event) });
      for (const notice of write.notices) {
        items.push({ failure: 'other', item: put(outboxItem(notice), 'attribute_not_exists(pk)') });
      }
      await failClosed(() => transact(items));
    },

    async getRequest(requestId) {
      const result = await failClosed(() =>
        client.send(
          new GetCommand({ TableName: tableName, Key: requestKey(requestId), ConsistentRead: true }),
        ),
      );
      return result.Item ? requestOf(result.Item) : undefined;
    },

    /** Newest first; status and kind are filtered by DynamoDB after the key condition. */
    async listBox(agency, box, filter, limit, cursor) {
      const spec = BOXES[box];
      const partition = spec.partition(agency);
      const startKey = decodeCursor(cursor, ['pk', 'sk', spec.pk, spec.sk], { [spec.pk]: partition });
      if (startKey === null) throw new InvalidCursorError();
      const equal = equalityFilter(filter, ['status', 'kind']);
      return queryPage(
        client,
        {
          TableName: tableName,
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
    },

    async listDue(kind, urgency, createdBy, limit) {
      const items = await queryQueue(duePartition(kind, urgency), createdBy, limit);
      return items.map(
        (item): DueItem => ({
          kind,
          id: String(kind === 'report' ? item.caseId : item.requestId),
          caseId: String(item.caseId),
          agency: String(kind === 'report' ? item.ownerAgency : item.toAgency),
          urgency,
          createdAt: String(item.createdAt),
        }),
      );
    },

    async escalate(item, at, event, review, notices) {
      const key = item.kind === 'report' ? caseKey(item.caseId) : requestKey(item.id);
      try {
        await failClosed(() =>
          transact([
            {
              failure: 'due',
              item: {
                Update: {
                  TableName: tableName,
                  Key: key,
                  UpdateExpression: 'SET escalatedAt = :at REMOVE gsi4pk, gsi4sk',
                  ConditionExpression: 'gsi4pk = :p AND gsi4sk = :sk',
                  ExpressionAttributeValues: {
                    ':at': at,
                    ':p': duePartition(item.kind, item.urgency),
                    ':sk': `${item.createdAt}#${item.id}`,
                  },
                },
              },
            },
            { failure: 'other', item: put(reviewItem(review), 'attribute_not_exists(pk)') },
            { failure: 'other', item: audit.putItem(event) },
            ...notices.map((notice) => ({
              failure: 'other' as const,
              item: put(outboxItem(notice), 'attribute_not_exists(pk)'),
            })),
          ]),
        );
        return true;
      } catch (error) {
        // Acted on meanwhile, or in a transaction at the same moment: the next sweep looks again.
        if (error instanceof NoLongerDueError || error instanceof AccessChangedError) return false;
        throw error;
      }
    },

    async listUnpublished(writtenBy, limit) {
      const items = await queryQueue(OUTBOX_QUEUE, writtenBy, limit);
      return items.map((item) => item.event as DomainEvent);
    },

    async markPublished(eventIds, at) {
      const ttl = epochSeconds(at) + PUBLISHED_RETENTION_DAYS * 24 * 60 * 60;
      await failClosed(() =>
        Promise.all(
          eventIds.map((eventId) =>
            client.send(
              new UpdateCommand({
                TableName: tableName,
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
    },
  };
}

/** The item was acted on, or escalated by another sweep, since it was listed. */
class NoLongerDueError extends StoreConditionError {
  constructor() {
    super('the item is no longer due');
    this.name = 'NoLongerDueError';
  }
}

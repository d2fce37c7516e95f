import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../local/bootstrap';
import { documentClient } from '../../src/adapters/aws-clients';
import { CASES_TABLE } from '../../src/adapters/table-definitions';
import { stack } from '../support/client';
import { localDynamoDb } from '../support/local-dynamodb';

/**
 * A data folder made before the exchange existed has a Cases table with one index, whose projection lacks
 * `expiresAt`. The bootstrap brings it up to the definition in place, keeping the items.
 */
describe('bootstrap on an older Cases table', () => {
  const client = localDynamoDb(stack);
  const tableName = `himaya-cases-legacy-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  });

  it('adds the missing indexes, remakes the one whose projection changed, and indexes existing items', async () => {
    // Prepare: the table as the first version of the bootstrap made it, with one item already due.
    const keys = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byAgency',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['caseId', 'ownerAgency'] },
          },
        ],
      }),
    );
    const documents = documentClient(client);
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'CASE#1',
          sk: 'CASE',
          caseId: '1',
          gsi4pk: 'DUE#report#low',
          gsi4sk: '2026-01-01T00:00:00.000Z#1',
        },
      }),
    );

    // Act
    await ensureTable(client, CASES_TABLE, tableName);

    // Assess
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      CASES_TABLE.indexes.map((i) => i.indexName).sort(),
    );
    expect(indexes.find((index) => index.IndexName === 'byAgency')?.Projection?.NonKeyAttributes).toContain(
      'expiresAt',
    );
    const due = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byQueue',
        KeyConditionExpression: 'gsi4pk = :p',
        ExpressionAttributeValues: { ':p': 'DUE#report#low' },
      }),
    );
    expect(due.Items?.map((item) => item.caseId)).toEqual(['1']);
  });

  it('gives a table whose stream carries new images only the stream with old images too', async () => {
    // Prepare: a Cases table from before the statistics, streaming new images (for the outbox)
    const streamed = `${tableName}-stream`;
    await client.send(
      new CreateTableCommand({
        TableName: streamed,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );

    // Act
    await ensureTable(client, { ...CASES_TABLE, indexes: [] }, streamed);

    // Assess
    const { Table } = await client.send(new DescribeTableCommand({ TableName: streamed }));
    await client.send(new DeleteTableCommand({ TableName: streamed }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });
});

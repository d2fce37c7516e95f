import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The yardstick of the bundle benchmark (bench/bundles.ts): a handler that only creates a DynamoDB client
 * and reads one item. Every Himaya function needs at least this much, so its bundle size and load time
 * are the floor the functions are measured against.
 */
const client = new DynamoDBClient({});

export async function handler(event: { table: string; key: string }) {
  const result = await client.send(
    new GetItemCommand({ TableName: event.table, Key: { pk: { S: event.key }, sk: { S: 'CASE' } } }),
  );
  return result.Item ? 200 : 404;
}

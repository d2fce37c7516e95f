import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/stack';

/** A client of a local stack's DynamoDB Local, for what a test must see or set up beneath the API. */
export function localDynamoDb(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** Every item of a table, page after page, as plain objects. */
export async function scanItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan(
    { client: documents },
    { TableName: tableName, ...(options.consistentRead ? { ConsistentRead: true } : {}) },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

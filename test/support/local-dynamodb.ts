import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REGION, type LocalEndpoints } from '../../local/stack';

/** Where a local stack's DynamoDB Local listens, and the credentials its tables answer to. */
export type LocalDynamoDbAccess = Pick<LocalEndpoints, 'dynamodb' | 'credentials'>;

/** A client of a local stack's DynamoDB Local, for what a test must see or set up beneath the API. */
export function localDynamoDb(access: LocalDynamoDbAccess): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: access.dynamodb,
    region: LOCAL_REGION,
    credentials: access.credentials,
  });
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

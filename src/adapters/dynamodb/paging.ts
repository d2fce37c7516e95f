import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor, failClosed } from './errors';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** `#field = :field` for each filter field that is set, for a FilterExpression. */
export function equalityFilter<F extends object>(filter: F, fields: readonly (keyof F & string)[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  for (const field of fields) {
    const value = filter[field];
    if (value !== undefined) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      clauses.push(`#${field} = :${field}`);
    }
  }
  return { names, values, expression: clauses.length > 0 ? clauses.join(' AND ') : undefined };
}

/**
 * One page of a Query: DynamoDB's `Limit` counts items before the filter, so this queries again until
 * `limit` items passed it or the range ends. Each call asks for no more than is still missing, so the
 * last evaluated key is exactly where the next page starts.
 */
export async function queryPage<T>(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  startKey: Record<string, unknown> | undefined,
  toItem: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const items: T[] = [];
  let exclusiveStartKey = startKey;
  do {
    const page = await failClosed(() =>
      client.send(
        new QueryCommand({
          ...input,
          Limit: limit - items.length,
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      ),
    );
    items.push(...(page.Items ?? []).map(toItem));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey && items.length < limit);
  const nextCursor = encodeCursor(exclusiveStartKey);
  return { items, ...(nextCursor ? { nextCursor } : {}) };
}

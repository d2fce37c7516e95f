import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { failClosed } from './errors';

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

/** An opaque paging cursor: the last key, as base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * Decodes a cursor and checks it is a key of the listing it is used with: every key a short string, and
 * valid Unicode (a `\ud800` escape in its JSON would reach DynamoDB as another key, silently replaced).
 */
export function decodeCursor(
  cursor: string | undefined,
  keyNames: string[],
  expected: Record<string, string>,
) {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof key !== 'object' || key === null) return null;
  const entries = Object.entries(key);
  const valid =
    entries.length === keyNames.length &&
    entries.every(
      ([name, value]) =>
        keyNames.includes(name) && typeof value === 'string' && value.length <= 512 && value.isWellFormed(),
    ) &&
    Object.entries(expected).every(([name, value]) => (key as Record<string, unknown>)[name] === value);
  return valid ? (key as Record<string, string>) : null;
}

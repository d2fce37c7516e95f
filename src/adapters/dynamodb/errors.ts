import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { StoreConditionError } from '../../domain/cases/ports';
import { DependencyUnavailableError, HttpError } from '../../http/errors';

/** Which transaction items failed their condition (by position), or undefined if it failed otherwise. */
export function failedConditions(
  error: unknown,
): { index: number; item?: Record<string, unknown> }[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.flatMap((reason, index) =>
    reason.Code === 'ConditionalCheckFailed'
      ? [{ index, ...(reason.Item ? { item: reason.Item } : {}) }]
      : [],
  );
  return failed.length > 0 ? failed : undefined;
}

/** Whether a transaction was cancelled because another one wrote the same items at the same moment. */
export function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

/**
 * Runs a DynamoDB call; anything that is not one of our own errors becomes a 503 that names no SDK
 * detail. Callers translate expected condition failures before this sees them.
 */
export async function failClosed<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HttpError || error instanceof StoreConditionError) throw error;
    throw new DependencyUnavailableError(error);
  }
}

/** An opaque paging cursor: the last key, as base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/** Decodes a cursor and checks it is a key of the listing it is used with: every key a short string. */
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
      ([name, value]) => keyNames.includes(name) && typeof value === 'string' && value.length <= 512,
    ) &&
    Object.entries(expected).every(([name, value]) => (key as Record<string, unknown>)[name] === value);
  return valid ? (key as Record<string, string>) : null;
}

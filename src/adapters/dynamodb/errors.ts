import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError, DomainError } from '../../domain/errors';

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
 * Runs a DynamoDB call; anything that is not one of the domain's own errors (a condition the store
 * translated, say) means the store failed: `DependencyUnavailableError`, with the SDK error as its cause.
 */
export async function failClosed<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DependencyUnavailableError(error);
  }
}

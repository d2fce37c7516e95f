import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError, DomainError, WriteOutcomeUnknownError } from '../../domain/errors';

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

/**
 * Whether a failed write may still have been applied: DynamoDB did not answer with a refusal (a 4xx),
 * and the request was not refused before it was sent (no connection made). A timeout or a connection
 * broken after sending leaves the outcome unknown.
 */
export function mayHaveLanded(error: unknown): boolean {
  const failure = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const status = failure?.$metadata?.httpStatusCode;
  if (status !== undefined && status < 500) return false;
  // An earlier attempt (the SDK retried) may have landed, whatever stopped the last one.
  if ((failure?.$metadata?.attempts ?? 1) > 1) return true;
  const text = `${failure?.name ?? ''} ${failure?.code ?? ''} ${failure?.message ?? ''}`;
  return !/ECONNREFUSED|without establishing a connection|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/.test(text);
}

/** Runs a write; a failure after which the write may have landed is `WriteOutcomeUnknownError`. */
export async function writeOrUnknown<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DomainError || !mayHaveLanded(error)) throw error;
    throw new WriteOutcomeUnknownError(error);
  }
}

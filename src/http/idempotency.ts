import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { ApiResponse } from './api-function';
import { ConflictError, DependencyUnavailableError, HttpError, RuleViolationError } from './errors';

const ONE_DAY_SECONDS = 24 * 60 * 60;

/**
 * `Idempotency-Key` with Powertools idempotency: a retry with the same key and body gets the first
 * response and runs nothing; the same key with another body is refused (422); a retry while the first
 * is still running is told to wait (409). The business write is conditional as well, because this
 * record is not written in the same transaction as the data.
 */
export function idempotentRunner(persistenceStore: BasePersistenceLayer, fn: string) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: ONE_DAY_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const run = makeIdempotent(
    async (_payload: { scope: string; body: unknown }, operation: () => Promise<ApiResponse>) => operation(),
    { persistenceStore, config, keyPrefix: `himaya-${fn}` },
  );
  return async (
    scope: string,
    body: unknown,
    operation: () => Promise<ApiResponse>,
  ): Promise<ApiResponse> => {
    try {
      return await run({ scope, body: body ?? null }, operation);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (error instanceof IdempotencyValidationError) {
        throw new RuleViolationError(
          'This Idempotency-Key was used with another request body.',
          'idempotency-key-reused',
        );
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new ConflictError(
          'A request with this Idempotency-Key is still in progress; retry shortly.',
          'in-progress',
        );
      }
      // Powertools wraps what the operation threw; keep our own errors as they were.
      const cause = (error as Error).cause;
      if (cause instanceof HttpError) throw cause;
      throw new DependencyUnavailableError(error);
    }
  };
}

import { isDeepStrictEqual } from 'node:util';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
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
    context: Context,
  ): Promise<ApiResponse> => {
    // The remaining time bounds the in-progress record, so a crashed attempt does not block retries for a day.
    config.registerLambdaContext(context);
    let committed: ApiResponse | undefined;
    try {
      const stored = await run({ scope, body: body ?? null }, async () => {
        committed = await operation();
        return withoutEchoes(committed, body);
      });
      return withEchoes(stored, body);
    } catch (error) {
      // The operation's write (and its audit event) stands; only marking the record complete failed.
      // Answer what happened: a 503 would deny a write the access log records as done.
      if (committed) return committed;
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

type StoredResponse = ApiResponse & { echoes?: string[] };
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The record is kept in clear, so it holds no field of the response body that repeats the request body
 * (a note's text): a replay carries the same body, its hash checked, and gets those fields back from it.
 */
function withoutEchoes(response: ApiResponse, body: unknown): StoredResponse {
  if (!isObject(response.body) || !isObject(body)) return response;
  const entries = Object.entries(response.body);
  const echoes = entries.flatMap(([key, value]) =>
    key in body && isDeepStrictEqual(value, body[key]) ? [key] : [],
  );
  if (echoes.length === 0) return response;
  const kept = entries.map(([key, value]) => [key, echoes.includes(key) ? null : value]);
  return { ...response, body: Object.fromEntries(kept), echoes };
}

function withEchoes({ echoes, ...response }: StoredResponse, body: unknown): ApiResponse {
  if (!echoes || !isObject(response.body) || !isObject(body)) return response;
  const entries = Object.entries(response.body);
  return {
    ...response,
    body: Object.fromEntries(entries.map(([key, value]) => [key, echoes.includes(key) ? body[key] : value])),
  };
}

import { isDeepStrictEqual } from 'node:util';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyRecordStatus,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { CaseNotFoundError, DependencyUnavailableError, RequestKeyReusedError } from '../../domain/errors';
import { type RequestIdKey, type RetryableWrite, retryableWrite } from '../../domain/retryable-write';
import { type RequestState, stateOf } from '../api-request';
import { IdempotencyInProgressError } from '../errors';
import { normalisePath } from '../resource-path';
import type { ApiMiddleware, ApiMiddyRequest } from './types';

const ONE_DAY_SECONDS = 24 * 60 * 60;
/** A record seen expiring or vanishing between our write and our read is looked at again, this often. */
const MAX_LOOKUPS = 3;

/** What the record is keyed by (`scope`: the derived id) and checked against (`digest`: a keyed MAC). */
type Payload = Parameters<BasePersistenceLayer['saveSuccess']>[0] & { scope: string; digest: string };
type StoredResult = APIGatewayProxyResult & { echoes?: string[] };

export interface IdempotencyOptions {
  /** Where the records are kept (a Powertools persistence layer). */
  store: BasePersistenceLayer;
  /** The deployment's secret that ids and digests are derived with (fetched once per container). */
  idKey: () => Promise<RequestIdKey>;
  /**
   * Whether an agency may still see a case. A stored answer on a case's path is replayed only if so: a
   * retry after the caller's access ended gets the 404 of a case that does not exist.
   */
  caseVisible?: (agency: string, caseId: string) => Promise<boolean>;
}

/**
 * `Idempotency-Key` over a Powertools persistence layer: a retry with the same key and body gets the first
 * response and runs nothing (the operation sees `replay`), once its access is checked again; the same key
 * with another body is refused (422); a retry while the first is still running is told to wait (409). The
 * record holds the derived id and a MAC of the body under the deployment's key, never a plain hash of it.
 * The business write is conditional as well, because this record is not written with the data.
 */
export function idempotency(options: IdempotencyOptions & { fn: string; logger: Logger }): ApiMiddleware {
  const { store, logger } = options;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'digest',
    expiresAfterSeconds: ONE_DAY_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  store.configure({ config, keyPrefix: `himaya-${options.fn}` });
  const pending = new WeakMap<RequestState, Payload>();

  return {
    before: async ({ event, context }) => {
      const state = stateOf(context);
      const write = await writeOf(state, event.path, options.idKey);
      if (!write?.digest) return;
      state.write = write;
      const payload = { scope: write.id, digest: write.digest } as Payload;
      // The remaining time bounds the in-progress record, so a crashed attempt does not block retries for a day.
      config.registerLambdaContext(context);
      const stored = await claimOrFind(store, payload, context.getRemainingTimeInMillis?.());
      if (!stored) {
        pending.set(state, payload);
        return;
      }
      // The access log says this answer repeats an earlier one (or refuses to), and names what it created.
      state.trail?.replayed();
      await checkStillVisible(state, options.caseVisible);
      state.replay = withEchoes(stored, state.body);
      const location = stored.headers?.Location;
      if (typeof location === 'string') state.trail?.concerns({ resource: location });
    },
    after: async (request) => {
      const state = stateOf(request.context);
      const payload = pending.get(state);
      if (!payload || !request.response) return;
      pending.delete(state);
      try {
        await store.saveSuccess(payload, withoutEchoes(request.response, state.body) as unknown as Payload);
      } catch (error) {
        // The write (and its access-log event) stands; only marking the record complete failed. Answer what
        // happened: a 503 would deny a write the access log records as done.
        logger.warn('idempotency record not completed', { errorName: (error as Error)?.name });
      }
    },
    onError: async (request: ApiMiddyRequest) => {
      const state = request.context.api;
      const payload = state && pending.get(state);
      if (!state || !payload) return;
      pending.delete(state);
      // The operation failed: let a retry run it again.
      await store.deleteRecord(payload).catch((error: unknown) => {
        logger.warn('idempotency record not released', { errorName: (error as Error)?.name });
      });
    },
  };
}

/**
 * The write of an idempotent request that carries a key: its scope is the client, the operation, the
 * normalised path (one resource however it is spelled) and the key.
 */
async function writeOf(
  state: RequestState,
  path: string,
  idKey: () => Promise<RequestIdKey>,
): Promise<RetryableWrite | undefined> {
  const key = state.route.idempotent ? state.identity.idempotencyKey.value : null;
  if (!key || !state.auth) return undefined;
  const scope = `${state.auth.clientId} ${state.route.operationId} ${normalisePath(path)} ${key}`;
  const secret = await idKey().catch((error: unknown) => {
    throw new DependencyUnavailableError(error);
  });
  return retryableWrite(secret, scope, state.body ?? null);
}

/** A replay on a case's path answers as a first request would if the caller can no longer see the case. */
async function checkStillVisible(state: RequestState, caseVisible: IdempotencyOptions['caseVisible']) {
  const caseId = state.route.path.includes('{caseId}') ? state.identity.caseId : undefined;
  if (!caseId || !state.auth) return;
  const visible = await (caseVisible?.(state.auth.agency, caseId) ?? Promise.resolve(false));
  if (!visible) throw new CaseNotFoundError();
}

/** Claims the key for this request (undefined), or returns the response stored under it. */
async function claimOrFind(
  store: BasePersistenceLayer,
  payload: Payload,
  remainingMs: number | undefined,
): Promise<StoredResult | undefined> {
  for (let lookup = 1; ; lookup++) {
    try {
      await store.saveInProgress(payload, remainingMs);
      return undefined;
    } catch (error) {
      if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw unavailableOr(error);
      const record = await existingRecord(store, payload, error).catch((cause: unknown) => {
        throw unavailableOr(cause);
      });
      const status = record?.getStatus();
      if (status === IdempotencyRecordStatus.COMPLETED)
        return record?.getResponse() as unknown as StoredResult;
      if (status === IdempotencyRecordStatus.INPROGRESS) {
        throw new IdempotencyInProgressError(secondsUntil(record?.inProgressExpiryTimestamp));
      }
      // Expired or gone between the write and the read: claim it again.
      if (lookup >= MAX_LOOKUPS) throw new IdempotencyInProgressError();
    }
  }
}

async function existingRecord(
  store: BasePersistenceLayer,
  payload: Payload,
  error: IdempotencyItemAlreadyExistsError,
): Promise<IdempotencyRecord | undefined> {
  // Both check that the stored digest is this request's (IdempotencyValidationError otherwise).
  if (error.existingRecord) return store.processExistingRecord(error.existingRecord, payload);
  return store.getRecord(payload).catch((cause: unknown) => {
    if ((cause as Error)?.name === 'IdempotencyItemNotFoundError') return undefined;
    throw cause;
  });
}

/** Whole seconds (at least 1) until a time in epoch milliseconds. */
function secondsUntil(epochMs: number | undefined): number {
  return Math.max(1, Math.ceil(((epochMs ?? Date.now()) - Date.now()) / 1000));
}

function unavailableOr(error: unknown): Error {
  if (error instanceof IdempotencyValidationError) return new RequestKeyReusedError(error);
  return new DependencyUnavailableError(error);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonBodyOf(result: APIGatewayProxyResult): Record<string, unknown> | undefined {
  if (!/json/.test(String(result.headers?.['Content-Type'] ?? ''))) return undefined;
  try {
    const parsed: unknown = JSON.parse(result.body);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The record is kept in clear, so it holds no field of the response body that repeats the request body
 * (a note's text): a replay carries the same body, its digest checked, and gets those fields back from it.
 */
function withoutEchoes(result: APIGatewayProxyResult, body: unknown): StoredResult {
  const parsed = jsonBodyOf(result);
  if (!parsed || !isObject(body)) return result;
  const entries = Object.entries(parsed);
  const echoes = entries.flatMap(([key, value]) =>
    key in body && isDeepStrictEqual(value, body[key]) ? [key] : [],
  );
  if (echoes.length === 0) return result;
  const kept = entries.map(([key, value]) => [key, echoes.includes(key) ? null : value]);
  return { ...result, body: JSON.stringify(Object.fromEntries(kept)), echoes };
}

function withEchoes({ echoes, ...result }: StoredResult, body: unknown): APIGatewayProxyResult {
  const parsed = jsonBodyOf(result);
  if (!echoes || !parsed || !isObject(body)) return result;
  const entries = Object.entries(parsed);
  const restored = entries.map(([key, value]) => [key, echoes.includes(key) ? body[key] : value]);
  return { ...result, body: JSON.stringify(Object.fromEntries(restored)) };
}

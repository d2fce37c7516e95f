import { createHmac, randomUUID } from 'node:crypto';
import { canonicalJson } from './audit/canonical';
import { DuplicateRequestError, RequestKeyReusedError } from './errors';

/**
 * What makes a create safe to retry: the id its resource takes, derived from the client's Idempotency-Key,
 * and a digest of the request, kept with the resource. A retry whose write finds the id taken compares
 * digests: the same request gets the stored resource back, another one is refused.
 */
export interface RetryableWrite {
  id: string;
  /** Absent without an Idempotency-Key: nothing to settle then. */
  digest?: string | undefined;
}

/**
 * The secret that ids and digests are derived with (HMAC-SHA-256), one per deployment: without it no one
 * can compute the id a client's key will give, nor confirm a guessed body against a stored digest.
 */
export type RequestIdKey = Uint8Array;

/** The label the deployment's id key is derived over; a new version gives new ids. */
export const REQUEST_ID_KEY_LABEL = 'himaya/ids/v1';

const macOf = (key: RequestIdKey, purpose: string, text: string) =>
  createHmac('sha256', key).update(`${purpose}\n${text}`).digest();

/**
 * The write of a request; `idempotencyScope` names the client, the operation, the normalised path and the
 * key. Without a scope (no Idempotency-Key) the write is its own: a fresh id, nothing to settle.
 */
export function retryableWrite(
  key: RequestIdKey,
  idempotencyScope: string | undefined,
  body: unknown,
): RetryableWrite {
  if (!idempotencyScope) return { id: randomUUID() };
  const digest = macOf(key, 'digest', `${idempotencyScope}\n${canonicalJson(body ?? null)}`);
  return { id: idFor(key, idempotencyScope), digest: digest.toString('base64url') };
}

/**
 * The id of what a write under an idempotency key creates, so that a late retry (after the idempotency
 * record expired or was lost) hits the conditional write instead of duplicating.
 */
function idFor(key: RequestIdKey, idempotencyScope: string): string {
  // A v4-shaped UUID from a MAC: the version and variant bits set as RFC 9562 requires.
  const bytes = macOf(key, 'id', idempotencyScope).subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The resource a retry found under its id, if this request stored it: the same digest, made for the same
 * caller. Without digests to compare (stored before they were kept, or no key) it is a
 * `DuplicateRequestError` saying `duplicate`; another request's, `RequestKeyReusedError`.
 */
export function storedByThisRequest<T extends { requestDigest?: string | undefined }>(
  stored: T | undefined,
  write: RetryableWrite,
  sameCaller: (stored: T) => boolean,
  duplicate: string,
): T {
  if (!stored?.requestDigest || !write.digest) throw new DuplicateRequestError(duplicate);
  if (stored.requestDigest !== write.digest || !sameCaller(stored)) throw new RequestKeyReusedError();
  return stored;
}

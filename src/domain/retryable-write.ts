import { createHash, randomUUID } from 'node:crypto';
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

/** The write of a request; `idempotencyScope` names the client, the operation and the key. */
export function retryableWrite(idempotencyScope: string | undefined, body: unknown): RetryableWrite {
  if (!idempotencyScope) return { id: randomUUID() };
  const digest = createHash('sha256')
    .update(`${idempotencyScope}\n${canonicalJson(body ?? null)}`)
    .digest();
  return { id: idForRequest(idempotencyScope), digest: digest.toString('base64url') };
}

/**
 * The id of what a write creates. Under an idempotency key it is derived from the key, so a late retry
 * (after the idempotency record expired or was lost) hits the conditional write instead of duplicating.
 */
export function idForRequest(idempotencyScope: string | undefined): string {
  if (!idempotencyScope) return randomUUID();
  // A v4-shaped UUID from a hash: the version and variant bits set as RFC 9562 requires.
  const digest = createHash('sha256').update(idempotencyScope).digest().subarray(0, 16);
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x40;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = digest.toString('hex');
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

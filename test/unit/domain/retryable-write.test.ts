import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaseIdSchema } from '../../../src/domain/cases/schemas';
import { retryableWrite } from '../../../src/domain/retryable-write';

const SCOPE = 'police createCase /v1/cases key-2026-0001';
const KEY = new Uint8Array(32).fill(1);
const OTHER_KEY = new Uint8Array(32).fill(2);

/** How ids were derived before they were keyed: anyone knowing a client's key could compute them. */
function unkeyedId(scope: string): string {
  const bytes = createHash('sha256').update(scope).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('retryableWrite', () => {
  it('gives a retry of the same request the same id and the same digest, whatever its key order', () => {
    const first = retryableWrite(KEY, SCOPE, { urgency: 'high', category: 'neglect' });
    const retry = retryableWrite(KEY, SCOPE, { category: 'neglect', urgency: 'high' });

    expect(retry).toEqual(first);
    expect(CaseIdSchema.safeParse(first.id).success).toBe(true);
  });

  it('gives another body under the same key the same id but another digest', () => {
    const first = retryableWrite(KEY, SCOPE, { text: 'first note' });
    const other = retryableWrite(KEY, SCOPE, { text: 'another note' });

    expect(other.id).toBe(first.id);
    expect(other.digest).not.toBe(first.digest);
  });

  it('makes each write without a key its own: a fresh id and nothing to settle', () => {
    const first = retryableWrite(KEY, undefined, { text: 'note' });
    const second = retryableWrite(KEY, undefined, { text: 'note' });

    expect(first.id).not.toBe(second.id);
    expect(first.digest).toBeUndefined();
  });

  it('derives ids and digests with the deployment key: another key, or none, gives others', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (scope, text) => {
        const write = retryableWrite(KEY, scope, { text });
        const elsewhere = retryableWrite(OTHER_KEY, scope, { text });

        expect(CaseIdSchema.safeParse(write.id).success).toBe(true);
        expect(retryableWrite(KEY, scope, { text })).toEqual(write);
        expect(elsewhere.id).not.toBe(write.id);
        expect(elsewhere.digest).not.toBe(write.digest);
        expect(write.id).not.toBe(unkeyedId(scope));
        const sha256 = createHash('sha256').update(`${scope}\n{"text":${JSON.stringify(text)}}`);
        expect(write.digest).not.toBe(sha256.digest('base64url'));
      }),
    );
  });
});

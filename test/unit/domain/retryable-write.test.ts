import { describe, expect, it } from 'vitest';
import { retryableWrite } from '../../../src/domain/retryable-write';

const SCOPE = 'police createCase /v1/cases key-2026-0001';

describe('retryableWrite', () => {
  it('gives a retry of the same request the same id and the same digest, whatever its key order', () => {
    const first = retryableWrite(SCOPE, { urgency: 'high', category: 'neglect' });
    const retry = retryableWrite(SCOPE, { category: 'neglect', urgency: 'high' });

    expect(retry).toEqual(first);
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives another body under the same key the same id but another digest', () => {
    const first = retryableWrite(SCOPE, { text: 'first note' });
    const other = retryableWrite(SCOPE, { text: 'another note' });

    expect(other.id).toBe(first.id);
    expect(other.digest).not.toBe(first.digest);
  });

  it('makes each write without a key its own: a fresh id and nothing to settle', () => {
    const first = retryableWrite(undefined, { text: 'note' });
    const second = retryableWrite(undefined, { text: 'note' });

    expect(first.id).not.toBe(second.id);
    expect(first.digest).toBeUndefined();
  });
});

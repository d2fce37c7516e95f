import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex } from '../../../../src/domain/audit/encoding';

describe('base64 and hex without Buffer', () => {
  it('encode as Buffer does, and decode what they encode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64(bytes);

        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(fromBase64(text)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['no padding', 'AQ'],
    ['URL-safe alphabet', '-_8='],
    ['whitespace', 'AQID BA=='],
    ['non-zero unused bits', 'AR=='],
    ['padding inside', 'AQ==AQ=='],
    ['non-ASCII', 'AQ\u00e9='],
  ])('refuse a second spelling of the same bytes: %s', (_what, text) => {
    expect(fromBase64(text)).toBeUndefined();
  });
});

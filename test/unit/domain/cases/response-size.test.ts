import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  lambdaPayloadBytes,
  MAX_CASE_READ_BYTES,
  MAX_NOTES_PAGE_BYTES,
  maxJsonBytes,
} from '../../../support/json-bounds';

const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const API_GATEWAY_PAYLOAD_LIMIT = 10 * 1024 * 1024;

describe('the largest responses of the case routes', () => {
  it('bounds a value by its schema: 6 bytes a character at most, and every list by its maximum', () => {
    expect(maxJsonBytes(z.string().max(10))).toBe(62);
    expect(maxJsonBytes(z.array(z.boolean()).max(3))).toBe(2 + 3 * 6);
    expect(maxJsonBytes(z.strictObject({ a: z.enum(['x', 'yy']).optional() }))).toBe(2 + 4 + 4);
    expect(() => maxJsonBytes(z.array(z.string().max(1)))).toThrow('unbounded');
  });

  it('keeps a case read (five full sections, 10 notes of 10,000 characters) far under Lambda’s 6 MB', () => {
    expect(MAX_CASE_READ_BYTES).toBe(1_278_792);
    expect(lambdaPayloadBytes(MAX_CASE_READ_BYTES)).toBeLessThan(LAMBDA_PAYLOAD_LIMIT / 2);
    expect(MAX_CASE_READ_BYTES).toBeLessThan(API_GATEWAY_PAYLOAD_LIMIT / 4);
  });

  it('keeps a page of 20 notes far under it too', () => {
    expect(MAX_NOTES_PAGE_BYTES).toBe(1_231_996);
    expect(lambdaPayloadBytes(MAX_NOTES_PAGE_BYTES)).toBeLessThan(LAMBDA_PAYLOAD_LIMIT / 2);
  });
});

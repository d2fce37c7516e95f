import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../src/adapters/dynamodb/paging';

/** A cursor as a client could forge it: base64url of any JSON text. */
const forged = (json: string) => Buffer.from(json, 'utf8').toString('base64url');

describe('decodeCursor', () => {
  it('takes back a cursor it handed out', () => {
    const key = { pk: 'AGENCY#cfpc', sk: 'CASE#عبدالله' };

    expect(decodeCursor(encodeCursor(key), ['pk', 'sk'], { pk: 'AGENCY#cfpc' })).toEqual(key);
  });

  it('refuses a key holding a lone surrogate, which DynamoDB would read as another key', () => {
    const cursor = forged('{"pk":"AGENCY#cfpc","sk":"CASE#\\ud800"}');

    expect(decodeCursor(cursor, ['pk', 'sk'], { pk: 'AGENCY#cfpc' })).toBeNull();
  });
});

import fc from 'fast-check';
import { expect } from 'vitest';
import type { CallResult } from './client';

/** What the generators ask of a zod schema: whether it accepts a value. */
export type Schema = { safeParse(value: unknown): { success: boolean } };

/**
 * Values from the given arbitraries that `schema` refuses. The schema is the oracle, so none is valid by
 * accident; each value is judged as the server will see it, after a JSON round trip.
 */
export const refusedBy = (schema: Schema, ...candidates: fc.Arbitrary<unknown>[]) =>
  fc
    .oneof(...candidates)
    .filter((value) => !schema.safeParse(JSON.parse(JSON.stringify(value) ?? 'null')).success);

/** A valid body broken in one place each: a key missing, of the wrong type, too long, blank or unknown. */
export function brokenInOnePlace(body: Record<string, unknown>): unknown[] {
  const broken: unknown[] = [{ ...body, unexpected: true }, [body], null, 'body'];
  for (const [key, value] of Object.entries(body)) {
    const { [key]: _dropped, ...without } = body;
    broken.push(without);
    for (const wrong of [
      null,
      7,
      true,
      {},
      [],
      '',
      ' \u00a0 ',
      'x'.repeat(6000),
      ['identity', 'identity', 'x', 'y', 'z', 'w'],
    ]) {
      if (JSON.stringify(wrong) !== JSON.stringify(value)) broken.push({ ...body, [key]: wrong });
    }
  }
  return broken;
}

/**
 * Checks that a malformed request was refused cleanly (a 4xx problem+json with no internals in it), and
 * counts the checks, so that a file can assert it made as many requests as it meant to.
 */
export function cleanRefusals() {
  let checked = 0;
  return {
    get checked() {
      return checked;
    },
    async expectRefusedCleanly(response: CallResult) {
      checked += 1;
      expect(response.status, response.text).toBeLessThan(500);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.text).not.toMatch(/ at \w+ \(|Exception|node_modules/);
    },
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newEventId } from '../../../../src/domain/audit/event';

describe('newEventId', () => {
  it('sorts ids by the time they were made, whatever their random part', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(0), max: new Date('2999-12-31'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 10 ** 9 }),
        (at, later) => {
          const first = newEventId(at);
          const second = newEventId(new Date(at.getTime() + later));

          expect(first < second).toBe(true);
        },
      ),
    );
  });

  it('never repeats an id made in the same millisecond', () => {
    const at = new Date('2026-11-30T10:00:00.000Z');

    const ids = new Set(Array.from({ length: 1_000 }, () => newEventId(at)));

    expect(ids.size).toBe(1_000);
  });
});

import { describe, expect, it } from 'vitest';
import {
  isSmall,
  linesOf,
  protectCounts,
  rateVisible,
  withTotals,
} from '../../../../src/domain/stats/disclosure';
import { bridgeOf } from '../../../../src/domain/stats/disclosure-audit';
import { intervalPinned, linearlyDetermined } from '../../../support/disclosure-attacker';

const T = true;
const F = false;

/** No row or column of the published table (its total included) has exactly one suppressed entry. */
function expectNoLoneSuppression(mask: boolean[][]) {
  for (const line of linesOf(mask.map((row) => row.map(Number)))) {
    expect(line.filter(([r, c]) => mask[r]?.[c]).length).not.toBe(1);
  }
}

describe('primary suppression', () => {
  it('suppresses counts of 1 to 10 and shows 0 and 11', () => {
    expect([0, 1, 10, 11].map(isSmall)).toEqual([false, true, true, false]);
  });

  it('leaves a table without small counts as it is', () => {
    expect(
      protectCounts([
        [0, 11],
        [12, 40],
      ]),
    ).toEqual([
      [F, F, F],
      [F, F, F],
      [F, F, F],
    ]);
  });
});

describe('complementary suppression', () => {
  it('hides the smallest non-zero cells beside a small one so that no total gives it away', () => {
    // Prepare: 3 | 40 | 43 / 25 | 50 | 75 / 28 | 90 | 118
    // Act
    const mask = protectCounts([
      [3, 40],
      [25, 50],
    ]);
    // Assess
    expect(mask).toEqual([
      [T, T, F],
      [T, T, F],
      [F, F, F],
    ]);
    expectNoLoneSuppression(mask);
  });

  it('skips zeros when it chooses a complement', () => {
    expect(protectCounts([[4, 0, 12, 30]])).toEqual([
      [T, F, T, F, F],
      [T, F, T, F, F],
    ]);
  });

  it('protects a one-row table, whose column totals repeat its cells', () => {
    const mask = protectCounts([[5, 20, 30]]);
    expect(mask).toEqual([
      [T, T, F, F],
      [T, T, F, F],
    ]);
    expect(linearlyDetermined(mask)).toEqual([]);
  });

  it('protects a one-column table, whose row totals repeat its cells', () => {
    const mask = protectCounts([[4], [12], [30]]);
    expect(mask).toEqual([
      [T, T],
      [T, T],
      [F, F],
      [F, F],
    ]);
  });

  it('suppresses a total of 1 to 10 and protects it like a cell', () => {
    // 2 | 3 | 5 / 20 | 30 | 50 / 22 | 33 | 55: the row total 5 is small.
    const mask = protectCounts([
      [2, 3],
      [20, 30],
    ]);
    expect(mask).toEqual([
      [T, T, T],
      [T, T, T],
      [F, F, F],
    ]);
    expectNoLoneSuppression(mask);
  });

  it('suppresses everything when even the grand total is 1 to 10', () => {
    expect(
      protectCounts([
        [1, 2],
        [3, 4],
      ])
        .flat()
        .every(Boolean),
    ).toBe(true);
  });

  it('finds a suppressed entry that only a combination of equations fixes (a bridge) and joins its sides', () => {
    // Prepare: two 2×2 blocks and one entry between them: every line has 0 or at least 2 suppressed.
    const mask = [
      [T, T, T, F],
      [T, T, F, F],
      [F, F, T, T],
      [F, F, T, T],
    ];
    const values = withTotals([
      [5, 6, 7],
      [8, 9, 10],
      [11, 12, 13],
    ]);
    expect(linearlyDetermined(mask)).toEqual(['0,2']);
    // Act
    const repair = bridgeOf(mask, values);
    // Assess: each candidate joins rows 0-1 / columns 0-1 to rows 2-3 / columns 2-3.
    expect(repair?.candidates.length).toBeGreaterThan(0);
    for (const [r, c] of repair?.candidates ?? []) expect(r < 2).not.toBe(c < 2);
  });

  it('adds suppressions until interval bounds no longer pin a cell (two 1s beside a known 28)', () => {
    // Prepare: 28 | 1 | 0 | 1 | 30. Hiding the two 1s meets the line rule, yet 1 + 1 = 30 - 28 with
    // each at least 1 pins both.
    const grid = [[28, 1, 0, 1]];
    // Act
    const mask = protectCounts(grid);
    // Assess: the 28 joins them.
    expect(mask).toEqual([
      [T, T, F, T, F],
      [T, T, F, T, F],
    ]);
    expect(intervalPinned(withTotals(grid), mask, () => 1)).toEqual([]);
  });

  it('adds suppressions until no combination of equations fixes a cell', () => {
    // Prepare: hiding the small counts and then, line by line, the smallest beside them leaves a bridge.
    const grid = [
      [8, 9, 40],
      [0, 0, 7],
      [0, 6, 28],
    ];
    // Act
    const mask = protectCounts(grid);
    // Assess
    expect(linearlyDetermined(mask)).toEqual([]);
    expect(intervalPinned(withTotals(grid), mask, () => 1)).toEqual([]);
    expectNoLoneSuppression(mask);
  });
});

describe('all agencies beside one agency', () => {
  it("suppresses an all-agency cell when it minus one agency's own count is 1 to 10", () => {
    // Prepare: the police's 5 would be 55 − 50 for the Centre, which knows its own 50.
    const centre = [[50, 20]];
    const police = [[5, 30]];
    const all = [[55, 50]];
    // Act
    const plain = protectCounts(all);
    const guarded = protectCounts(all, { agencies: [centre, police] });
    // Assess
    expect(plain.flat().some(Boolean)).toBe(false);
    expect(guarded[0]?.[0]).toBe(true);
    expectNoLoneSuppression(guarded);
  });
});

describe('rates, shares, medians and percentiles', () => {
  it('need a denominator of at least 11', () => {
    expect(rateVisible(undefined, 10)).toBe(false);
    expect(rateVisible(undefined, 11)).toBe(true);
    expect(rateVisible(0, 10)).toBe(false);
    expect(rateVisible(11, 11)).toBe(true);
  });

  it('are hidden when the share would give away a count of 1 to 10 (met, or not met)', () => {
    expect(rateVisible(5, 40)).toBe(false);
    expect(rateVisible(35, 40)).toBe(false);
    expect(rateVisible(0, 40)).toBe(true);
    expect(rateVisible(20, 40)).toBe(true);
  });

  it('in the all-agency table, also need what the other agencies add to be nothing or at least 11', () => {
    expect(rateVisible(undefined, 30, [{ denominator: 25 }])).toBe(false);
    expect(rateVisible(undefined, 30, [{ denominator: 30 }])).toBe(true);
    expect(rateVisible(undefined, 30, [{ denominator: 19 }])).toBe(true);
    expect(rateVisible(20, 40, [{ numerator: 15, denominator: 20 }])).toBe(false);
  });
});

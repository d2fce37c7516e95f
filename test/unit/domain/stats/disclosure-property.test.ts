import { describe, expect, it } from 'vitest';
import { isSmall, protectCounts } from '../../../../src/domain/stats/disclosure';
import {
  exactlyDetermined,
  extend,
  intervalPinned,
  linearlyDetermined,
} from '../../../support/disclosure-attacker';
import { seededRandom } from '../../../support/seeded-random';

type Random = ReturnType<typeof seededRandom>;

/** Many zeros and small counts, some large ones: the tables where suppression is hardest. */
function count(random: Random, scale = 1): number {
  const roll = random.next();
  if (roll < 0.25) return 0;
  if (roll < 0.7) return random.int(1, Math.max(1, Math.round(10 * scale)));
  return random.int(11, Math.max(11, Math.round(60 * scale)));
}

/** Shapes cycle through 1×n, n×1, 1×1 and random ones up to 7×7. */
function shapeOf(random: Random, index: number): [number, number] {
  switch (index % 5) {
    case 0:
      return [1, random.int(1, 7)];
    case 1:
      return [random.int(1, 7), 1];
    case 2:
      return [random.int(2, 3), random.int(2, 3)];
    default:
      return [random.int(1, 7), random.int(1, 7)];
  }
}

const gridOf = (random: Random, [rows, columns]: [number, number], scale = 1) =>
  Array.from({ length: rows }, () => Array.from({ length: columns }, () => count(random, scale)));

describe('the attacker of these tests', () => {
  it('recovers, by the exact test, everything linear algebra or intervals recover, from primary suppression alone', () => {
    const random = seededRandom(7);
    let recovered = 0;
    for (let index = 0; index < 300; index++) {
      // Prepare: only the counts 1–10 hidden, which leaves much to recover.
      const grid = gridOf(random, shapeOf(random, index));
      const published = extend(grid);
      const mask = published.map((row) => row.map(isSmall));
      // Act
      const exact = exactlyDetermined(published, mask, () => 1);
      // Assess
      const context = JSON.stringify({ index, grid });
      for (const id of [...linearlyDetermined(mask), ...intervalPinned(published, mask, () => 1)]) {
        expect(exact, context).toContain(id);
      }
      recovered += exact.length;
    }
    expect(recovered).toBeGreaterThan(300);
  });
});

describe('disclosure control against a differencing attacker (seeded random tables)', () => {
  it('publishes no count of 1–10 and lets no suppressed entry be recovered, in 700 tables', () => {
    const random = seededRandom(13);
    let suppressedSeen = 0;
    for (let index = 0; index < 700; index++) {
      // Prepare
      const grid = gridOf(random, shapeOf(random, index));
      const published = extend(grid);
      // Act
      const mask = protectCounts(grid);
      // Assess
      const context = JSON.stringify({ index, grid, mask });
      for (const [r, row] of published.entries()) {
        for (const [c, value] of row.entries()) {
          const hidden = mask[r]?.[c] === true;
          if (isSmall(value)) expect(hidden, context).toBe(true);
          if (hidden) expect(value, `${context}: a zero is never suppressed`).toBeGreaterThan(0);
          if (hidden) suppressedSeen++;
        }
      }
      expect(linearlyDetermined(mask), context).toEqual([]);
      // Suppressed entries are never 0, so the attacker may assume at least 1.
      expect(
        intervalPinned(published, mask, () => 1),
        context,
      ).toEqual([]);
      expect(
        exactlyDetermined(published, mask, () => 1),
        context,
      ).toEqual([]);
    }
    expect(suppressedSeen).toBeGreaterThan(1000);
  });

  it('keeps every other agency safe from an agency that subtracts its own counts from the all-agency table, in 300 tables', () => {
    const random = seededRandom(2026);
    for (let index = 0; index < 300; index++) {
      // Prepare
      const shape = shapeOf(random, index);
      const agencies = Array.from({ length: random.int(2, 3) }, () => gridOf(random, shape, 0.6));
      const all = agencies[0]?.map((row, r) =>
        row.map((_, c) => agencies.reduce((s, g) => s + (g[r]?.[c] ?? 0), 0)),
      );
      // Act
      const mask = protectCounts(all ?? [], { agencies });
      // Assess: the attacker knows its own table exactly; what it learns is the rest.
      for (const own of agencies) {
        const ownExtended = extend(own);
        const rest = extend(all ?? []).map((row, r) => row.map((v, c) => v - (ownExtended[r]?.[c] ?? 0)));
        const context = JSON.stringify({ index, agencies, mask });
        const pinned = intervalPinned(rest, mask, (r, c) => Math.max(0, 1 - (ownExtended[r]?.[c] ?? 0)));
        const exact = exactlyDetermined(rest, mask, (r, c) => Math.max(0, 1 - (ownExtended[r]?.[c] ?? 0)));
        const learned = [...linearlyDetermined(mask), ...pinned, ...exact];
        for (const [r, row] of rest.entries()) {
          for (const [c, value] of row.entries()) {
            const known = mask[r]?.[c] !== true || learned.includes(`${r},${c}`);
            if (known) expect(isSmall(value), `${context}: rest ${value} at ${r},${c}`).toBe(false);
          }
        }
      }
      expect(linearlyDetermined(mask)).toEqual([]);
    }
  });
});

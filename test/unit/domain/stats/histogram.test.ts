import { describe, expect, it } from 'vitest';
import {
  BUCKETS_PER_DOUBLING,
  bucketOf,
  bucketValue,
  HISTOGRAM_BUCKETS,
  percentile,
} from '../../../../src/domain/stats/histogram';
import { seededRandom } from '../../../support/seeded-random';

const histogramOf = (minutes: number[]) => {
  const counts = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  for (const value of minutes) counts[bucketOf(value)] = (counts[bucketOf(value)] ?? 0) + 1;
  return counts;
};

describe('duration histogram', () => {
  it('puts under a minute in bucket 0, then four buckets per doubling, and caps at the overflow bucket', () => {
    expect([0, 0.99, -5, 1, 2, 4].map(bucketOf)).toEqual([0, 0, 0, 1, 1 + BUCKETS_PER_DOUBLING, 9]);
    expect(bucketOf(10 ** 9)).toBe(HISTOGRAM_BUCKETS - 1);
  });

  it('reports any duration from one minute to two years within 9.1 % (and a tenth of a minute)', () => {
    const random = seededRandom(90);
    for (let i = 0; i < 5000; i++) {
      const minutes = 2 ** (random.next() * 20);
      const reported = bucketValue(bucketOf(minutes));
      expect(Math.abs(reported - minutes)).toBeLessThanOrEqual(0.0906 * minutes + 0.05);
    }
  });

  it('takes the nearest-rank median and 90th percentile from the counts', () => {
    // Prepare: 1..20 minutes; the median is the 10th (10 min), the p90 the 18th (18 min).
    const counts = histogramOf(Array.from({ length: 20 }, (_, i) => i + 1));
    // Act, Assess
    expect(Math.abs((percentile(counts, 0.5) ?? 0) - 10) / 10).toBeLessThan(0.091);
    expect(Math.abs((percentile(counts, 0.9) ?? 0) - 18) / 18).toBeLessThan(0.091);
    expect(percentile(new Array(HISTOGRAM_BUCKETS).fill(0), 0.5)).toBeUndefined();
  });
});

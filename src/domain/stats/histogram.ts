/**
 * Durations as a bounded histogram of additive counters, so that medians and the 90th percentile come
 * from counters a stream processor can keep, like every other figure.
 *
 * Buckets, in minutes: bucket 0 is [0, 1); bucket k (1 ≤ k ≤ 80) is [2^((k-1)/4), 2^(k/4)), four per
 * doubling up to 2^20 minutes (about two years); bucket 81 holds anything longer. A percentile is the
 * nearest-rank observation's bucket, reported as the bucket's geometric midpoint to a tenth of a minute:
 * within a factor 2^(1/8) of the true value, i.e. at most 9.1 % off, plus the rounding (bucket 0, under
 * a minute, reports 0; the overflow bucket reports its lower bound, 2^20 minutes).
 */
export const BUCKETS_PER_DOUBLING = 4;
const TOP_BUCKET = 20 * BUCKETS_PER_DOUBLING;
export const HISTOGRAM_BUCKETS = TOP_BUCKET + 2;

/** The bucket of a duration in minutes (negative durations, from clock skew, count as 0). */
export function bucketOf(minutes: number): number {
  if (!(minutes >= 1)) return 0;
  const bucket = Math.floor(Math.log2(minutes) * BUCKETS_PER_DOUBLING) + 1;
  return Math.min(bucket, TOP_BUCKET + 1);
}

/** The value a bucket stands for, in minutes to one decimal. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0;
  if (bucket > TOP_BUCKET) return 2 ** (TOP_BUCKET / BUCKETS_PER_DOUBLING);
  return Math.round(10 * 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING)) / 10;
}

/** Minutes from one ISO time to another. */
export const minutesBetween = (from: string, to: string): number =>
  (new Date(to).getTime() - new Date(from).getTime()) / 60_000;

export const observations = (counts: readonly number[]): number =>
  counts.reduce((sum, count) => sum + Math.max(count, 0), 0);

/** The nearest-rank `p` percentile (0 < p ≤ 1) of a histogram; undefined when it is empty. */
export function percentile(counts: readonly number[], p: number): number | undefined {
  const total = observations(counts);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bucket, count] of counts.entries()) {
    seen += Math.max(count, 0);
    if (seen >= rank) return bucketValue(bucket);
  }
  return undefined;
}

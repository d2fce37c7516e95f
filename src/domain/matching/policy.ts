import * as z from 'zod';
import { tokenTruncation } from './blind-index';

/**
 * Matching's settings: how many records the index is sized for (the truncation of its tokens follows,
 * see `tokenTruncation`), and how many lookups an agency may make per minute.
 */
export interface MatchingPolicy {
  truncationBits: number;
  lookupsPerMinute: number;
}

/**
 * At most this many index entries per case (children × scripts × indexes, deduplicated): a case write
 * removes the old ones and adds the new ones in one transaction of at most 100 items. Children past it
 * (a case about more than a dozen children) are not indexed.
 */
export const MAX_INDEX_ENTRIES = 40;

/** At most this many cases in one answer: a lookup names a child, not a population. */
export const MAX_MATCHES = 10;

export const MatchingPolicyEnvSchema = z.object({
  MATCH_EXPECTED_RECORDS: z.coerce.number().int().min(4).max(1_000_000_000_000).default(50_000),
  MATCH_LOOKUPS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000_000).default(30),
});

export function matchingPolicyFromEnvironment(env: z.infer<typeof MatchingPolicyEnvSchema>): MatchingPolicy {
  // 32 bits at most: a key is read from the token's first four bytes (2^33 records is far past any need).
  return {
    truncationBits: Math.min(32, tokenTruncation(env.MATCH_EXPECTED_RECORDS)),
    lookupsPerMinute: env.MATCH_LOOKUPS_PER_MINUTE,
  };
}

/**
 * Perfect subtrees and the subtree store, from which the sealer and the proof server work without holding
 * the leaves in memory.
 *
 * The subtree store holds the hash of every perfect subtree of the log, keyed by (level, index), where the
 * subtree (level, index) covers the 2^level leaves [index * 2^level, (index + 1) * 2^level). Level 0 holds
 * the leaf hashes. Appending the leaf at index n completes exactly the subtrees (k, floor(n / 2^k)) for
 * k = 0 .. t, where t is the number of trailing one bits of n; `appendLeafWithSubtrees` /
 * `completedSubtrees` (compact-range.ts) list them with their hashes, computed from the frontier so the two
 * always agree. Entries are immutable once written and a rewrite carries the same value, so writes are
 * idempotent; the store holds fewer than 2n entries for n leaves. A perfect subtree is in the store exactly
 * when its last leaf has been appended, so every subtree inside a tree of size n is available once n
 * leaves are.
 */
import { MerkleTreeError } from './errors';
import { HASH_SIZE, isHash } from './hashing';

/** A perfect subtree of 2^level leaves starting at leaf index * 2^level. */
export interface SubtreeRef {
  readonly level: number;
  readonly index: number;
}

/** A perfect subtree with its hash, as written to the subtree store. */
export interface CompletedSubtree extends SubtreeRef {
  readonly hash: Uint8Array;
}

/** Returns the hash of the perfect subtree (level, index) from the subtree store. */
export type SubtreeHashLookup = (level: number, index: number) => Uint8Array;
/** Like `SubtreeHashLookup`, possibly asynchronous (a database read). */

/** The key of a subtree in maps and sets. */
export function subtreeKey(ref: SubtreeRef): string {
  return `${ref.level}/${ref.index}`;
}

/**
 * The perfect subtrees, left to right, that make up the leaf range [lo, hi). Valid for the ranges that
 * occur in an RFC 9162 tree: lo is a multiple of the smallest power of two >= hi - lo.
 */
export function rangeRefs(lo: number, hi: number): SubtreeRef[] {
  const refs: SubtreeRef[] = [];
  let start = lo;
  let remaining = hi - lo;
  let size = 1;
  let level = 0;
  while (size * 2 <= remaining) {
    size *= 2;
    level++;
  }
  for (; remaining > 0; size /= 2, level--) {
    if (remaining < size) continue;
    if (start % size !== 0) throw new MerkleTreeError(`range [${lo}, ${hi}) is not aligned to the tree`);
    refs.push({ level, index: start / size });
    start += size;
    remaining -= size;
  }
  return refs;
}

/** What the store returned for `ref`, if it is a hash. */
export function checkedSubtreeHash(hash: unknown, ref: SubtreeRef): Uint8Array {
  if (!isHash(hash)) {
    throw new MerkleTreeError(
      `subtree store returned no ${HASH_SIZE}-byte hash for (${ref.level}, ${ref.index})`,
    );
  }
  return hash;
}

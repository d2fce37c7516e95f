/**
 * The frontier: a compact range over [0, n), the roots of the perfect subtrees given by the binary
 * decomposition of the tree size n, largest (leftmost) first; one hash per set bit of n, so at most 53.
 * The sealer keeps it with the latest checkpoint; `appendLeaf` advances it and `rootFromFrontier` gives the
 * RFC 9162 root (MTH) of the tree. Appending also yields the perfect subtrees the leaf completes, which the
 * sealer writes to the subtree store (see subtrees.ts).
 */
import { MerkleTreeError } from './errors';
import { emptyRootHash, nodeHash, rangeHash, requireHash } from './hashing';
import { half, isOdd, popCount, requireSize } from './sizes';
import { type CompletedSubtree, rangeRefs, type SubtreeRef } from './subtrees';

/** The compact state of a tree of `size` leaves: roots of the perfect subtrees of its binary decomposition. */
export interface Frontier {
  readonly size: number;
  /** Largest (leftmost) subtree first; `hashes.length` equals the number of set bits of `size`. */
  readonly hashes: readonly Uint8Array[];
}

export const EMPTY_FRONTIER: Frontier = Object.freeze({
  size: 0,
  hashes: Object.freeze([]) as readonly Uint8Array[],
});

/** The perfect subtrees a tree of `size` leaves decomposes into: the store entries behind its frontier. */
export function frontierRefs(size: number): SubtreeRef[] {
  requireSize(size, 'tree size');
  return rangeRefs(0, size);
}

function requireFrontier(frontier: Frontier): void {
  requireSize(frontier.size, 'frontier size');
  if (!Array.isArray(frontier.hashes) || frontier.hashes.length !== popCount(frontier.size)) {
    throw new MerkleTreeError(`a frontier of size ${frontier.size} holds ${popCount(frontier.size)} hashes`);
  }
  frontier.hashes.forEach((hash, i) => {
    requireHash(hash, `frontier hash ${i}`);
  });
}

/** Builds a frontier from the store entries listed by `frontierRefs(size)`, in that order. */
export function frontierFromHashes(size: number, hashes: readonly Uint8Array[]): Frontier {
  const frontier: Frontier = { size, hashes: hashes.map((hash) => hash.slice()) };
  requireFrontier(frontier);
  return frontier;
}

/**
 * Appends one leaf hash: returns the new frontier and the perfect subtrees the leaf completes, level 0
 * (the leaf itself) first. The sealer writes `completed` to the subtree store and keeps `frontier`.
 */
export function appendLeafWithSubtrees(
  frontier: Frontier,
  leafHashValue: Uint8Array,
): { frontier: Frontier; completed: CompletedSubtree[] } {
  requireFrontier(frontier);
  requireHash(leafHashValue, 'leaf hash');
  if (frontier.size >= Number.MAX_SAFE_INTEGER) throw new MerkleTreeError('the tree is full');
  const hashes = frontier.hashes.slice();
  let hash: Uint8Array = leafHashValue.slice();
  let level = 0;
  let index = frontier.size;
  const completed: CompletedSubtree[] = [{ level, index, hash }];
  while (isOdd(index)) {
    hash = nodeHash(hashes.pop() as Uint8Array, hash);
    level++;
    index = half(index);
    completed.push({ level, index, hash });
  }
  hashes.push(hash);
  return { frontier: { size: frontier.size + 1, hashes }, completed };
}

/** The frontier after appending one leaf hash. */
export function appendLeaf(frontier: Frontier, leafHashValue: Uint8Array): Frontier {
  return appendLeafWithSubtrees(frontier, leafHashValue).frontier;
}

/** The perfect subtrees (with hashes) that appending `leafHashValue` to `frontier` completes. */
export function completedSubtrees(frontier: Frontier, leafHashValue: Uint8Array): CompletedSubtree[] {
  return appendLeafWithSubtrees(frontier, leafHashValue).completed;
}

/** MTH of the tree the frontier describes: the right fold of its subtree roots. */
export function rootFromFrontier(frontier: Frontier): Uint8Array {
  requireFrontier(frontier);
  return frontier.hashes.length === 0 ? emptyRootHash() : rangeHash(frontier.hashes);
}

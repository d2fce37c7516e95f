/**
 * RFC 9162 inclusion and consistency proofs (§2.1.3.1, §2.1.4.1), from the subtree store or, for tests and
 * tools, from a whole list of leaf hashes.
 *
 * Every proof node is the MTH of a range of leaves [lo, hi) that is either a perfect subtree or lies on the
 * right edge of the tree; an edge range is the right fold of the perfect subtrees of the binary
 * decomposition of hi - lo starting at lo. A proof is therefore computed in two steps: a *plan*
 * (`inclusionProofPlan`, `consistencyProofPlan`) lists, for each proof node, the perfect subtrees to fold,
 * and `resolveProofPlan` fetches them from the store (one batch, O(log n) distinct
 * entries) and fold them into the proof.
 */
import { MerkleTreeError } from './errors';
import { rangeHash, rootHash } from './hashing';
import { requireSize, splitPoint } from './sizes';
import {
  checkedSubtreeHash,
  rangeRefs,
  type SubtreeHashLookup,
  type SubtreeRef,
  subtreeKey,
} from './subtrees';

/**
 * For each proof node in order, the perfect subtrees (left to right) whose right fold
 * (`nodeHash(h1, nodeHash(h2, ... hk))`) is that node's hash.
 */
export type ProofPlan = readonly (readonly SubtreeRef[])[];

/** Plan of the inclusion proof PATH(index, D[0:size]) (RFC 9162 §2.1.3.1); bottom-up order. */
export function inclusionProofPlan(index: number, size: number): ProofPlan {
  requireSize(index, 'leaf index');
  requireSize(size, 'tree size');
  if (index >= size) throw new MerkleTreeError(`leaf index ${index} is not in a tree of size ${size}`);
  const topDown: SubtreeRef[][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index - lo < k) {
      topDown.push(rangeRefs(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(rangeRefs(lo, lo + k));
      lo += k;
    }
  }
  return topDown.reverse();
}

/**
 * Plan of the consistency proof PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1), for 0 < size1 <= size2
 * (empty when the sizes are equal).
 */
export function consistencyProofPlan(size1: number, size2: number): ProofPlan {
  requireSize(size1, 'first tree size');
  requireSize(size2, 'second tree size');
  if (size1 === 0 || size1 > size2) {
    throw new MerkleTreeError(
      `no consistency proof from size ${size1} to size ${size2} (need 0 < size1 <= size2)`,
    );
  }
  // Iterative SUBPROOF(m, D[lo:hi], whole): `m` counts leaves of the old tree inside [lo, hi).
  const topDown: SubtreeRef[][] = [];
  let m = size1;
  let lo = 0;
  let hi = size2;
  let whole = true;
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      topDown.push(rangeRefs(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(rangeRefs(lo, lo + k));
      m -= k;
      lo += k;
      whole = false;
    }
  }
  if (!whole) topDown.push(rangeRefs(lo, hi));
  return topDown.reverse();
}

/** The distinct subtrees a plan needs, in first-use order (for a batched store read). */
export function planSubtreeRefs(plan: ProofPlan): SubtreeRef[] {
  const seen = new Set<string>();
  const refs: SubtreeRef[] = [];
  for (const node of plan) {
    for (const ref of node) {
      const key = subtreeKey(ref);
      if (seen.has(key)) continue;
      seen.add(key);
      refs.push(ref);
    }
  }
  return refs;
}

function foldPlan(plan: ProofPlan, hashOf: (ref: SubtreeRef) => Uint8Array): Uint8Array[] {
  return plan.map((node) => {
    if (node.length === 0) throw new MerkleTreeError('empty proof node in plan');
    return rangeHash(node.map(hashOf));
  });
}

/** Turns a plan into proof hashes with a synchronous subtree lookup. */
export function resolveProofPlan(plan: ProofPlan, getSubtreeHash: SubtreeHashLookup): Uint8Array[] {
  const cache = new Map<string, Uint8Array>();
  return foldPlan(plan, (ref) => {
    const key = subtreeKey(ref);
    let hash = cache.get(key);
    if (hash === undefined) {
      hash = checkedSubtreeHash(getSubtreeHash(ref.level, ref.index), ref);
      cache.set(key, hash);
    }
    return hash;
  });
}

/** Inclusion proof for leaf `index` in the tree of all `leafHashes` (whole list in memory: tests, tools). */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return resolveProofPlan(inclusionProofPlan(index, leafHashes.length), perfectSubtreeFromLeaves(leafHashes));
}

/** Consistency proof from size m to size n over the first n of `leafHashes` (whole list in memory). */
export function consistencyProof(m: number, n: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  requireSize(n, 'second tree size');
  if (n > leafHashes.length)
    throw new MerkleTreeError(`tree size ${n} exceeds the ${leafHashes.length} leaves`);
  return resolveProofPlan(consistencyProofPlan(m, n), perfectSubtreeFromLeaves(leafHashes));
}

function perfectSubtreeFromLeaves(leafHashes: readonly Uint8Array[]): SubtreeHashLookup {
  return (level, index) => {
    const width = 2 ** level;
    const start = index * width;
    if (start + width > leafHashes.length)
      throw new MerkleTreeError(`subtree (${level}, ${index}) is incomplete`);
    return rootHash(leafHashes.slice(start, start + width));
  };
}

/**
 * RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency): what a client holding a signed
 * root runs. Malformed input is rejected, never trusted.
 */
import { MerkleProofError } from './errors';
import { emptyRootHash, HASH_SIZE, hashesEqual, isHash, nodeHash } from './hashing';
import { half, isOdd, isPowerOfTwo, isSize } from './sizes';

/**
 * Walks a proof up from node `fn` of a level whose last node is `sn` (the loop of RFC 9162 §2.1.3.2 and
 * §2.1.4.2): `join(c, true)` where the proof node c is the left sibling of the running hash,
 * `join(c, false)` where it is the right one. Says whether the walk ended at the root with the last node.
 */
function walkProof(
  fn: number,
  sn: number,
  proof: readonly Uint8Array[],
  join: (sibling: Uint8Array, onLeft: boolean) => void,
): 'complete' | 'too-long' | 'too-short' {
  for (const c of proof) {
    if (sn === 0) return 'too-long';
    if (isOdd(fn) || fn === sn) {
      join(c, true);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      join(c, false);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? 'complete' : 'too-short';
}

function checkInclusionArguments(
  index: number,
  size: number,
  leafHashValue: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  if (!isSize(index) || !isSize(size))
    throw new MerkleProofError('index and size must be non-negative integers');
  if (index >= size) throw new MerkleProofError(`leaf index ${index} is not in a tree of size ${size}`);
  if (!isHash(leafHashValue)) throw new MerkleProofError(`the leaf hash is not ${HASH_SIZE} bytes`);
  if (!Array.isArray(proof) || !proof.every(isHash)) {
    throw new MerkleProofError(`every proof element must be ${HASH_SIZE} bytes`);
  }
}

/**
 * The root hash an inclusion proof leads to (RFC 9162 §2.1.3.2). Throws `MerkleProofError` when the
 * inputs are malformed: index not below size, hashes not 32 bytes, proof too long or too short.
 */
export function rootFromInclusion(
  index: number,
  size: number,
  leafHashValue: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkInclusionArguments(index, size, leafHashValue, proof);
  let r = leafHashValue;
  const walk = walkProof(index, size - 1, proof, (c, onLeft) => {
    r = onLeft ? nodeHash(c, r) : nodeHash(r, c);
  });
  if (walk === 'too-long') throw new MerkleProofError('the inclusion proof is too long');
  if (walk === 'too-short') throw new MerkleProofError('the inclusion proof is too short');
  return r.slice();
}

/** Whether `proof` proves that `leafHash` is the leaf at `index` of the tree of `size` with root `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHashValue: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    return isHash(root) && hashesEqual(rootFromInclusion(index, size, leafHashValue, proof), root);
  } catch (error) {
    if (error instanceof MerkleProofError) return false;
    throw error;
  }
}

/**
 * Whether `proof` proves that the tree of `size2` with root `root2` extends the tree of `size1` with root
 * `root1` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots (for size 0, the empty-tree
 * root). A proof from the empty tree (size1 = 0 < size2) is rejected: RFC 9162 defines consistency proofs
 * only for 0 < size1, and one from size 0 would prove nothing.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 > size2) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array) || !Array.isArray(proof)) return false;
  if (size1 === size2) {
    if (proof.length !== 0 || !hashesEqual(root1, root2)) return false;
    return size1 !== 0 || hashesEqual(root1, emptyRootHash());
  }
  if (size1 === 0 || proof.length === 0) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  const roots = rootsFromConsistency(size1, size2, path);
  return roots !== undefined && hashesEqual(roots.first, root1) && hashesEqual(roots.second, root2);
}

/**
 * The roots of the two trees a consistency path leads to (RFC 9162 §2.1.4.2), for 0 < size1 < size2 and
 * well-formed hashes; undefined when the path does not fit the sizes.
 */
function rootsFromConsistency(
  size1: number,
  size2: number,
  path: readonly Uint8Array[],
): { first: Uint8Array; second: Uint8Array } | undefined {
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let first = path[0] as Uint8Array;
  let second = first;
  const walk = walkProof(fn, sn, path.slice(1), (c, onLeft) => {
    if (onLeft) first = nodeHash(c, first);
    second = onLeft ? nodeHash(c, second) : nodeHash(second, c);
  });
  return walk === 'complete' ? { first, second } : undefined;
}

/**
 * RFC 9162 (RFC 6962) Merkle hash tree for the audit log: hashing, proof generation and proof verification.
 * Pure functions over SHA-256; no I/O.
 *
 * Tree sizes and indices are JavaScript numbers and must be safe integers (< 2^53); arithmetic uses
 * division rather than 32-bit bitwise operators so every safe size works.
 *
 * ## Storage model (sealer and proof server)
 *
 * Nothing here needs all leaves in memory. Two structures are kept instead:
 *
 * - The **frontier** (a "compact range" over [0, n)): the roots of the perfect subtrees given by the binary
 *   decomposition of the tree size n, largest (leftmost) first; one hash per set bit of n, so at most 53.
 *   The sealer keeps it with the latest checkpoint; `appendLeaf` advances it and `rootFromFrontier` gives
 *   the RFC 9162 root (MTH) of the tree.
 * - The **subtree store**: the hash of every perfect subtree of the log, keyed by (level, index), where the
 *   subtree (level, index) covers the 2^level leaves [index * 2^level, (index + 1) * 2^level). Level 0 holds
 *   the leaf hashes. Appending the leaf at index n completes exactly the subtrees (k, floor(n / 2^k)) for
 *   k = 0 .. t, where t is the number of trailing one bits of n; `appendLeafWithSubtrees` /
 *   `completedSubtrees` list them with their hashes (computed from the frontier, so the two always agree).
 *   Entries are immutable once written and a rewrite carries the same value, so writes are idempotent;
 *   the store holds fewer than 2n entries for n leaves. A perfect subtree is in the store exactly when its
 *   last leaf has been appended, so every subtree inside a tree of size n is available once n leaves are.
 *
 * Every node of an inclusion or consistency proof (RFC 9162 §2.1.3, §2.1.4) is the MTH of a range of
 * leaves [lo, hi) that is either a perfect subtree or lies on the right edge of the tree; an edge range is
 * the right fold of the perfect subtrees of the binary decomposition of hi - lo starting at lo. A proof is
 * therefore computed in two steps: a *plan* (`inclusionProofPlan`, `consistencyProofPlan`) lists, for each
 * proof node, the perfect subtrees to fold, and `resolveProofPlan` / `resolveProofPlanAsync` fetch them
 * from the store (one batch, O(log n) distinct entries) and fold them into the proof.
 */
import { createHash } from 'node:crypto';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

/** An argument to a tree or proof-generation function is invalid (a programming or storage error). */
export class MerkleTreeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MerkleTreeError';
  }
}

/** A proof (or the values it is checked against) is malformed or does not fit the claimed tree. */
export class MerkleProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MerkleProofError';
  }
}

/** A perfect subtree of 2^level leaves starting at leaf index * 2^level. */
export interface SubtreeRef {
  readonly level: number;
  readonly index: number;
}

/** A perfect subtree with its hash, as written to the subtree store. */
export interface CompletedSubtree extends SubtreeRef {
  readonly hash: Uint8Array;
}

/**
 * For each proof node in order, the perfect subtrees (left to right) whose right fold
 * (`nodeHash(h1, nodeHash(h2, ... hk))`) is that node's hash.
 */
export type ProofPlan = readonly (readonly SubtreeRef[])[];

/** Returns the hash of the perfect subtree (level, index); see the storage model above. */
export type SubtreeHashLookup = (level: number, index: number) => Uint8Array;
/** Like `SubtreeHashLookup`, possibly asynchronous (a database read). */
export type AsyncSubtreeHashLookup = (level: number, index: number) => Uint8Array | Promise<Uint8Array>;

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

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const EMPTY_ROOT = sha256();

/** MTH({}) = SHA-256 of the empty string: the root of the empty tree. */
export function emptyRootHash(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/** RFC 9162 §2.1.1: MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leafInput: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leafInput);
}

/** RFC 9162 §2.1.1: the interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Byte-wise equality of two hashes (or any byte strings). */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** The number of set bits of a safe integer. */
function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = half(rest)) if (isOdd(rest)) count++;
  return count;
}

/** The largest power of two strictly smaller than n (n >= 2): the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function requireSize(value: unknown, what: string): number {
  if (!isSize(value))
    throw new MerkleTreeError(`${what} must be a non-negative safe integer, got ${String(value)}`);
  return value;
}

function requireHash(value: unknown, what: string): Uint8Array {
  if (!isHash(value)) throw new MerkleTreeError(`${what} must be a ${HASH_SIZE}-byte hash`);
  return value;
}

/**
 * The perfect subtrees, left to right, that make up the leaf range [lo, hi). Valid for the ranges that
 * occur in an RFC 9162 tree: lo is a multiple of the smallest power of two >= hi - lo.
 */
function rangeRefs(lo: number, hi: number): SubtreeRef[] {
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

/** MTH of a list of leaf hashes (RFC 9162 §2.1.1), computed level by level. */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRootHash();
  let level = leafHashes.map((hash, i) => requireHash(hash, `leaf hash ${i}`));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (isOdd(level.length)) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return (level[0] as Uint8Array).slice();
}

// ---------------------------------------------------------------------------------------------------------
// Proof plans: which perfect subtrees make up each proof node.

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

/** The perfect subtrees a tree of `size` leaves decomposes into: the store entries behind its frontier. */
export function frontierRefs(size: number): SubtreeRef[] {
  requireSize(size, 'tree size');
  return rangeRefs(0, size);
}

/** The distinct subtrees a plan needs, in first-use order (for a batched store read). */
export function planSubtreeRefs(plan: ProofPlan): SubtreeRef[] {
  const seen = new Set<string>();
  const refs: SubtreeRef[] = [];
  for (const node of plan) {
    for (const ref of node) {
      const key = `${ref.level}/${ref.index}`;
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
    let acc = hashOf(node[node.length - 1] as SubtreeRef);
    for (let i = node.length - 2; i >= 0; i--) acc = nodeHash(hashOf(node[i] as SubtreeRef), acc);
    return acc.slice();
  });
}

function checkedLookupResult(hash: unknown, ref: SubtreeRef): Uint8Array {
  if (!isHash(hash)) {
    throw new MerkleTreeError(
      `subtree store returned no ${HASH_SIZE}-byte hash for (${ref.level}, ${ref.index})`,
    );
  }
  return hash;
}

/** Turns a plan into proof hashes with a synchronous subtree lookup. */
export function resolveProofPlan(plan: ProofPlan, getSubtreeHash: SubtreeHashLookup): Uint8Array[] {
  const cache = new Map<string, Uint8Array>();
  return foldPlan(plan, (ref) => {
    const key = `${ref.level}/${ref.index}`;
    let hash = cache.get(key);
    if (hash === undefined) {
      hash = checkedLookupResult(getSubtreeHash(ref.level, ref.index), ref);
      cache.set(key, hash);
    }
    return hash;
  });
}

/** Turns a plan into proof hashes, reading every distinct subtree once, concurrently. */
export async function resolveProofPlanAsync(
  plan: ProofPlan,
  getSubtreeHash: AsyncSubtreeHashLookup,
): Promise<Uint8Array[]> {
  const refs = planSubtreeRefs(plan);
  const hashes = await Promise.all(refs.map((ref) => getSubtreeHash(ref.level, ref.index)));
  const byKey = new Map<string, Uint8Array>();
  refs.forEach((ref, i) => {
    byKey.set(`${ref.level}/${ref.index}`, checkedLookupResult(hashes[i], ref));
  });
  return foldPlan(plan, (ref) => byKey.get(`${ref.level}/${ref.index}`) as Uint8Array);
}

// ---------------------------------------------------------------------------------------------------------
// Proof generation.

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

/** Inclusion proof from the subtree store (see the storage model); the store may be asynchronous. */
export function inclusionProofFromStore(
  index: number,
  size: number,
  getSubtreeHash: AsyncSubtreeHashLookup,
): Promise<Uint8Array[]> {
  return resolveProofPlanAsync(inclusionProofPlan(index, size), getSubtreeHash);
}

/** Synchronous variant of `inclusionProofFromStore`. */
export function inclusionProofFromStoreSync(
  index: number,
  size: number,
  getSubtreeHash: SubtreeHashLookup,
): Uint8Array[] {
  return resolveProofPlan(inclusionProofPlan(index, size), getSubtreeHash);
}

/** Consistency proof from size m to size n from the subtree store (0 < m <= n). */
export function consistencyProofFromStore(
  m: number,
  n: number,
  getSubtreeHash: AsyncSubtreeHashLookup,
): Promise<Uint8Array[]> {
  return resolveProofPlanAsync(consistencyProofPlan(m, n), getSubtreeHash);
}

/** Synchronous variant of `consistencyProofFromStore`. */
export function consistencyProofFromStoreSync(
  m: number,
  n: number,
  getSubtreeHash: SubtreeHashLookup,
): Uint8Array[] {
  return resolveProofPlan(consistencyProofPlan(m, n), getSubtreeHash);
}

// ---------------------------------------------------------------------------------------------------------
// Frontier (compact range) for incremental appends.

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

/** Reads the frontier of a tree of `size` leaves from the subtree store (e.g. to resume the sealer). */
export async function frontierFromStore(
  size: number,
  getSubtreeHash: AsyncSubtreeHashLookup,
): Promise<Frontier> {
  const refs = frontierRefs(size);
  const hashes = await Promise.all(refs.map((ref) => getSubtreeHash(ref.level, ref.index)));
  return frontierFromHashes(
    size,
    hashes.map((hash, i) => checkedLookupResult(hash, refs[i] as SubtreeRef)),
  );
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
  const { hashes } = frontier;
  if (hashes.length === 0) return emptyRootHash();
  let acc = hashes[hashes.length - 1] as Uint8Array;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Uint8Array, acc);
  return acc.slice();
}

// ---------------------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2).

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
  if (!isSize(index) || !isSize(size))
    throw new MerkleProofError('index and size must be non-negative integers');
  if (index >= size) throw new MerkleProofError(`leaf index ${index} is not in a tree of size ${size}`);
  if (!isHash(leafHashValue)) throw new MerkleProofError(`the leaf hash is not ${HASH_SIZE} bytes`);
  if (!Array.isArray(proof) || !proof.every(isHash)) {
    throw new MerkleProofError(`every proof element must be ${HASH_SIZE} bytes`);
  }
  let fn = index;
  let sn = size - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (sn === 0) throw new MerkleProofError('the inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new MerkleProofError('the inclusion proof is too short');
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
    return size1 !== 0 || hashesEqual(root1, EMPTY_ROOT);
  }
  if (size1 === 0 || proof.length === 0) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;

  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(fr, root1) && hashesEqual(sr, root2);
}

/**
 * What the Merkle tests share: a naive reference implementation straight from the RFC 9162 definitions,
 * and a log of a few thousand leaves grown by appending each one, with its frontiers and subtree store.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  appendLeafWithSubtrees,
  EMPTY_FRONTIER,
  type Frontier,
  frontierFromHashes,
  frontierRefs,
} from '../../../../../src/domain/audit/merkle/compact-range';
import {
  consistencyProofPlan,
  inclusionProofPlan,
  type ProofPlan,
  planSubtreeRefs,
  resolveProofPlan,
} from '../../../../../src/domain/audit/merkle/proofs';
import {
  checkedSubtreeHash,
  type SubtreeHashLookup,
  type SubtreeRef,
  subtreeKey,
} from '../../../../../src/domain/audit/merkle/subtrees';

// ---------------------------------------------------------------------------------------------------------
// Naive reference implementation, straight from the RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 definitions.

export const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};
export const refLeaf = (input: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), input);
const refNode = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(Uint8Array.of(1), left, right);

/** The largest power of two smaller than n. */
const refSplit = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaf hashes (MTH({d}) is the leaf hash of d). */
export const refMth = (d: readonly Uint8Array[]): Uint8Array => {
  if (d.length === 0) return sha256();
  if (d.length === 1) return d[0] as Uint8Array;
  const k = refSplit(d.length);
  return refNode(refMth(d.slice(0, k)), refMth(d.slice(k)));
};

export const refPath = (m: number, d: readonly Uint8Array[]): Uint8Array[] => {
  if (d.length === 1) return [];
  const k = refSplit(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refMth(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
};

const refSubproof = (m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] => {
  if (m === d.length) return b ? [] : [refMth(d)];
  const k = refSplit(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refMth(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refMth(d.slice(0, k))];
};
export const refProof = (m: number, d: readonly Uint8Array[]): Uint8Array[] => refSubproof(m, d, true);

// ---------------------------------------------------------------------------------------------------------
// Shared data: leaves, frontiers and a subtree store built once by appending every leaf.

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const hexes = (list: readonly Uint8Array[]): string[] => list.map(hex);
export const b64 = (text: string | null | undefined): Uint8Array =>
  new Uint8Array(Buffer.from(text ?? '', 'base64'));

export const MAX_LEAVES = 4100;
export const LEAVES: Uint8Array[] = Array.from({ length: MAX_LEAVES }, (_, i) =>
  refLeaf(Buffer.from(`audit event ${i}`)),
);

interface Store {
  /** frontiers[s] is the frontier after s appends. */
  frontiers: Frontier[];
  subtrees: Map<string, Uint8Array>;
}
let built: Store | undefined;

/** The frontiers and subtree store of LEAVES, built on first use by appending every leaf. */
export function grownTree(): Store {
  if (built) return built;
  const frontiers: Frontier[] = [EMPTY_FRONTIER];
  const subtrees = new Map<string, Uint8Array>();
  let frontier = EMPTY_FRONTIER;
  for (const leaf of LEAVES) {
    const step = appendLeafWithSubtrees(frontier, leaf);
    for (const { level, index, hash } of step.completed) subtrees.set(`${level}/${index}`, hash);
    frontier = step.frontier;
    frontiers.push(frontier);
  }
  built = { frontiers, subtrees };
  return built;
}

/** A store lookup that refuses subtrees not yet complete in a tree of `size` leaves. */
export const lookupAt =
  (size: number) =>
  (level: number, index: number): Uint8Array => {
    if ((index + 1) * 2 ** level > size)
      throw new Error(`subtree (${level}, ${index}) is outside size ${size}`);
    const hash = grownTree().subtrees.get(`${level}/${index}`);
    if (hash === undefined) throw new Error(`subtree (${level}, ${index}) is missing from the store`);
    return hash;
  };

/** A tree size and a leaf index inside it; large sizes, few runs. */
export const sizeAndIndex = fc
  .integer({ min: 1, max: MAX_LEAVES })
  .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
/** Two tree sizes 0 < size1 <= size2. */
export const sizePair = fc
  .integer({ min: 1, max: MAX_LEAVES })
  .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)));

export const flipBit = (hashes: readonly Uint8Array[], element: number, bit: number): Uint8Array[] =>
  hashes.map((hash, i) => {
    if (i !== element) return hash;
    const copy = hash.slice();
    copy[Math.floor(bit / 8)] = (copy[Math.floor(bit / 8)] as number) ^ (1 << (bit % 8));
    return copy;
  });

// ---------------------------------------------------------------------------------------------------------
// Proofs and frontiers read from a subtree store through a lookup, synchronous or not: the way a store
// other than tiles would serve them, to check the plans against the reference on any store.

type AsyncLookup = (level: number, index: number) => Uint8Array | Promise<Uint8Array>;

async function readAll(refs: readonly SubtreeRef[], lookup: AsyncLookup): Promise<Uint8Array[]> {
  const hashes = await Promise.all(refs.map((ref) => lookup(ref.level, ref.index)));
  return hashes.map((hash, i) => checkedSubtreeHash(hash, refs[i] as SubtreeRef));
}

async function resolveAsync(plan: ProofPlan, lookup: AsyncLookup): Promise<Uint8Array[]> {
  const refs = planSubtreeRefs(plan);
  const hashes = await readAll(refs, lookup);
  const byKey = new Map(refs.map((ref, i) => [subtreeKey(ref), hashes[i] as Uint8Array]));
  return resolveProofPlan(plan, (level, index) => byKey.get(subtreeKey({ level, index })) as Uint8Array);
}

export const inclusionProofFromStoreSync = (index: number, size: number, lookup: SubtreeHashLookup) =>
  resolveProofPlan(inclusionProofPlan(index, size), lookup);
export const consistencyProofFromStoreSync = (m: number, n: number, lookup: SubtreeHashLookup) =>
  resolveProofPlan(consistencyProofPlan(m, n), lookup);
export const inclusionProofFromStore = (index: number, size: number, lookup: AsyncLookup) =>
  resolveAsync(inclusionProofPlan(index, size), lookup);
export const consistencyProofFromStore = (m: number, n: number, lookup: AsyncLookup) =>
  resolveAsync(consistencyProofPlan(m, n), lookup);
export const frontierFromStore = async (size: number, lookup: AsyncLookup): Promise<Frontier> =>
  frontierFromHashes(size, await readAll(frontierRefs(size), lookup));

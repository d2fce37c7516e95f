import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appendLeaf,
  appendLeafWithSubtrees,
  type CompletedSubtree,
  completedSubtrees,
  consistencyProof,
  consistencyProofFromStore,
  consistencyProofFromStoreSync,
  consistencyProofPlan,
  EMPTY_FRONTIER,
  type Frontier,
  frontierFromStore,
  frontierRefs,
  inclusionProof,
  inclusionProofFromStore,
  inclusionProofFromStoreSync,
  inclusionProofPlan,
  leafHash,
  MerkleTreeError,
  nodeHash,
  planSubtreeRefs,
  resolveProofPlan,
  rootFromFrontier,
  rootFromInclusion,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from '../../../../src/domain/audit/merkle';

// ---------------------------------------------------------------------------------------------------------
// Naive reference implementation, straight from the RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 definitions.

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};
const refLeaf = (input: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), input);
const refNode = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(Uint8Array.of(1), left, right);

/** The largest power of two smaller than n. */
const refSplit = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaf hashes (MTH({d}) is the leaf hash of d). */
const refMth = (d: readonly Uint8Array[]): Uint8Array => {
  if (d.length === 0) return sha256();
  if (d.length === 1) return d[0] as Uint8Array;
  const k = refSplit(d.length);
  return refNode(refMth(d.slice(0, k)), refMth(d.slice(k)));
};

const refPath = (m: number, d: readonly Uint8Array[]): Uint8Array[] => {
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
const refProof = (m: number, d: readonly Uint8Array[]): Uint8Array[] => refSubproof(m, d, true);

// ---------------------------------------------------------------------------------------------------------
// Shared data: leaves, frontiers and a subtree store built once by appending every leaf.

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const hexes = (list: readonly Uint8Array[]): string[] => list.map(hex);
const b64 = (text: string | null | undefined): Uint8Array =>
  new Uint8Array(Buffer.from(text ?? '', 'base64'));

const MAX_LEAVES = 4100;
const LEAVES: Uint8Array[] = Array.from({ length: MAX_LEAVES }, (_, i) =>
  refLeaf(Buffer.from(`audit event ${i}`)),
);

interface Store {
  /** frontiers[s] is the frontier after s appends. */
  frontiers: Frontier[];
  subtrees: Map<string, Uint8Array>;
}
let built: Store;

/** A store lookup that refuses subtrees not yet complete in a tree of `size` leaves. */
const lookupAt =
  (size: number) =>
  (level: number, index: number): Uint8Array => {
    if ((index + 1) * 2 ** level > size)
      throw new Error(`subtree (${level}, ${index}) is outside size ${size}`);
    const hash = built.subtrees.get(`${level}/${index}`);
    if (hash === undefined) throw new Error(`subtree (${level}, ${index}) is missing from the store`);
    return hash;
  };

beforeAll(() => {
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
});

/** A tree size and a leaf index inside it; large sizes, few runs. */
const sizeAndIndex = fc
  .integer({ min: 1, max: MAX_LEAVES })
  .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
/** Two tree sizes 0 < size1 <= size2. */
const sizePair = fc
  .integer({ min: 1, max: MAX_LEAVES })
  .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)));

const flipBit = (hashes: readonly Uint8Array[], element: number, bit: number): Uint8Array[] =>
  hashes.map((hash, i) => {
    if (i !== element) return hash;
    const copy = hash.slice();
    copy[Math.floor(bit / 8)] = (copy[Math.floor(bit / 8)] as number) ^ (1 << (bit % 8));
    return copy;
  });

// ---------------------------------------------------------------------------------------------------------
// Test vectors.

const FIXTURES = join(import.meta.dirname, '../../../fixtures/merkle');

function loadVectors<T>(folder: string): { file: string; vector: T }[] {
  return readdirSync(join(FIXTURES, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file: relative(FIXTURES, join(FIXTURES, folder, file)),
      vector: JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as T,
    }));
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ReferenceTree {
  leafInputsHex: string[];
  rootHashesHexBySize: string[];
}

const inclusionVectors = loadVectors<InclusionVector>('inclusion');
const consistencyVectors = loadVectors<ConsistencyVector>('consistency');
const referenceTree = JSON.parse(
  readFileSync(join(FIXTURES, 'reference-tree.json'), 'utf8'),
) as ReferenceTree;

describe('Merkle test vectors (transparency-dev/merkle testdata)', () => {
  it('loads the inclusion and consistency vectors', () => {
    // Assess
    expect(inclusionVectors.length).toBeGreaterThan(80);
    expect(consistencyVectors.length).toBeGreaterThan(80);
  });

  it.each(inclusionVectors)('verifyInclusion decides $file as wantErr=$vector.wantErr', ({ vector }) => {
    // Prepare
    const proof = (vector.proof ?? []).map(b64);

    // Act
    const ok = verifyInclusion(
      vector.leafIdx,
      vector.treeSize,
      b64(vector.leafHash),
      proof,
      b64(vector.root),
    );

    // Assess
    expect(ok).toBe(!vector.wantErr);
  });

  it.each(consistencyVectors)('verifyConsistency decides $file as wantErr=$vector.wantErr', ({ vector }) => {
    // Prepare
    const proof = (vector.proof ?? []).map(b64);

    // Act
    const ok = verifyConsistency(vector.size1, vector.size2, b64(vector.root1), b64(vector.root2), proof);

    // Assess
    expect(ok).toBe(!vector.wantErr);
  });

  it('computes the reference tree roots for sizes 0..8, from the list and from the frontier', () => {
    // Prepare
    const leaves = referenceTree.leafInputsHex.map((input) => leafHash(Buffer.from(input, 'hex')));

    // Act
    const fromList = referenceTree.rootHashesHexBySize.map((_, size) => hex(rootHash(leaves.slice(0, size))));
    const frontiers = [EMPTY_FRONTIER];
    for (const leaf of leaves) frontiers.push(appendLeaf(frontiers[frontiers.length - 1] as Frontier, leaf));
    const fromFrontier = frontiers.map((frontier) => hex(rootFromFrontier(frontier)));

    // Assess
    expect(fromList).toEqual(referenceTree.rootHashesHexBySize);
    expect(fromFrontier).toEqual(referenceTree.rootHashesHexBySize);
  });

  it('regenerates the happy-path proofs of the vectors from the reference tree', () => {
    // Prepare
    const leaves = referenceTree.leafInputsHex.map((input) => leafHash(Buffer.from(input, 'hex')));
    const happyInclusion = inclusionVectors.filter(
      ({ vector }) => !vector.wantErr && vector.treeSize <= leaves.length && vector.proof !== null,
    );
    const happyConsistency = consistencyVectors.filter(
      ({ vector }) => !vector.wantErr && vector.size1 > 0 && vector.proof !== null && vector.proof.length > 0,
    );

    // Act
    const inclusion = happyInclusion.map(({ vector }) =>
      hexes(inclusionProof(vector.leafIdx, leaves.slice(0, vector.treeSize))),
    );
    const consistency = happyConsistency.map(({ vector }) =>
      hexes(consistencyProof(vector.size1, vector.size2, leaves)),
    );

    // Assess
    expect(happyInclusion.length).toBeGreaterThan(0);
    expect(happyConsistency.length).toBeGreaterThan(0);
    expect(inclusion).toEqual(happyInclusion.map(({ vector }) => hexes((vector.proof ?? []).map(b64))));
    expect(consistency).toEqual(happyConsistency.map(({ vector }) => hexes((vector.proof ?? []).map(b64))));
  });
});

describe('leafHash and nodeHash', () => {
  it('prefix the input with 0x00 for leaves and 0x01 for nodes (domain separation)', () => {
    // Prepare
    const input = Buffer.from('event');
    const left = refLeaf(Buffer.from('l'));
    const right = refLeaf(Buffer.from('r'));

    // Act
    const leaf = leafHash(input);
    const node = nodeHash(left, right);

    // Assess
    expect(hex(leaf)).toBe(hex(sha256(Uint8Array.of(0), input)));
    expect(hex(node)).toBe(hex(sha256(Uint8Array.of(1), left, right)));
    expect(hex(leafHash(Buffer.concat([left, right])))).not.toBe(hex(node));
  });
});

describe('rootHash', () => {
  it('returns the empty-tree hash SHA-256("") for no leaves', () => {
    // Act
    const root = rootHash([]);

    // Assess
    expect(hex(root)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('equals the reference MTH for random trees of up to several thousand leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LEAVES }), (size) => {
        // Act
        const root = rootHash(LEAVES.slice(0, size));

        // Assess
        expect(hex(root)).toBe(hex(refMth(LEAVES.slice(0, size))));
      }),
      { numRuns: 60 },
    );
  });

  it('equals the reference MTH for small trees of random leaf inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 70 }), (inputs) => {
        // Prepare
        const leaves = inputs.map(leafHash);

        // Act
        const root = rootHash(leaves);

        // Assess
        expect(hex(root)).toBe(hex(refMth(inputs.map(refLeaf))));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a leaf hash that is not 32 bytes', () => {
    // Act + Assess
    expect(() => rootHash([new Uint8Array(31)])).toThrow(MerkleTreeError);
  });
});

describe('frontier', () => {
  it('gives the reference root after every incremental append, for random sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LEAVES }), (size) => {
        // Prepare
        const frontier = built.frontiers[size] as Frontier;

        // Act
        const root = rootFromFrontier(frontier);

        // Assess
        expect(frontier.size).toBe(size);
        expect(hex(root)).toBe(hex(refMth(LEAVES.slice(0, size))));
      }),
      { numRuns: 60 },
    );
  });

  it('holds one hash per set bit of the size, each the root of that perfect subtree', () => {
    for (let size = 0; size <= 300; size++) {
      // Prepare
      const frontier = built.frontiers[size] as Frontier;
      let start = 0;

      // Act
      const expected = frontierRefs(size).map(({ level }) => {
        const subtree = LEAVES.slice(start, start + 2 ** level);
        start += 2 ** level;
        return hex(refMth(subtree));
      });

      // Assess
      expect(hexes(frontier.hashes)).toEqual(expected);
      expect(start).toBe(size);
    }
  });

  it('is rebuilt from the subtree store at any size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: MAX_LEAVES }), async (size) => {
        // Act
        const frontier = await frontierFromStore(size, async (level, index) => lookupAt(size)(level, index));

        // Assess
        expect(frontier.size).toBe(size);
        expect(hexes(frontier.hashes)).toEqual(hexes((built.frontiers[size] as Frontier).hashes));
      }),
      { numRuns: 40 },
    );
  });

  it('reports the perfect subtrees each append completes: the leaf, then one per trailing one bit', () => {
    // Prepare
    const frontier = built.frontiers[11] as Frontier; // 0b1011: leaf 11 completes levels 0, 1 and 2

    // Act
    const completed = completedSubtrees(frontier, LEAVES[11] as Uint8Array);

    // Assess
    expect(completed.map(({ level, index }) => [level, index])).toEqual([
      [0, 11],
      [1, 5],
      [2, 2],
    ]);
    expect(completed.map((subtree) => hex(subtree.hash))).toEqual([
      hex(LEAVES[11] as Uint8Array),
      hex(refMth(LEAVES.slice(10, 12))),
      hex(refMth(LEAVES.slice(8, 12))),
    ]);
  });

  it('fills the store with every perfect subtree exactly once, each with its MTH', () => {
    // Prepare
    const size = 777;
    const seen: CompletedSubtree[] = [];
    let frontier = EMPTY_FRONTIER;

    // Act
    for (const leaf of LEAVES.slice(0, size)) {
      seen.push(...completedSubtrees(frontier, leaf));
      frontier = appendLeaf(frontier, leaf);
    }

    // Assess
    const expectedCount = Array.from({ length: 11 }, (_, level) => Math.floor(size / 2 ** level)).reduce(
      (a, b) => a + b,
    );
    expect(seen).toHaveLength(expectedCount);
    expect(new Set(seen.map(({ level, index }) => `${level}/${index}`)).size).toBe(expectedCount);
    for (const { level, index, hash } of seen) {
      expect(hex(hash)).toBe(hex(refMth(LEAVES.slice(index * 2 ** level, (index + 1) * 2 ** level))));
    }
  });

  it('rejects a frontier whose hash count does not match its size', () => {
    // Prepare
    const broken: Frontier = { size: 3, hashes: [LEAVES[0] as Uint8Array] };

    // Act + Assess
    expect(() => appendLeaf(broken, LEAVES[1] as Uint8Array)).toThrow(MerkleTreeError);
    expect(() => rootFromFrontier(broken)).toThrow(MerkleTreeError);
  });
});

describe('inclusion proofs', () => {
  it('equal the reference PATH for every leaf of every tree up to 40 leaves, and verify', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = LEAVES.slice(0, size);
      const root = refMth(leaves);
      for (let index = 0; index < size; index++) {
        // Act
        const proof = inclusionProof(index, leaves);

        // Assess
        expect(hexes(proof)).toEqual(hexes(refPath(index, leaves)));
        expect(verifyInclusion(index, size, leaves[index] as Uint8Array, proof, root)).toBe(true);
      }
    }
  });

  it('equal the reference PATH on random large trees, from the list and from the store', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, async ([size, index]) => {
        // Prepare
        const leaves = LEAVES.slice(0, size);
        const expected = hexes(refPath(index, leaves));
        const root = refMth(leaves);

        // Act
        const fromList = inclusionProof(index, leaves);
        const fromStore = inclusionProofFromStoreSync(index, size, lookupAt(size));
        const fromAsyncStore = await inclusionProofFromStore(index, size, async (l, i) =>
          lookupAt(size)(l, i),
        );

        // Assess
        expect(hexes(fromList)).toEqual(expected);
        expect(hexes(fromStore)).toEqual(expected);
        expect(hexes(fromAsyncStore)).toEqual(expected);
        expect(hex(rootFromInclusion(index, size, leaves[index] as Uint8Array, fromStore))).toBe(hex(root));
        expect(verifyInclusion(index, size, leaves[index] as Uint8Array, fromStore, root)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('are rejected with any single bit flipped in the proof, the leaf hash or the root', () => {
    fc.assert(
      fc.property(
        sizeAndIndex.filter(([size]) => size > 1),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        ([size, index], elementSeed, bit) => {
          // Prepare
          const leaves = LEAVES.slice(0, size);
          const root = refMth(leaves);
          const proof = inclusionProofFromStoreSync(index, size, lookupAt(size));
          const leaf = leaves[index] as Uint8Array;

          // Act
          const tamperedProof = flipBit(proof, elementSeed % proof.length, bit);
          const [tamperedLeaf] = flipBit([leaf], 0, bit);
          const [tamperedRoot] = flipBit([root], 0, bit);

          // Assess
          expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
          expect(verifyInclusion(index, size, leaf, tamperedProof, root)).toBe(false);
          expect(verifyInclusion(index, size, tamperedLeaf as Uint8Array, proof, root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof, tamperedRoot as Uint8Array)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  // No "another tree size" case: a proof alone does not bind the size (for leaf 0 of 1521 or 1522 leaves the
  // verifier takes the same steps); the signed checkpoint binds size and root together.
  it('are rejected for another index, or with a node added or removed', () => {
    fc.assert(
      fc.property(
        sizeAndIndex.filter(([size]) => size > 1),
        ([size, index]) => {
          // Prepare
          const leaves = LEAVES.slice(0, size);
          const root = refMth(leaves);
          const leaf = leaves[index] as Uint8Array;
          const proof = inclusionProofFromStoreSync(index, size, lookupAt(size));

          // Act + Assess
          expect(verifyInclusion((index + 1) % size, size, leaf, proof, root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, [...proof, root], root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(0, -1), root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, [root, ...proof], root)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('are rejected, not thrown on, for malformed arguments', () => {
    // Prepare
    const leaf = LEAVES[0] as Uint8Array;
    const root = refMth(LEAVES.slice(0, 2));
    const proof = [LEAVES[1] as Uint8Array];

    // Act + Assess
    expect(verifyInclusion(0, 2, leaf, proof, root)).toBe(true);
    expect(verifyInclusion(-1, 2, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(0.5, 2, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(2, 2, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(0, Number.NaN, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(0, 2, leaf.subarray(1), proof, root)).toBe(false);
    expect(verifyInclusion(0, 2, leaf, [new Uint8Array(33)], root)).toBe(false);
    expect(verifyInclusion(0, 2, leaf, proof, root.subarray(0, 31))).toBe(false);
  });

  it('cannot be generated for an index outside the tree', () => {
    // Act + Assess
    expect(() => inclusionProofPlan(5, 5)).toThrow(MerkleTreeError);
    expect(() => inclusionProofPlan(0, 0)).toThrow(MerkleTreeError);
    expect(() => inclusionProof(-1, LEAVES.slice(0, 3))).toThrow(MerkleTreeError);
  });
});

describe('consistency proofs', () => {
  it('equal the reference PROOF for every pair of sizes up to 40 leaves, and verify', () => {
    for (let size2 = 1; size2 <= 40; size2++) {
      const leaves = LEAVES.slice(0, size2);
      const root2 = refMth(leaves);
      for (let size1 = 1; size1 <= size2; size1++) {
        // Act
        const proof = consistencyProof(size1, size2, leaves);

        // Assess
        expect(hexes(proof)).toEqual(hexes(refProof(size1, leaves)));
        expect(verifyConsistency(size1, size2, refMth(leaves.slice(0, size1)), root2, proof)).toBe(true);
      }
    }
  });

  it('equal the reference PROOF on random large trees, from the list and from the store', async () => {
    await fc.assert(
      fc.asyncProperty(sizePair, async ([size1, size2]) => {
        // Prepare
        const leaves = LEAVES.slice(0, size2);
        const expected = hexes(refProof(size1, leaves));
        const root1 = rootFromFrontier(built.frontiers[size1] as Frontier);
        const root2 = rootFromFrontier(built.frontiers[size2] as Frontier);

        // Act
        const fromList = consistencyProof(size1, size2, leaves);
        const fromStore = consistencyProofFromStoreSync(size1, size2, lookupAt(size2));
        const fromAsyncStore = await consistencyProofFromStore(size1, size2, async (l, i) =>
          lookupAt(size2)(l, i),
        );

        // Assess
        expect(hexes(fromList)).toEqual(expected);
        expect(hexes(fromStore)).toEqual(expected);
        expect(hexes(fromAsyncStore)).toEqual(expected);
        expect(verifyConsistency(size1, size2, root1, root2, fromStore)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('are rejected with any single bit flipped in the proof or either root', () => {
    fc.assert(
      fc.property(
        sizePair.filter(([size1, size2]) => size1 < size2),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        ([size1, size2], elementSeed, bit) => {
          // Prepare
          const root1 = rootFromFrontier(built.frontiers[size1] as Frontier);
          const root2 = rootFromFrontier(built.frontiers[size2] as Frontier);
          const proof = consistencyProofFromStoreSync(size1, size2, lookupAt(size2));

          // Act
          const tamperedProof = flipBit(proof, elementSeed % proof.length, bit);
          const [tamperedRoot1] = flipBit([root1], 0, bit);
          const [tamperedRoot2] = flipBit([root2], 0, bit);

          // Assess
          expect(verifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
          expect(verifyConsistency(size1, size2, root1, root2, tamperedProof)).toBe(false);
          expect(verifyConsistency(size1, size2, tamperedRoot1 as Uint8Array, root2, proof)).toBe(false);
          expect(verifyConsistency(size1, size2, root1, tamperedRoot2 as Uint8Array, proof)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('are rejected with garbage before or after the proof, a truncated proof, or swapped sizes', () => {
    fc.assert(
      fc.property(
        sizePair.filter(([size1, size2]) => size1 < size2),
        ([size1, size2]) => {
          // Prepare
          const root1 = rootFromFrontier(built.frontiers[size1] as Frontier);
          const root2 = rootFromFrontier(built.frontiers[size2] as Frontier);
          const proof = consistencyProofFromStoreSync(size1, size2, lookupAt(size2));
          const garbage = sha256(Buffer.from('garbage'));

          // Act + Assess
          expect(verifyConsistency(size1, size2, root1, root2, [...proof, garbage])).toBe(false);
          expect(verifyConsistency(size1, size2, root1, root2, [garbage, ...proof])).toBe(false);
          expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1))).toBe(false);
          expect(verifyConsistency(size2, size1, root2, root1, proof)).toBe(false);
          expect(verifyConsistency(size1, size2, root2, root1, proof)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('accept equal sizes only with an empty proof and equal roots', () => {
    // Prepare
    const root = refMth(LEAVES.slice(0, 5));
    const other = refMth(LEAVES.slice(0, 6));
    const empty = sha256();

    // Act + Assess
    expect(verifyConsistency(5, 5, root, root, [])).toBe(true);
    expect(verifyConsistency(5, 5, root, other, [])).toBe(false);
    expect(verifyConsistency(5, 5, root, root, [root])).toBe(false);
    expect(verifyConsistency(0, 0, empty, empty, [])).toBe(true);
    expect(verifyConsistency(0, 0, root, root, [])).toBe(false);
  });

  it('reject a proof from the empty tree and malformed arguments', () => {
    // Prepare
    const root = refMth(LEAVES.slice(0, 2));

    // Act + Assess
    expect(verifyConsistency(0, 2, sha256(), root, [])).toBe(false);
    expect(verifyConsistency(1, 2, LEAVES[0] as Uint8Array, root, [LEAVES[1] as Uint8Array])).toBe(true);
    expect(verifyConsistency(1.5, 2, LEAVES[0] as Uint8Array, root, [LEAVES[1] as Uint8Array])).toBe(false);
    expect(verifyConsistency(1, 2, LEAVES[0] as Uint8Array, root, [new Uint8Array(31)])).toBe(false);
    expect(() => consistencyProofPlan(0, 3)).toThrow(MerkleTreeError);
    expect(() => consistencyProofPlan(4, 3)).toThrow(MerkleTreeError);
    expect(() => consistencyProof(2, 9, LEAVES.slice(0, 8))).toThrow(MerkleTreeError);
  });
});

describe('proof plans', () => {
  it('need only O(log n) distinct perfect subtrees from the store', () => {
    // Prepare
    const size = 2 ** 40 + 2 ** 20 + 12345;

    // Act
    const inclusion = planSubtreeRefs(inclusionProofPlan(2 ** 39 + 7, size));
    const consistency = planSubtreeRefs(consistencyProofPlan(2 ** 33 + 3, size));

    // Assess
    expect(inclusion.length).toBeLessThanOrEqual(2 * 41);
    expect(consistency.length).toBeLessThanOrEqual(2 * 41);
    for (const { level, index } of [...inclusion, ...consistency]) {
      expect((index + 1) * 2 ** level).toBeLessThanOrEqual(size);
    }
  });

  it('produce proofs that verify for trees beyond 2^32 leaves', async () => {
    // Prepare: when every leaf is the same, every perfect subtree of a level has the same hash.
    const byLevel = [LEAVES[0] as Uint8Array];
    for (let level = 1; level <= 52; level++) {
      const below = byLevel[level - 1] as Uint8Array;
      byLevel.push(nodeHash(below, below));
    }
    const uniform = async (level: number) => byLevel[level] as Uint8Array;
    const size1 = 2 ** 35 + 2 ** 33 + 977;
    const size2 = 2 ** 45 + 2 ** 40 + 12_345;
    const index = 2 ** 44 + 3;
    const root1 = rootFromFrontier(await frontierFromStore(size1, uniform));
    const root2 = rootFromFrontier(await frontierFromStore(size2, uniform));

    // Act
    const inclusion = await inclusionProofFromStore(index, size2, uniform);
    const consistency = await consistencyProofFromStore(size1, size2, uniform);

    // Assess
    expect(verifyInclusion(index, size2, LEAVES[0] as Uint8Array, inclusion, root2)).toBe(true);
    expect(verifyConsistency(size1, size2, root1, root2, consistency)).toBe(true);
    expect(verifyConsistency(size1, size2, root2, root1, consistency)).toBe(false);
  });

  it('fail loudly when the store returns something that is not a hash', () => {
    // Prepare
    const plan = inclusionProofPlan(0, 3);

    // Act + Assess
    expect(() => resolveProofPlan(plan, () => new Uint8Array(5))).toThrow(MerkleTreeError);
  });
});

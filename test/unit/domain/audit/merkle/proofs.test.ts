import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Frontier, rootFromFrontier } from '../../../../../src/domain/audit/merkle/compact-range';
import { MerkleTreeError } from '../../../../../src/domain/audit/merkle/errors';
import { leafHash, nodeHash } from '../../../../../src/domain/audit/merkle/hashing';
import {
  consistencyProof,
  consistencyProofPlan,
  inclusionProof,
  inclusionProofPlan,
  planSubtreeRefs,
  resolveProofPlan,
} from '../../../../../src/domain/audit/merkle/proofs';
import {
  rootFromInclusion,
  verifyConsistency,
  verifyInclusion,
} from '../../../../../src/domain/audit/merkle/verification';
import {
  b64,
  consistencyProofFromStore,
  consistencyProofFromStoreSync,
  frontierFromStore,
  grownTree,
  hex,
  hexes,
  inclusionProofFromStore,
  inclusionProofFromStoreSync,
  LEAVES,
  lookupAt,
  refMth,
  refPath,
  refProof,
  sizeAndIndex,
  sizePair,
} from './reference';
import { consistencyVectors, inclusionVectors, referenceTree } from './vectors';

describe('Merkle test vectors (transparency-dev/merkle testdata)', () => {
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
        const root1 = rootFromFrontier(grownTree().frontiers[size1] as Frontier);
        const root2 = rootFromFrontier(grownTree().frontiers[size2] as Frontier);

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

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Frontier, rootFromFrontier } from '../../../../../src/domain/audit/merkle/compact-range';
import { MerkleTreeError } from '../../../../../src/domain/audit/merkle/errors';
import { consistencyProof, consistencyProofPlan } from '../../../../../src/domain/audit/merkle/proofs';
import { verifyConsistency, verifyInclusion } from '../../../../../src/domain/audit/merkle/verification';
import {
  b64,
  consistencyProofFromStoreSync,
  flipBit,
  grownTree,
  inclusionProofFromStoreSync,
  LEAVES,
  lookupAt,
  refMth,
  sha256,
  sizeAndIndex,
  sizePair,
} from './reference';
import { consistencyVectors, inclusionVectors } from './vectors';

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
});

describe('inclusion proofs', () => {
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
});

describe('consistency proofs', () => {
  it('are rejected with any single bit flipped in the proof or either root', () => {
    fc.assert(
      fc.property(
        sizePair.filter(([size1, size2]) => size1 < size2),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        ([size1, size2], elementSeed, bit) => {
          // Prepare
          const root1 = rootFromFrontier(grownTree().frontiers[size1] as Frontier);
          const root2 = rootFromFrontier(grownTree().frontiers[size2] as Frontier);
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
          const root1 = rootFromFrontier(grownTree().frontiers[size1] as Frontier);
          const root2 = rootFromFrontier(grownTree().frontiers[size2] as Frontier);
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

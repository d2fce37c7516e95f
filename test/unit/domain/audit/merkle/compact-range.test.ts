import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendLeaf,
  completedSubtrees,
  EMPTY_FRONTIER,
  type Frontier,
  frontierRefs,
  rootFromFrontier,
} from '../../../../../src/domain/audit/merkle/compact-range';
import { MerkleTreeError } from '../../../../../src/domain/audit/merkle/errors';
import { leafHash, rootHash } from '../../../../../src/domain/audit/merkle/hashing';
import type { CompletedSubtree } from '../../../../../src/domain/audit/merkle/subtrees';
import { frontierFromStore, grownTree, hex, hexes, LEAVES, lookupAt, MAX_LEAVES, refMth } from './reference';
import { referenceTree } from './vectors';

describe('Merkle test vectors (transparency-dev/merkle testdata)', () => {
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
});

describe('frontier', () => {
  it('gives the reference root after every incremental append, for random sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LEAVES }), (size) => {
        // Prepare
        const frontier = grownTree().frontiers[size] as Frontier;

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
      const frontier = grownTree().frontiers[size] as Frontier;
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
        expect(hexes(frontier.hashes)).toEqual(hexes((grownTree().frontiers[size] as Frontier).hashes));
      }),
      { numRuns: 40 },
    );
  });

  it('reports the perfect subtrees each append completes: the leaf, then one per trailing one bit', () => {
    // Prepare
    const frontier = grownTree().frontiers[11] as Frontier; // 0b1011: leaf 11 completes levels 0, 1 and 2

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

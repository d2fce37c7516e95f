import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendLeafWithSubtrees,
  EMPTY_FRONTIER,
  type Frontier,
  rootFromFrontier,
} from '../../../../src/domain/audit/merkle/compact-range';
import { MerkleTreeError } from '../../../../src/domain/audit/merkle/errors';
import { rootHash } from '../../../../src/domain/audit/merkle/hashing';
import type { CompletedSubtree } from '../../../../src/domain/audit/merkle/subtrees';
import { verifyConsistency, verifyInclusion } from '../../../../src/domain/audit/merkle/verification';
import {
  appendToTiles,
  consistencyProofFromTiles,
  inclusionProofFromTiles,
  subtreeLookupFromTiles,
  TILE_WIDTH,
  type TileFetcher,
  type TileHashes,
  tileKey,
  tilesTouched,
} from '../../../../src/domain/audit/tiles';

const leaf = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();

/** Appends `size` leaves in commits of the given sizes, keeping tiles as the sealer does. */
function grow(size: number, commitSizes: readonly number[]) {
  const tiles = new Map<string, TileHashes>();
  const leaves: Uint8Array[] = [];
  let frontier: Frontier = EMPTY_FRONTIER;
  let c = 0;
  while (frontier.size < size) {
    const count = Math.min(size - frontier.size, commitSizes[c++ % commitSizes.length] as number);
    const oldSize = frontier.size;
    const completed: CompletedSubtree[] = [];
    for (let i = 0; i < count; i++) {
      const hash = leaf(frontier.size);
      leaves.push(hash);
      const step = appendLeafWithSubtrees(frontier, hash);
      completed.push(...step.completed);
      frontier = step.frontier;
    }
    for (const write of appendToTiles(oldSize, frontier.size, completed, (tile) =>
      tiles.get(tileKey(tile)),
    )) {
      tiles.set(tileKey(write.tile), write.hashes);
    }
  }
  const fetch: TileFetcher = async (refs) =>
    new Map(
      refs.flatMap((ref) =>
        tiles.has(tileKey(ref)) ? [[tileKey(ref), tiles.get(tileKey(ref)) as TileHashes]] : [],
      ),
    );
  return { tiles, leaves, frontier, fetch };
}

describe('tiles', () => {
  it('hold every perfect subtree of the tree, whatever the commit sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1400 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }),
        (size, commits) => {
          const { tiles, leaves } = grow(size, commits);
          const lookup = subtreeLookupFromTiles(tiles);
          const wrong: string[] = [];
          // Naive levels: level k pairs up level k - 1.
          let level: Uint8Array[] = leaves;
          for (let k = 0; level.length > 0; k++) {
            level.forEach((hash, index) => {
              if (!Buffer.from(lookup(k, index)).equals(hash)) wrong.push(`${k}/${index}`);
            });
            level = Array.from({ length: Math.floor(level.length / 2) }, (_, i) =>
              rootHash([level[2 * i] as Uint8Array, level[2 * i + 1] as Uint8Array]),
            );
          }
          expect(wrong).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('reach the third row (subtrees of 65,536 leaves and up)', () => {
    const size = TILE_WIDTH ** 2 + 3 * TILE_WIDTH + 5;

    const { tiles, leaves } = grow(size, [1000, 37]);

    expect(tiles.get('2/0')).toHaveLength(1);
    const lookup = subtreeLookupFromTiles(tiles);
    expect(Buffer.from(lookup(16, 0))).toEqual(Buffer.from(rootHash(leaves.slice(0, 65_536))));
    expect(Buffer.from(lookup(9, 128))).toEqual(Buffer.from(rootHash(leaves.slice(65_536, 66_048))));
  });

  it('give inclusion and consistency proofs that verify against the root', async () => {
    const { leaves, frontier, fetch } = grow(777, [90]);
    const root = rootFromFrontier(frontier);

    for (const index of [0, 255, 256, 700, 776]) {
      const proof = await inclusionProofFromTiles(index, 777, fetch);
      expect(verifyInclusion(index, 777, leaves[index] as Uint8Array, proof, root)).toBe(true);
    }
    for (const from of [1, 256, 500, 776]) {
      const proof = await consistencyProofFromTiles(from, 777, fetch);
      expect(verifyConsistency(from, 777, rootHash(leaves.slice(0, from)), root, proof)).toBe(true);
    }
  });

  it('keep a commit of 90 leaves within nine tile writes, from any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 90 }), (oldSize) => {
        expect(tilesTouched(oldSize, oldSize + 90).length).toBeLessThanOrEqual(9);
      }),
    );
  });

  it('refuse to extend a tile that holds more or fewer entries than the old size implies', () => {
    const { tiles } = grow(10, [10]);
    const completed = [{ level: 0, index: 9, hash: leaf(9) }];

    const extend = () => appendToTiles(9, 10, completed, (tile) => tiles.get(tileKey(tile)));

    expect(extend).toThrow(MerkleTreeError);
  });
});

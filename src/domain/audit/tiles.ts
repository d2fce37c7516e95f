/**
 * Tiles: how the subtree store (merkle/subtrees.ts: the hash of every perfect subtree, keyed
 * (level, index)) is kept in few, bounded items, after the C2SP `tlog-tiles` layout.
 *
 * Row L holds the hashes of tree level 8L (row 0: the leaf hashes; row 1: the roots of the perfect
 * subtrees of 256 leaves; …). Row L is cut into tiles of 256 consecutive entries: tile (L, N) holds the
 * entries [256N, 256N + w) of row L, w <= 256, and grows as the tree grows until it is full. In a tree of
 * n leaves row L has floor(n / 256^L) entries; every one of them is final (a perfect subtree never
 * changes), so a tile only ever gains entries at its end.
 *
 * A perfect subtree (level, index) with r = level - 8L < 8 is the MTH of 2^r consecutive, aligned entries
 * of one tile of row L = floor(level / 8), so any proof needs at most a few tiles per row, read in one
 * batch. Appending k <= 256 leaves writes at most two tiles of each row that grows (one new or partial,
 * perhaps one more), hence a handful of items per sealed batch instead of one item per subtree.
 */
import { MerkleTreeError } from './merkle/errors';
import { rootHash } from './merkle/hashing';
import {
  consistencyProofPlan,
  inclusionProofPlan,
  type ProofPlan,
  planSubtreeRefs,
  resolveProofPlan,
} from './merkle/proofs';
import { isSize } from './merkle/sizes';
import type { CompletedSubtree, SubtreeHashLookup, SubtreeRef } from './merkle/subtrees';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** Tile (level, index): row `level`, entries [256 * index, 256 * index + width). */
export interface TileRef {
  readonly level: number;
  readonly index: number;
}

/** The entries of a tile, in order (the first is entry 256 * index of the row). */
export type TileHashes = readonly Uint8Array[];

/** A tile the sealer writes: its new entries in full, and how many it held before (0: a new tile). */
export interface TileWrite {
  readonly tile: TileRef;
  readonly previousWidth: number;
  readonly hashes: TileHashes;
}

/** Reads tiles by reference; a missing tile is absent from the map. */
export type TileFetcher = (tiles: readonly TileRef[]) => Promise<ReadonlyMap<string, TileHashes>>;

export function tileKey(tile: TileRef): string {
  return `${tile.level}/${tile.index}`;
}

/** Entries of row `level` in a tree of `size` leaves. */
export function rowWidth(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** Entries tile `tile` holds in a tree of `size` leaves (0 to 256). */
export function tileWidth(size: number, tile: TileRef): number {
  return Math.min(TILE_WIDTH, Math.max(0, rowWidth(size, tile.level) - tile.index * TILE_WIDTH));
}

/** Where the perfect subtree (level, index) lies: its tile and the range of entries to fold. */
export function tileSpan(ref: SubtreeRef): { tile: TileRef; start: number; count: number } {
  const row = Math.floor(ref.level / TILE_HEIGHT);
  const count = 2 ** (ref.level - row * TILE_HEIGHT);
  const first = ref.index * count;
  const index = Math.floor(first / TILE_WIDTH);
  return { tile: { level: row, index }, start: first - index * TILE_WIDTH, count };
}

/** The distinct tiles that hold the given subtrees. */
export function tilesFor(refs: readonly SubtreeRef[]): TileRef[] {
  const tiles = new Map<string, TileRef>();
  for (const ref of refs) {
    const { tile } = tileSpan(ref);
    tiles.set(tileKey(tile), tile);
  }
  return [...tiles.values()];
}

/** The tiles an append from `oldSize` to `newSize` leaves changes, with their widths before and after. */
export function tilesTouched(
  oldSize: number,
  newSize: number,
): { tile: TileRef; previousWidth: number; width: number }[] {
  if (!(isSize(oldSize) && isSize(newSize) && oldSize <= newSize)) {
    throw new MerkleTreeError(`cannot append from size ${oldSize} to size ${newSize}`);
  }
  const touched: { tile: TileRef; previousWidth: number; width: number }[] = [];
  // If a row does not grow, no row above it grows either.
  for (let level = 0; rowWidth(newSize, level) > rowWidth(oldSize, level); level++) {
    const before = rowWidth(oldSize, level);
    const after = rowWidth(newSize, level);
    for (let index = Math.floor(before / TILE_WIDTH); index * TILE_WIDTH < after; index++) {
      const tile = { level, index };
      touched.push({ tile, previousWidth: tileWidth(oldSize, tile), width: tileWidth(newSize, tile) });
    }
  }
  return touched;
}

/**
 * The new contents of the tiles an append changes. `completed` lists every perfect subtree the appended
 * leaves complete (as `appendLeafWithSubtrees` returns them); `existing` gives the current entries of a
 * tile that already holds some (a partial tile), which must be exactly as many as the old size implies.
 */
export function appendToTiles(
  oldSize: number,
  newSize: number,
  completed: readonly CompletedSubtree[],
  existing: (tile: TileRef) => TileHashes | undefined,
): TileWrite[] {
  const rows = new Map<string, Uint8Array>();
  for (const subtree of completed) {
    if (subtree.level % TILE_HEIGHT === 0)
      rows.set(`${subtree.level / TILE_HEIGHT}/${subtree.index}`, subtree.hash);
  }
  return tilesTouched(oldSize, newSize).map(({ tile, previousWidth, width }) => {
    const before = previousWidth > 0 ? existing(tile) : [];
    if (before === undefined || before.length !== previousWidth) {
      throw new MerkleTreeError(
        `tile ${tileKey(tile)} holds ${before?.length ?? 'no'} entries where a tree of ${oldSize} leaves has ${previousWidth}`,
      );
    }
    const hashes = [...before];
    for (let entry = tile.index * TILE_WIDTH + previousWidth; hashes.length < width; entry++) {
      const hash = rows.get(`${tile.level}/${entry}`);
      if (!hash)
        throw new MerkleTreeError(`the append does not complete entry ${entry} of row ${tile.level}`);
      hashes.push(hash);
    }
    return { tile, previousWidth, hashes };
  });
}

/** A synchronous subtree lookup over tiles already read (for `resolveProofPlan`). */
export function subtreeLookupFromTiles(tiles: ReadonlyMap<string, TileHashes>): SubtreeHashLookup {
  return (level, index) => {
    const { tile, start, count } = tileSpan({ level, index });
    const hashes = tiles.get(tileKey(tile));
    if (!hashes || hashes.length < start + count) {
      throw new MerkleTreeError(`tile ${tileKey(tile)} does not hold subtree (${level}, ${index})`);
    }
    return count === 1 ? (hashes[start] as Uint8Array) : rootHash(hashes.slice(start, start + count));
  };
}

/** Resolves a proof plan with one batched tile read. */
export async function proofFromTiles(plan: ProofPlan, fetchTiles: TileFetcher): Promise<Uint8Array[]> {
  const refs = planSubtreeRefs(plan);
  const tiles = refs.length > 0 ? await fetchTiles(tilesFor(refs)) : new Map<string, TileHashes>();
  return resolveProofPlan(plan, subtreeLookupFromTiles(tiles));
}

/** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves, from tiles. */
export function inclusionProofFromTiles(
  index: number,
  size: number,
  fetchTiles: TileFetcher,
): Promise<Uint8Array[]> {
  return proofFromTiles(inclusionProofPlan(index, size), fetchTiles);
}

/** RFC 9162 consistency proof from size `from` to size `to` (0 < from <= to), from tiles. */
export function consistencyProofFromTiles(
  from: number,
  to: number,
  fetchTiles: TileFetcher,
): Promise<Uint8Array[]> {
  return proofFromTiles(consistencyProofPlan(from, to), fetchTiles);
}

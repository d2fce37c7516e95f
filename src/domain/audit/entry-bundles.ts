/**
 * Entry bundles: the leaf inputs (canonical event bytes) of the tree, 256 consecutive leaves to a bundle,
 * as C2SP `tlog-tiles` serves them at `tile/entries/N`. Bundle N holds leaves [256N, 256N + w), w <= 256;
 * like the hash tiles of row 0 (tiles.ts), whose entries are the leaf hashes of the same leaves, it only
 * ever gains entries at its end, and every entry is final once sealed.
 *
 * Encoding (tlog-tiles): each entry as a big-endian uint16 length, then its bytes. A verifier reads
 * bundles instead of pages of JSON events: SHA-256(0x00 || entry) is the leaf hash, with no parsing.
 */
import { MerkleTreeError } from './merkle/errors';
import { TILE_WIDTH, tilesTouched, tileWidth } from './tiles';

/** The largest entry a uint16 length prefix can carry. */
export const MAX_ENTRY_BYTES = 0xffff;

/** The entries of one bundle, in order (the first is leaf 256 * index). */
export type BundleEntries = readonly Uint8Array[];

/** A bundle the sealer writes: all its entries, and how many it held before (0: a new bundle). */
export interface BundleWrite {
  readonly index: number;
  readonly previousWidth: number;
  readonly entries: BundleEntries;
}

/** Reads bundles by index; a missing bundle is absent from the map. */
export type BundleFetcher = (indexes: readonly number[]) => Promise<ReadonlyMap<number, BundleEntries>>;

/** Leaves bundle `index` holds in a tree of `size` leaves (0 to 256). */
export function bundleWidth(size: number, index: number): number {
  return tileWidth(size, { level: 0, index });
}

/** Bundles of a tree of `size` leaves: the full ones and, if `size` is not a multiple of 256, one partial. */
export function bundleCount(size: number): number {
  return Math.ceil(size / TILE_WIDTH);
}

export function encodeEntryBundle(entries: BundleEntries): Uint8Array {
  const length = entries.reduce((sum, entry) => sum + 2 + entry.length, 0);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_BYTES) {
      throw new MerkleTreeError(`an entry of ${entry.length} bytes does not fit an entry bundle`);
    }
    view.setUint16(offset, entry.length);
    bytes.set(entry, offset + 2);
    offset += 2 + entry.length;
  }
  return bytes;
}

/**
 * The entries of an encoded bundle (or of `maxEntries / 256` bundles one after the other); throws on a
 * truncated one. The entries are views into `bytes`.
 */
export function decodeEntryBundle(bytes: Uint8Array, maxEntries = TILE_WIDTH): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    if (offset + 2 > bytes.length) throw new MerkleTreeError('the entry bundle is truncated');
    const length = view.getUint16(offset);
    if (offset + 2 + length > bytes.length) throw new MerkleTreeError('the entry bundle is truncated');
    entries.push(bytes.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
    if (entries.length > maxEntries)
      throw new MerkleTreeError(`the entry bundle holds over ${maxEntries} entries`);
  }
  return entries;
}

/**
 * The new contents of the bundles an append from `oldSize` leaves changes: `appended` are the leaf
 * inputs of leaves oldSize, oldSize + 1, …; `existing` gives the entries of a bundle that already holds
 * some, which must be exactly as many as the old size implies.
 */
export function appendToBundles(
  oldSize: number,
  appended: readonly Uint8Array[],
  existing: (index: number) => BundleEntries | undefined,
): BundleWrite[] {
  const newSize = oldSize + appended.length;
  return tilesTouched(oldSize, newSize)
    .filter(({ tile }) => tile.level === 0)
    .map(({ tile: { index }, previousWidth, width }) => {
      const before = previousWidth > 0 ? existing(index) : [];
      if (before === undefined || before.length !== previousWidth) {
        throw new MerkleTreeError(
          `entry bundle ${index} holds ${before?.length ?? 'no'} entries where a tree of ${oldSize} leaves has ${previousWidth}`,
        );
      }
      const first = index * TILE_WIDTH + previousWidth - oldSize;
      const entries = [...before, ...appended.slice(first, first + width - previousWidth)];
      return { index, previousWidth, entries };
    });
}

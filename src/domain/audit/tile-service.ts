/**
 * What the tile routes serve: the log in bulk, as C2SP `tlog-tiles` lays it out. A hash tile (level L,
 * index N) holds 256 consecutive hashes of row L (tiles.ts); an entry bundle N holds the canonical bytes of
 * leaves [256N, 256N + 256) (entry-bundles.ts). The tile set is the one the latest signed checkpoint
 * defines: a full tile of that tree never changes, so it may be cached forever; a partial one is asked for
 * by its width (`width` < 256, as tlog-tiles' `.p/W`) and holds the first `width` entries, which never
 * change either, though the tile itself grows until it is full.
 */
import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import { IntegrityFailureError, NotFoundError } from '../errors';
import { concatBytes } from './encoding';
import { type BundleFetcher, bundleWidth, encodeEntryBundle } from './entry-bundles';
import type { StoredCheckpoint } from './ports';
import { TILE_WIDTH, type TileFetcher, type TileRef, tileKey, tileWidth } from './tiles';

export interface TileSource {
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  readTiles: TileFetcher;
  readEntryBundles: BundleFetcher;
  /**
   * The largest signed size this reader has seen (kept across requests): a log only grows, so a tile
   * within it is within the latest checkpoint too, and the checkpoint is asked for only beyond it.
   */
  readonly seen?: { size: number };
}

/** A tile within the signed tree is not stored whole: the log is damaged; say so, show nothing. */
export class TileIntegrityError extends IntegrityFailureError {
  constructor() {
    super('The log does not hold this tile whole; nothing was returned.');
    this.name = 'TileIntegrityError';
  }
}

/** A tile's bytes, whether it is full (immutable), and a strong entity tag of its bytes. */
export interface ServedTile {
  readonly bytes: Uint8Array;
  readonly full: boolean;
  readonly etag: string;
}

/** The entries the tile holds in the latest checkpoint's tree; 404 when it does not hold `width` of them. */
async function widthToServe(
  source: TileSource,
  available: (size: number) => number,
  width: number | undefined,
  what: string,
): Promise<number> {
  const wanted = width ?? TILE_WIDTH;
  if (source.seen && available(source.seen.size) >= wanted) return wanted;
  const size = (await source.latestCheckpoint())?.size ?? 0;
  if (source.seen && size > source.seen.size) source.seen.size = size;
  if (available(size) < wanted) {
    const has = available(size);
    throw new NotFoundError(
      `No ${what} of ${wanted} entries in the latest checkpoint (size ${size})${has > 0 ? `: it holds ${has}, ask with width=${has}` : ''}.`,
    );
  }
  return wanted;
}

function served(bytes: Uint8Array, width: number): ServedTile {
  const digest = hash('sha256', bytes, 'base64url').slice(0, 27);
  return { bytes, full: width === TILE_WIDTH, etag: `"${digest}"` };
}

/** Hash tile (level, index), or its first `width` hashes. */
export async function readHashTile(source: TileSource, tile: TileRef, width?: number): Promise<ServedTile> {
  const count = await widthToServe(source, (size) => tileWidth(size, tile), width, `tile ${tileKey(tile)}`);
  const hashes = (await source.readTiles([tile])).get(tileKey(tile));
  if (!hashes || hashes.length < count) throw new TileIntegrityError();
  return served(Buffer.concat(hashes.slice(0, count)), count);
}

/** Entry bundle `index`, or its first `width` entries. */
export async function readEntryBundle(
  source: TileSource,
  index: number,
  width?: number,
): Promise<ServedTile> {
  const count = await widthToServe(
    source,
    (size) => bundleWidth(size, index),
    width,
    `entry bundle ${index}`,
  );
  const entries = (await source.readEntryBundles([index])).get(index);
  if (!entries || entries.length < count) throw new TileIntegrityError();
  return served(encodeEntryBundle(entries.slice(0, count)), count);
}

/**
 * Full entry bundles `first` … `first + count - 1`, concatenated: what a verifier reads in bulk, with one
 * request (and one access-log event) for up to 8 bundles. All must be full in the latest checkpoint's tree.
 */
export async function readEntryBundleRange(
  source: TileSource,
  first: number,
  count: number,
): Promise<ServedTile> {
  const last = first + count - 1;
  await widthToServe(source, (size) => bundleWidth(size, last), undefined, `full entry bundle ${last}`);
  const indexes = Array.from({ length: count }, (_, i) => first + i);
  const bundles = await source.readEntryBundles(indexes);
  const encoded = indexes.map((index) => {
    const entries = bundles.get(index);
    if (!entries || entries.length < TILE_WIDTH) throw new TileIntegrityError();
    return encodeEntryBundle(entries.slice(0, TILE_WIDTH));
  });
  return served(concatBytes(...encoded), TILE_WIDTH);
}

import { describe, expect, it } from 'vitest';
import { decodeEntryBundle } from '../../../../src/domain/audit/entry-bundles';
import { eventLeafInput } from '../../../../src/domain/audit/leaf';
import { createSealer } from '../../../../src/domain/audit/sealer';
import {
  readEntryBundle,
  readEntryBundleRange,
  readHashTile,
  TileIntegrityError,
  type TileSource,
} from '../../../../src/domain/audit/tile-service';
import { NotFoundError } from '../../../../src/domain/errors';
import { auditEvent, MemoryArchive, MemoryTreeStore, memorySigner } from '../../../support/audit-fakes';

async function sealedLog(count: number) {
  const store = new MemoryTreeStore();
  const sealer = createSealer({ store, signer: memorySigner(), archive: new MemoryArchive() });
  const start = Date.parse('2026-11-20T08:00:00.000Z');
  const events = Array.from({ length: count }, (_, i) => auditEvent({}, new Date(start + i)));
  store.addEvents(events);
  await sealer.seal(events);
  return { store, sealer, events };
}

describe('the tile service', () => {
  it('serves a full bundle as immutable and the edge of the tree by its width', async () => {
    const { store, events } = await sealedLog(300);

    const full = await readEntryBundle(store, 0);
    const edge = await readEntryBundle(store, 1, 44);
    const first = await readHashTile(store, { level: 0, index: 1 }, 10);

    expect(full.full).toBe(true);
    expect(decodeEntryBundle(full.bytes)[5]).toEqual(eventLeafInput(events[5] as (typeof events)[0]));
    expect([edge.full, decodeEntryBundle(edge.bytes).length]).toEqual([false, 44]);
    expect(first.bytes).toHaveLength(320);
    expect(full.etag).toBe((await readEntryBundle(store, 0)).etag);
  });

  it('serves consecutive full bundles in one response, each as it is served alone', async () => {
    const { store } = await sealedLog(800);

    const range = await readEntryBundleRange(store, 0, 3);
    const alone = await Promise.all([0, 1, 2].map((index) => readEntryBundle(store, index)));

    expect(range.full).toBe(true);
    expect(Buffer.from(range.bytes)).toEqual(Buffer.concat(alone.map((tile) => tile.bytes)));
    expect(decodeEntryBundle(range.bytes, 768)).toHaveLength(768);
    expect(() => decodeEntryBundle(range.bytes)).toThrow(/over 256 entries/);
  });

  it('refuses a range reaching past the full bundles, and one with a bundle cut short', async () => {
    const { store } = await sealedLog(800);

    await expect(readEntryBundleRange(store, 1, 3)).rejects.toThrow(/full entry bundle 3/);
    store.bundles.set(1, (store.bundles.get(1) ?? []).slice(0, 255));
    await expect(readEntryBundleRange(store, 0, 3)).rejects.toBeInstanceOf(TileIntegrityError);
  });

  it('refuses what the latest checkpoint does not hold, and a stored tile cut short', async () => {
    const { store } = await sealedLog(300);

    await expect(readEntryBundle(store, 1)).rejects.toBeInstanceOf(NotFoundError);
    await expect(readEntryBundle(store, 1, 45)).rejects.toBeInstanceOf(NotFoundError);
    await expect(readHashTile(store, { level: 1, index: 0 })).rejects.toThrow(/ask with width=1/);
    store.bundles.set(1, (store.bundles.get(1) ?? []).slice(0, 10));
    await expect(readEntryBundle(store, 1, 44)).rejects.toBeInstanceOf(TileIntegrityError);
  });

  it('asks for the checkpoint only for a tile beyond the largest signed size it has seen', async () => {
    const { store } = await sealedLog(300);
    let asked = 0;
    const source: TileSource = {
      readTiles: store.readTiles,
      readEntryBundles: store.readEntryBundles,
      latestCheckpoint: () => {
        asked++;
        return store.latestCheckpoint();
      },
      seen: { size: 0 },
    };

    await readEntryBundle(source, 0);
    await readEntryBundle(source, 0);
    await readEntryBundle(source, 1, 44);
    await expect(readEntryBundle(source, 1)).rejects.toBeInstanceOf(NotFoundError);

    expect([asked, source.seen?.size]).toEqual([2, 300]);
  });
});

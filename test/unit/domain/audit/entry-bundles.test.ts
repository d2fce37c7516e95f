import { describe, expect, it } from 'vitest';
import {
  appendToBundles,
  bundleCount,
  bundleWidth,
  decodeEntryBundle,
  encodeEntryBundle,
} from '../../../../src/domain/audit/entry-bundles';
import { eventLeafInput } from '../../../../src/domain/audit/leaf';
import { MerkleTreeError } from '../../../../src/domain/audit/merkle/errors';
import { createSealer, TreeIntegrityError } from '../../../../src/domain/audit/sealer';
import { auditEvent, MemoryArchive, MemoryTreeStore, memorySigner } from '../../../support/audit-fakes';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('entry bundles', () => {
  it('encode each entry after its big-endian uint16 length, as tlog-tiles does', () => {
    const encoded = encodeEntryBundle([bytes('ab'), bytes(''), bytes('xyz')]);

    expect([...encoded]).toEqual([0, 2, 97, 98, 0, 0, 0, 3, 120, 121, 122]);
    expect(decodeEntryBundle(encoded).map((e) => new TextDecoder().decode(e))).toEqual(['ab', '', 'xyz']);
  });

  it('refuse a truncated bundle and an entry too long for its length prefix', () => {
    expect(() => decodeEntryBundle(new Uint8Array([0, 5, 1, 2]))).toThrow(MerkleTreeError);
    expect(() => decodeEntryBundle(new Uint8Array([0]))).toThrow(MerkleTreeError);
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(MerkleTreeError);
  });

  it('count full and partial bundles of a tree size', () => {
    expect([bundleCount(0), bundleCount(256), bundleCount(257)]).toEqual([0, 1, 2]);
    expect([bundleWidth(300, 0), bundleWidth(300, 1), bundleWidth(300, 2)]).toEqual([256, 44, 0]);
  });

  it('extend the partial bundle and start the next one on an append across a boundary', () => {
    const before = Array.from({ length: 250 }, (_, i) => bytes(`e${i}`));
    const appended = Array.from({ length: 10 }, (_, i) => bytes(`e${250 + i}`));

    const writes = appendToBundles(250, appended, (index) => (index === 0 ? before : undefined));

    expect(writes.map((w) => [w.index, w.previousWidth, w.entries.length])).toEqual([
      [0, 250, 256],
      [1, 0, 4],
    ]);
    expect(new TextDecoder().decode(writes[1]?.entries[0])).toBe('e256');
    expect(() => appendToBundles(250, appended, () => before.slice(1))).toThrow(MerkleTreeError);
  });

  it('are written by the sealer with the canonical bytes of each sealed leaf, in leaf order', async () => {
    const store = new MemoryTreeStore();
    const sealer = createSealer({ store, signer: memorySigner(), archive: new MemoryArchive() });
    const start = Date.parse('2026-11-20T08:00:00.000Z');
    const events = Array.from({ length: 300 }, (_, i) => auditEvent({}, new Date(start + i)));
    store.addEvents(events);

    await sealer.seal(events.slice(0, 100));
    await sealer.seal(events.slice(100));

    const byIndex = [...store.events.values()].sort((a, b) => (a.leafIndex ?? 0) - (b.leafIndex ?? 0));
    const entries = [...(store.bundles.get(0) ?? []), ...(store.bundles.get(1) ?? [])];
    expect(store.bundles.get(0)).toHaveLength(256);
    expect(entries.map((e) => Buffer.from(e))).toEqual(byIndex.map((e) => Buffer.from(eventLeafInput(e))));
  });

  describe('of a log sealed before bundles existed', () => {
    const start = Date.parse('2026-11-21T08:00:00.000Z');
    /** A log of 300 sealed events whose bundles are then removed, and 20 more to seal. */
    const oldLog = async () => {
      const store = new MemoryTreeStore();
      const archive = new MemoryArchive();
      const signer = memorySigner();
      const events = Array.from({ length: 320 }, (_, i) => auditEvent({}, new Date(start + i)));
      store.addEvents(events);
      await createSealer({ store, signer, archive }).seal(events.slice(0, 300));
      store.bundles.clear();
      return { store, events, sealer: createSealer({ store, signer, archive }) };
    };
    const sealedBytes = (store: MemoryTreeStore, from: number, to: number) =>
      [...store.events.values()]
        .filter(({ leafIndex }) => leafIndex !== undefined && leafIndex >= from && leafIndex < to)
        .sort((a, b) => (a.leafIndex ?? 0) - (b.leafIndex ?? 0))
        .map((e) => Buffer.from(eventLeafInput(e)));

    it('has its partial bundle rebuilt from the sealed events, and sealing goes on', async () => {
      const { store, events, sealer } = await oldLog();

      const result = await sealer.seal(events.slice(300));

      expect(result.head.size).toBe(320);
      expect(store.bundles.get(1)?.map((e) => Buffer.from(e))).toEqual(sealedBytes(store, 256, 320));
      expect(store.bundles.has(0)).toBe(false);
    });

    it('stops the sealer when a sealed event was changed before the rebuild', async () => {
      const { store, events, sealer } = await oldLog();
      const victim = [...store.events.values()].find(({ leafIndex }) => leafIndex === 280);
      if (!victim) throw new Error('no event at leaf 280');
      store.events.set(victim.eventId, { ...victim, user: 'someone-else' });

      await expect(sealer.seal(events.slice(300))).rejects.toThrow(TreeIntegrityError);
      expect(store.head.size).toBe(300);
      expect(store.bundles.size).toBe(0);
    });

    it('stops the sealer when a sealed event is missing or a position is claimed twice', async () => {
      const missing = await oldLog();
      const gone = [...missing.store.events.values()].find(({ leafIndex }) => leafIndex === 299);
      missing.store.events.delete(gone?.eventId ?? '');
      await expect(missing.sealer.seal(missing.events.slice(300))).rejects.toThrow(/leaf 299/);

      const twice = await oldLog();
      const copy = [...twice.store.events.values()].find(({ leafIndex }) => leafIndex === 290);
      twice.store.events.set('forged', { ...(copy as (typeof twice.events)[number]), eventId: 'forged' });
      await expect(twice.sealer.seal(twice.events.slice(300))).rejects.toThrow(/claimed by more than one/);
    });

    it('still stops on a bundle that exists with the wrong width', async () => {
      const { store, events, sealer } = await oldLog();
      store.bundles.set(1, sealedBytes(store, 256, 299));

      await expect(sealer.seal(events.slice(300))).rejects.toThrow(TreeIntegrityError);
    });
  });
});

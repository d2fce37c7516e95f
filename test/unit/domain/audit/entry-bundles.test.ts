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
import { createSealer } from '../../../../src/domain/audit/sealer';
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
});

import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import { eventLeafHash } from '../../../../src/domain/audit/leaf';
import { verifyConsistency, verifyInclusion } from '../../../../src/domain/audit/merkle/verification';
import {
  EventNotSealedError,
  latestCheckpoint,
  ProofIntegrityError,
  ProofRangeError,
  type ProofSource,
  proveConsistency,
  proveInclusion,
} from '../../../../src/domain/audit/proof-service';
import { createSealer } from '../../../../src/domain/audit/sealer';
import { NotFoundError } from '../../../../src/domain/errors';
import { auditEvent, MemoryArchive, MemoryTreeStore, memorySigner } from '../../../support/audit-fakes';

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/** A log of `sizes` sealed batches, and the proof source the audit function would build over it. */
async function sealedLog(...sizes: number[]) {
  const store = new MemoryTreeStore();
  const sealer = createSealer({
    store,
    signer: memorySigner(),
    archive: new MemoryArchive(),
    origin: 'himaya.test/audit',
  });
  const roots: Uint8Array[] = [];
  const start = Date.parse('2026-11-20T08:00:00.000Z');
  for (const [round, size] of sizes.entries()) {
    const batch = Array.from({ length: size }, (_, i) =>
      auditEvent({}, new Date(start + round * 1_000 + i * 5)),
    );
    store.addEvents(batch);
    roots.push((await sealer.seal(batch)).head.rootHash);
  }
  const source: ProofSource = {
    latestCheckpoint: () => store.latestCheckpoint(),
    readEvent: async (eventId) => store.events.get(eventId),
    readTiles: (tiles) => store.readTiles(tiles),
  };
  const sealed = [...store.events.values()].sort((a, b) => (a.leafIndex ?? 0) - (b.leafIndex ?? 0));
  return { store, source, roots, sealed };
}

describe('the proof service', () => {
  it('proves an event’s inclusion in the latest signed tree, verifiably against its root', async () => {
    const { source, roots, sealed } = await sealedLog(5, 6);
    const event = sealed[3] as AuditEvent;

    const proof = await proveInclusion(source, event.eventId);

    expect(proof).toMatchObject({ eventId: event.eventId, leafIndex: 3, treeSize: 11 });
    expect(bytes(proof.leafHash)).toEqual(eventLeafHash(event));
    expect(verifyInclusion(3, 11, eventLeafHash(event), proof.proof.map(bytes), roots[1] as Uint8Array)).toBe(
      true,
    );
  });

  it('proves inclusion in an earlier size, and that the later tree extends the earlier one', async () => {
    const { source, roots, sealed } = await sealedLog(4, 9);

    const inclusion = await proveInclusion(source, (sealed[2] as AuditEvent).eventId, 4);
    const consistency = await proveConsistency(source, 4);

    expect(
      verifyInclusion(
        2,
        4,
        eventLeafHash(sealed[2] as AuditEvent),
        inclusion.proof.map(bytes),
        roots[0] as Uint8Array,
      ),
    ).toBe(true);
    expect(consistency).toMatchObject({ from: 4, to: 13 });
    expect(
      verifyConsistency(4, 13, roots[0] as Uint8Array, roots[1] as Uint8Array, consistency.proof.map(bytes)),
    ).toBe(true);
  });

  it('refuses sizes beyond the signed checkpoint, a size the event is not in, and from after to', async () => {
    const { source, sealed } = await sealedLog(6);
    const last = (sealed[5] as AuditEvent).eventId;

    await expect(proveInclusion(source, last, 7)).rejects.toMatchObject({
      fields: [{ path: 'query.treeSize' }],
    });
    await expect(proveInclusion(source, last, 5)).rejects.toBeInstanceOf(ProofRangeError);
    await expect(proveConsistency(source, 5, 3)).rejects.toMatchObject({ fields: [{ path: 'query.from' }] });
    await expect(proveConsistency(source, 7)).rejects.toBeInstanceOf(ProofRangeError);
  });

  it('says an event is not sealed yet, an unknown one is not found, and so is a log never signed', async () => {
    const { store, source } = await sealedLog(3);
    const waiting = auditEvent({}, new Date('2026-11-21T00:00:00.000Z'));
    store.addEvents([waiting]);
    const empty = (await sealedLog()).source;

    await expect(proveInclusion(source, waiting.eventId)).rejects.toBeInstanceOf(EventNotSealedError);
    await expect(proveInclusion(source, 'no-such-event')).rejects.toBeInstanceOf(NotFoundError);
    await expect(latestCheckpoint(empty)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('fails as an integrity failure, not a proof, when the tiles a signed size needs are gone', async () => {
    const { source, sealed } = await sealedLog(8);
    const damaged: ProofSource = { ...source, readTiles: async () => new Map() };

    await expect(proveInclusion(damaged, (sealed[1] as AuditEvent).eventId)).rejects.toBeInstanceOf(
      ProofIntegrityError,
    );
    await expect(proveConsistency(damaged, 3)).rejects.toBeInstanceOf(ProofIntegrityError);
  });
});

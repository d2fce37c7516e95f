import { describe, expect, it } from 'vitest';
import { parseSignedNote, verifyCheckpointSignature } from '../../../../src/domain/audit/checkpoint';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import { compareForSealing, eventLeafHash } from '../../../../src/domain/audit/leaf';
import { appendLeaf, EMPTY_FRONTIER, type Frontier } from '../../../../src/domain/audit/merkle/compact-range';
import { leafHash, rootHash } from '../../../../src/domain/audit/merkle/hashing';
import { verifyConsistency, verifyInclusion } from '../../../../src/domain/audit/merkle/verification';
import {
  archiveName,
  createSealer,
  headFromFrontier,
  MAX_LEAVES_PER_COMMIT,
  planAppend,
  TreeIntegrityError,
} from '../../../../src/domain/audit/sealer';
import { consistencyProofFromTiles, inclusionProofFromTiles } from '../../../../src/domain/audit/tiles';
import { auditEvent, MemoryArchive, MemoryTreeStore, memorySigner } from '../../../support/audit-fakes';

const ORIGIN = 'himaya.test/audit';

function setup(options: { clock?: () => Date } = {}) {
  const store = new MemoryTreeStore();
  const signer = memorySigner();
  const archive = new MemoryArchive();
  const sealer = createSealer({ store, signer, archive, origin: ORIGIN, ...options });
  return { store, signer, archive, sealer };
}

function events(count: number, start = Date.parse('2026-11-20T08:00:00.000Z')): AuditEvent[] {
  return Array.from({ length: count }, (_, i) => auditEvent({}, new Date(start + i * 7)));
}

/** The events of the store in leaf order, and the root they give. */
function sealedLog(store: MemoryTreeStore) {
  const byIndex = [...store.events.values()]
    .filter((e) => e.leafIndex !== undefined)
    .sort((a, b) => (a.leafIndex as number) - (b.leafIndex as number));
  return { byIndex, root: rootHash(byIndex.map((e) => eventLeafHash(e))) };
}

describe('the sealer', () => {
  it('appends a batch in (time, eventId) order, gives each event its leaf index and signs one checkpoint', async () => {
    const { store, signer, sealer } = setup();
    const batch = events(12).reverse();
    store.addEvents(batch);

    const result = await sealer.seal(batch);

    const { byIndex, root } = sealedLog(store);
    expect(byIndex.map((e) => e.eventId)).toEqual([...batch].sort(compareForSealing).map((e) => e.eventId));
    expect(byIndex.map((e) => e.leafIndex)).toEqual([...Array(12).keys()]);
    expect(result.head.size).toBe(12);
    expect(Buffer.from(result.head.rootHash)).toEqual(Buffer.from(root));
    expect(signer.signatures).toBe(1);
    const note = result.checkpoint?.note as string;
    expect(await verifyCheckpointSignature(note, { name: ORIGIN, publicKey: await signer.publicKey() })).toBe(
      true,
    );
    expect(parseSignedNote(note)).toMatchObject({ origin: ORIGIN, size: 12 });
  });

  it('leaves out leafIndex from the leaf: the leaf input is the canonical event without it', () => {
    const event = auditEvent();

    const plan = planAppend(headFromFrontier(EMPTY_FRONTIER), [event]);

    expect(Buffer.from(plan.head.rootHash)).toEqual(Buffer.from(eventLeafHash({ ...event, leafIndex: 41 })));
    expect(Buffer.from(plan.head.rootHash)).toEqual(
      Buffer.from(
        leafHash(new TextEncoder().encode(JSON.stringify(Object.fromEntries(Object.entries(event).sort())))),
      ),
    );
  });

  it('seals a redelivered batch only once and signs nothing for it', async () => {
    const { store, signer, sealer } = setup();
    const batch = events(5);
    store.addEvents(batch);
    await sealer.seal(batch);

    const again = await sealer.seal(batch);

    expect(again.sealed).toEqual([]);
    expect(again.checkpoint).toBeUndefined();
    expect(store.head.size).toBe(5);
    expect(signer.signatures).toBe(1);
  });

  it('splits a large batch into commits that fit a transaction, and still signs once', async () => {
    const { store, signer, sealer } = setup();
    const batch = events(3 * MAX_LEAVES_PER_COMMIT + 7);
    store.addEvents(batch);

    const result = await sealer.seal(batch);

    expect(result.sealed).toHaveLength(batch.length);
    expect(store.commits).toBe(4);
    expect(signer.signatures).toBe(1);
    expect(Buffer.from(store.head.rootHash)).toEqual(Buffer.from(sealedLog(store).root));
  });

  it('keeps the tree whole when several sealers seal overlapping batches at once', async () => {
    const { store, signer, archive } = setup();
    const all = events(300);
    store.addEvents(all);
    const sealers = [1, 2, 3].map(() =>
      createSealer({ store, signer, archive, origin: ORIGIN, maxLeavesPerCommit: 17 }),
    );
    const shuffled = (list: AuditEvent[]) => [...list].sort(() => Math.random() - 0.5);

    await Promise.all([
      sealers[0]?.seal(shuffled(all.slice(0, 200))),
      sealers[1]?.seal(shuffled(all.slice(100, 300))),
      sealers[2]?.seal(shuffled(all)),
    ]);

    const { byIndex, root } = sealedLog(store);
    expect(byIndex).toHaveLength(300);
    expect(new Set(byIndex.map((e) => e.eventId)).size).toBe(300);
    expect(byIndex.map((e) => e.leafIndex)).toEqual([...Array(300).keys()]);
    expect(Buffer.from(store.head.rootHash)).toEqual(Buffer.from(root));
    // Every checkpoint signed during the race is a prefix of the final tree.
    for (const checkpoint of store.checkpoints) {
      const proof =
        checkpoint.size > 0 && checkpoint.size < 300
          ? await consistencyProofFromTiles(checkpoint.size, 300, store.readTiles)
          : [];
      const consistent =
        checkpoint.size === 0 || verifyConsistency(checkpoint.size, 300, checkpoint.rootHash, root, proof);
      expect(consistent).toBe(true);
    }
  });

  it('stores tiles from which inclusion proofs of every event verify', async () => {
    const { store, sealer } = setup();
    const batch = events(600);
    store.addEvents(batch);
    await sealer.seal(batch);

    const { byIndex, root } = sealedLog(store);
    for (const index of [0, 1, 255, 256, 511, 599]) {
      const proof = await inclusionProofFromTiles(index, 600, store.readTiles);
      expect(verifyInclusion(index, 600, eventLeafHash(byIndex[index] as AuditEvent), proof, root)).toBe(
        true,
      );
    }
  });

  it('skips malformed events and events that already carry a leaf index', async () => {
    const { store, sealer } = setup();
    const good = auditEvent();
    const malformed = { ...auditEvent(), outcome: 'ok' } as unknown as AuditEvent;
    const claimed = { ...auditEvent(), leafIndex: 0 };
    store.addEvents([good, malformed, claimed]);

    const result = await sealer.append([good, malformed, claimed]);

    expect(result.sealed).toEqual([{ eventId: good.eventId, leafIndex: 0 }]);
  });

  it('signs a heartbeat when the newest checkpoint is older than the given age, and only then', async () => {
    let now = Date.parse('2026-11-20T08:00:00.000Z');
    const { store, signer, archive, sealer } = setup({ clock: () => new Date(now) });
    store.addEvents(events(3));
    await sealer.seal([...store.events.values()]);

    now += 60_000;
    const early = await sealer.heartbeat(240_000);
    now += 240_000;
    const due = await sealer.heartbeat(240_000);

    expect(early).toBeUndefined();
    expect(due).toMatchObject({ size: 3, signedAt: new Date(now).toISOString() });
    expect(signer.signatures).toBe(2);
    expect(archive.entries.has(archiveName(3, new Date(now).toISOString()))).toBe(true);
  });

  it('signs a checkpoint of the empty log on its first heartbeat', async () => {
    const { store, sealer } = setup();

    const checkpoint = await sealer.heartbeat(240_000);

    expect(checkpoint?.size).toBe(0);
    expect(store.checkpoints).toHaveLength(1);
  });

  it('archives every checkpoint before storing it', async () => {
    const { store, archive, sealer } = setup();
    store.addEvents(events(2));

    const { checkpoint } = await sealer.seal([...store.events.values()]);

    expect(archive.entries.get(checkpoint?.archiveName as string)).toBe(checkpoint?.note);
  });
});

describe('the sealer facing an altered tree', () => {
  async function sealedStore(count = 20) {
    const context = setup();
    const batch = events(count);
    context.store.addEvents(batch);
    await context.sealer.seal(batch);
    return context;
  }

  function forgedHead(count: number): ReturnType<typeof headFromFrontier> {
    let frontier: Frontier = EMPTY_FRONTIER;
    for (const event of events(count, Date.parse('2020-01-01T00:00:00.000Z')))
      frontier = appendLeaf(frontier, eventLeafHash(event));
    return headFromFrontier(frontier);
  }

  it('refuses to extend or sign a head rewritten to another history of the same size', async () => {
    const { store, signer, sealer } = await sealedStore();
    store.head = forgedHead(20);
    const next = auditEvent();
    store.addEvents([next]);

    await expect(sealer.seal([next])).rejects.toMatchObject({ name: 'TreeIntegrityError', kind: 'forked' });
    expect(signer.signatures).toBe(1);
    expect(store.events.get(next.eventId)?.leafIndex).toBeUndefined();
  });

  it('refuses a head rolled back to fewer leaves than it signed', async () => {
    const { store, sealer } = await sealedStore();
    store.head = forgedHead(10);

    await expect(sealer.checkpoint({ force: true })).rejects.toMatchObject({ kind: 'truncated' });
  });

  it('on a cold start, checks the head against the archive even when the stored checkpoints are gone', async () => {
    const { store, signer, archive } = await sealedStore();
    store.checkpoints = [];
    store.head = forgedHead(25);
    const coldSealer = createSealer({ store, signer, archive, origin: ORIGIN });

    const sealing = coldSealer.heartbeat(0);

    await expect(sealing).rejects.toBeInstanceOf(TreeIntegrityError);
    expect(signer.signatures).toBe(1);
  });

  it('ignores a stored checkpoint whose signature does not verify', async () => {
    const { store, signer, sealer } = await sealedStore();
    const genuine = store.checkpoints[0];
    store.checkpoints.push({
      ...(genuine as (typeof store.checkpoints)[number]),
      size: 999,
      signedAt: '2030-01-01T00:00:00.000Z',
    });
    const next = auditEvent();
    store.addEvents([next]);

    const result = await sealer.seal([next]);

    expect(result.checkpoint?.size).toBe(21);
    expect(signer.signatures).toBe(2);
  });
});

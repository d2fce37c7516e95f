import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import { eventLeafHash, eventLeafInput } from '../../../../src/domain/audit/leaf';
import {
  checkEvents,
  diagnoseLeaf,
  hashLeaves,
  locateMismatch,
  MerkleLevels,
} from '../../../../src/domain/audit/log-recomputation';
import type { VerifiedCheckpoint } from '../../../../src/domain/audit/log-verification';
import { leafHash, rootHash } from '../../../../src/domain/audit/merkle/hashing';
import { consistencyProof, inclusionProof } from '../../../../src/domain/audit/merkle/proofs';
import { auditEvent } from '../../../support/audit-fakes';
import { newSigningKey, signedNote as signedBy } from '../../../support/signed-notes';

const ORIGIN = 'himaya.test/audit';
const NOW = new Date('2026-11-20T09:00:00.000Z');
const GRACE = { now: NOW, graceMs: 300_000 };

const KEY = newSigningKey();

function signedNote(size: number, root: Uint8Array, key = KEY): string {
  return signedBy(ORIGIN, size, root, key);
}

/** A sealed log of `count` events, one a minute before NOW and onwards, and its signed checkpoint. */
function sealedLog(count: number) {
  const start = NOW.getTime() - 60_000;
  const events: AuditEvent[] = Array.from({ length: count }, (_, i) => ({
    ...auditEvent({}, new Date(start + i)),
    leafIndex: i,
  }));
  const leaves = events.map((e) => eventLeafHash(e));
  const root = rootHash(leaves);
  const checkpoint: VerifiedCheckpoint = {
    origin: ORIGIN,
    size: count,
    rootHash: root,
    note: signedNote(count, root),
  };
  return { events, leaves, checkpoint };
}

const honestProofs = (leaves: Uint8Array[], size: number) => async (m: number) =>
  consistencyProof(m, size, leaves);

describe('the fast tree of the verifier', () => {
  it('agrees with merkle/hashing.ts on every root and prefix root', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 300 }), (inputs) => {
        const levels = new MerkleLevels(hashLeaves(inputs));
        const leaves = inputs.map((input) => leafHash(input));
        for (const m of [0, 1, Math.floor(inputs.length / 2), inputs.length]) {
          if (m > inputs.length) continue;
          expect(Buffer.from(levels.root(m))).toEqual(Buffer.from(rootHash(leaves.slice(0, m))));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('checking events against a signed checkpoint', () => {
  it('accepts an intact log, listed in any order, with later unsealed events', () => {
    const { events, checkpoint } = sealedLog(50);
    const later = [auditEvent({}, new Date(NOW.getTime() - 1000)), { ...auditEvent(), leafIndex: 50 }];

    const check = checkEvents([...later, ...[...events].reverse()], checkpoint, GRACE);

    expect(check.findings).toEqual([]);
    expect(check.rootMatches).toBe(true);
  });

  it('names the missing leaves of deleted events', () => {
    const { events, checkpoint } = sealedLog(30);

    const check = checkEvents(
      events.filter((e) => e.leafIndex !== 7 && (e.leafIndex as number) < 27),
      checkpoint,
      GRACE,
    );

    expect(check.findings).toEqual([
      expect.objectContaining({
        code: 'missing-leaf',
        leafIndex: 7,
        message: expect.stringMatching(/^leaves 7, 27-29 of the 30 signed are missing/),
      }),
    ]);
    expect(check.rootMatches).toBe(false);
  });

  it('names a leaf claimed by a forged copy', () => {
    const { events, checkpoint } = sealedLog(10);
    const forged = { ...auditEvent(), leafIndex: 4 };

    const check = checkEvents([...events, forged], checkpoint, GRACE);

    expect(check.findings[0]).toMatchObject({ code: 'duplicate-leaf', leafIndex: 4 });
    expect(check.findings[0]?.message).toContain(forged.eventId);
  });

  it('reports an event left unsealed past the grace period, and a leaf dated before an earlier one', () => {
    const { events, checkpoint } = sealedLog(10);
    const stale = auditEvent({}, new Date(NOW.getTime() - 600_000));
    const backdated = events.map((e) => (e.leafIndex === 6 ? { ...e, time: '2026-11-20T07:00:00.000Z' } : e));

    const check = checkEvents([...backdated, stale], checkpoint, GRACE);

    expect(check.findings.map((f) => [f.code, f.eventId])).toEqual([
      ['unsealed', stale.eventId],
      ['backdated', events[6]?.eventId],
    ]);
  });

  it('finds the first changed leaf by bisection and tells an edit from a swap', async () => {
    const { events, leaves, checkpoint } = sealedLog(37);
    const edited = events.map((e) => (e.leafIndex === 21 ? { ...e, outcome: 403 } : e));
    const swapped = events.map((e) =>
      e.leafIndex === 9 ? { ...e, leafIndex: 30 } : e.leafIndex === 30 ? { ...e, leafIndex: 9 } : e,
    );

    const verdicts = [];
    for (const tampered of [edited, swapped]) {
      const check = checkEvents(tampered, checkpoint, GRACE);
      const index = await locateMismatch(check.tree as MerkleLevels, checkpoint, honestProofs(leaves, 37));
      verdicts.push(
        diagnoseLeaf(index, leaves[index] as Uint8Array, inclusionProof(index, leaves), check, checkpoint),
      );
    }

    expect(verdicts[0]).toMatchObject({ code: 'leaf-mismatch', leafIndex: 21 });
    expect(verdicts[0]?.message).toMatch(/changed after it was sealed/);
    expect(verdicts[1]).toMatchObject({ code: 'leaf-mismatch', leafIndex: 9 });
    expect(verdicts[1]?.message).toMatch(/now at leaf 30 .*reordered/);
  });
});

describe('the leaf hashes of the recomputed tree', () => {
  it('hash the leaf input that leaf.ts documents', () => {
    const event = auditEvent();

    expect(Buffer.from(new MerkleLevels(hashLeaves([eventLeafInput(event)])).root())).toEqual(
      Buffer.from(eventLeafHash(event)),
    );
  });
});

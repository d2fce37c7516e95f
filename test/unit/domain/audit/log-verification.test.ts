import { createHash, generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import { eventLeafHash } from '../../../../src/domain/audit/leaf';
import {
  type AuditApi,
  EVIDENCE_BUNDLE_FORMAT,
  type EvidenceBundle,
  exportEvidenceBundle,
  formatFingerprint,
  importCheckpointKey,
  importPinnedKey,
  type ListedEvent,
  parseEvidenceBundle,
  readCheckpointExtending,
  VerificationError,
  type VerifiedCheckpoint,
  verifyBundle,
  verifyCheckpoint,
  verifyConsistency,
  verifyEventInclusion,
} from '../../../../src/domain/audit/log-verification';
import { leafHash, rootHash } from '../../../../src/domain/audit/merkle/hashing';
import { consistencyProof, inclusionProof } from '../../../../src/domain/audit/merkle/proofs';
import { auditEvent } from '../../../support/audit-fakes';
import { newSigningKey, signedNote as signedBy } from '../../../support/signed-notes';

const ORIGIN = 'himaya.test/audit';
const NOW = new Date('2026-11-20T09:00:00.000Z');
const MODULE = fileURLToPath(new URL('../../../../src/domain/audit/log-verification.ts', import.meta.url));

const KEY = newSigningKey();
const OTHER_KEY = newSigningKey();

function signedNote(size: number, root: Uint8Array, key = KEY): string {
  return signedBy(ORIGIN, size, root, key);
}

/** A sealed log of `count` events and its signed checkpoint note. */
function sealedLog(count: number) {
  const events: AuditEvent[] = Array.from({ length: count }, (_, i) => ({
    ...auditEvent({}, new Date(NOW.getTime() - 60_000 + i)),
    leafIndex: i,
  }));
  const leaves = events.map((e) => eventLeafHash(e));
  return { events, leaves, root: rootHash(leaves), note: signedNote(count, rootHash(leaves)) };
}

const base64 = (hashes: Uint8Array[]) => hashes.map((h) => Buffer.from(h).toString('base64'));

/** What the verification throws, for its finding. */
async function failure(run: () => unknown): Promise<VerificationError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('checkpoint keys', () => {
  it('import from PEM or DER with the SHA-256 fingerprint of the DER SubjectPublicKeyInfo', async () => {
    // Act
    const fromPem = await importCheckpointKey(KEY.pem);
    const fromDer = await importCheckpointKey(KEY.spki);

    // Assess
    const expected = `SHA256:${createHash('sha256').update(KEY.spki).digest('hex')}`;
    expect(fromPem.fingerprint).toBe(expected);
    expect(fromDer.fingerprint).toBe(expected);
    expect(formatFingerprint(KEY.spki)).toBe(expected);
    expect(fromDer.pem).toBe(KEY.pem);
    expect(Buffer.from(fromPem.spki)).toEqual(Buffer.from(KEY.spki));
  });

  it('refuse a key that is not Ed25519, and text that is not a PEM public key', async () => {
    // Prepare
    const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();

    // Act
    const ec = await failure(() => importCheckpointKey(ecPem));
    const text = await failure(() => importCheckpointKey('ssh-ed25519 AAAA'));

    // Assess
    expect(ec.finding).toMatchObject({
      code: 'bad-key',
      message: expect.stringMatching(/not an Ed25519 key/),
    });
    expect(text.finding).toMatchObject({ code: 'bad-key', message: expect.stringMatching(/not a PEM/) });
  });

  it('are trusted only with the pinned fingerprint', async () => {
    // Prepare
    const pinned = formatFingerprint(KEY.spki);

    // Act
    const accepted = await importPinnedKey(KEY.pem, pinned.toUpperCase().replace('SHA256:', 'sha256:'));
    const refused = await failure(() => importPinnedKey(OTHER_KEY.pem, pinned));

    // Assess
    expect(accepted.fingerprint).toBe(pinned);
    expect(refused.finding.code).toBe('untrusted-key');
    expect(refused.message).toContain(pinned);
    expect(refused.message).toContain(formatFingerprint(OTHER_KEY.spki));
  });
});

describe('verifyCheckpoint', () => {
  it('returns the origin, size and root of a checkpoint signed by the key', async () => {
    // Prepare
    const { root, note } = sealedLog(5);

    // Act
    const checkpoint = await verifyCheckpoint(note, await importCheckpointKey(KEY.pem));

    // Assess
    expect(checkpoint).toEqual({ origin: ORIGIN, size: 5, rootHash: root, note });
  });

  it('names a tampered checkpoint, one signed by another key, and a malformed one', async () => {
    // Prepare
    const { note } = sealedLog(5);
    const key = await importCheckpointKey(KEY.pem);

    // Act
    const tampered = await failure(() => verifyCheckpoint(note.replace('\n5\n', '\n6\n'), key));
    const otherKey = await failure(async () =>
      verifyCheckpoint(note, await importCheckpointKey(OTHER_KEY.pem)),
    );
    const malformed = await failure(() => verifyCheckpoint('not a note', key));

    // Assess
    expect(tampered.finding).toMatchObject({ code: 'bad-signature', size: 6 });
    expect(tampered.message).toMatch(/checkpoint signature \(size 6\) does not verify .*altered/);
    expect(otherKey.finding).toMatchObject({ code: 'bad-signature', size: 5 });
    expect(otherKey.message).toContain(formatFingerprint(OTHER_KEY.spki));
    expect(malformed.finding.code).toBe('bad-signature');
    expect(malformed.message).toMatch(/checkpoint is malformed/);
  });
});

describe('verifyConsistency', () => {
  const { leaves } = sealedLog(20);
  const older = { size: 12, rootHash: rootHash(leaves.slice(0, 12)), label: 'verified before' };
  const newer = { size: 20, rootHash: rootHash(leaves) };
  const proof = consistencyProof(12, 20, leaves);

  it('accepts a later checkpoint that the proof connects to an earlier one, as base64 or bytes', () => {
    expect(() => verifyConsistency(older, newer, base64(proof))).not.toThrow();
    expect(() => verifyConsistency(older, newer, proof)).not.toThrow();
    expect(() => verifyConsistency(older, older, [])).not.toThrow();
  });

  it('names a rollback, a rewritten history and a bad proof', async () => {
    // Prepare
    const forked = { ...older, rootHash: rootHash([...leaves.slice(0, 11), leafHash(Uint8Array.of(1))]) };
    const badProof = base64(proof);
    badProof[0] = Buffer.from(leafHash(Uint8Array.of(2))).toString('base64');

    // Act
    const rollback = await failure(() => verifyConsistency(newer, { ...older }, []));
    const fork = await failure(() => verifyConsistency(forked, newer, proof));
    const bad = await failure(() => verifyConsistency(older, newer, badProof));
    const notBase64 = await failure(() =>
      verifyConsistency(older, newer, ['not base64', ...badProof.slice(1)]),
    );

    // Assess
    expect(rollback.finding.code).toBe('rollback');
    expect(rollback.message).toMatch(/truncated or rolled back/);
    for (const error of [fork, bad, notBase64]) {
      expect(error.finding).toMatchObject({ code: 'fork', size: 20 });
      expect(error.message).toMatch(/cannot prove .* extends the checkpoint verified before \(size 12\)/);
    }
  });
});

describe('verifyEventInclusion', () => {
  const { events, leaves, root } = sealedLog(13);
  const proofOf = (index: number) => base64(inclusionProof(index, leaves));

  it('accepts an event at its leaf, its hash recomputed from its canonical bytes', () => {
    for (const index of [0, 6, 12]) {
      expect(() =>
        verifyEventInclusion(events[index] as AuditEvent, index, 13, proofOf(index), root),
      ).not.toThrow();
    }
  });

  it('names an event one field of which was changed, or claimed at another leaf, or with an altered proof', async () => {
    // Prepare
    const event = events[6] as AuditEvent;
    const alteredProof = proofOf(6);
    alteredProof[1] = alteredProof[0] as string;

    // Act
    const changed = await failure(() =>
      verifyEventInclusion({ ...event, outcome: 403 }, 6, 13, proofOf(6), root),
    );
    const moved = await failure(() => verifyEventInclusion(event, 7, 13, proofOf(6), root));
    const altered = await failure(() => verifyEventInclusion(event, 6, 13, alteredProof, root));

    // Assess
    expect(changed.finding).toMatchObject({ code: 'not-included', leafIndex: 6, eventId: event.eventId });
    expect(changed.message).toContain(`event ${event.eventId}`);
    expect(moved.finding).toMatchObject({ code: 'not-included', leafIndex: 7 });
    expect(altered.finding).toMatchObject({ code: 'not-included', leafIndex: 6 });
  });

  it('reports an event that is not canonical JSON as malformed', async () => {
    const error = await failure(() =>
      verifyEventInclusion({ ...(events[0] as AuditEvent), user: '\ud800' }, 0, 13, proofOf(0), root),
    );

    expect(error.finding).toMatchObject({ code: 'malformed-event', eventId: events[0]?.eventId });
  });
});

describe('evidence bundles', () => {
  function bundleOf(events: AuditEvent[], leaves: Uint8Array[], note: string): EvidenceBundle {
    return {
      format: EVIDENCE_BUNDLE_FORMAT,
      exportedAt: NOW.toISOString(),
      source: 'http://localhost',
      filter: { caseId: 'x' },
      checkpoint: note,
      publicKey: KEY.pem,
      events: events.map((event) => ({
        event: { ...event },
        proof: base64(inclusionProof(event.leafIndex as number, leaves)),
      })),
      notYetSealed: [],
    };
  }

  it('verify offline, and name the event whose content was changed', async () => {
    // Prepare
    const { events, leaves, note } = sealedLog(16);
    const bundle = bundleOf(events.slice(3, 8), leaves, note);
    const altered = structuredClone(bundle);
    (altered.events[2]?.event as Record<string, unknown>).user = 'someone-else';
    const key = await importCheckpointKey(KEY.pem);

    // Act
    const intact = await verifyBundle(bundle, key);
    const changed = await verifyBundle(altered, key);
    const otherKey = await failure(async () =>
      verifyBundle(bundle, await importCheckpointKey(OTHER_KEY.pem)),
    );

    // Assess
    expect(intact.findings).toEqual([]);
    expect(intact.checkpoint.size).toBe(16);
    expect(changed.findings).toEqual([
      expect.objectContaining({ code: 'not-included', leafIndex: 5, eventId: events[5]?.eventId }),
    ]);
    expect(otherKey.finding.code).toBe('bad-signature');
  });

  it('parse only the evidence bundle format', async () => {
    const { events, leaves, note } = sealedLog(4);
    const bundle = bundleOf(events, leaves, note);

    expect(parseEvidenceBundle(JSON.parse(JSON.stringify(bundle)))).toEqual(bundle);
    const error = await failure(() => parseEvidenceBundle({ ...bundle, format: 'other/1' }));
    expect(error.finding.code).toBe('malformed-bundle');
  });
});

/** The audit API over an in-memory log: events listed in pages, checkpoint, key and proofs. */
function fakeApi(events: ListedEvent[], leaves: Uint8Array[], note: string): AuditApi & { paths: string[] } {
  const paths: string[] = [];
  const size = leaves.length;
  const answer = (path: string): unknown => {
    const url = new URL(path, 'http://log');
    if (url.pathname === '/v1/audit/checkpoint') return note;
    if (url.pathname === '/v1/audit/public-key') return KEY.pem;
    if (url.pathname === '/v1/audit/events') {
      const start = Number(url.searchParams.get('cursor') ?? 0);
      // Fewer than asked for, as a server may give: the cursor must be followed.
      const end = start + Math.min(500, Number(url.searchParams.get('limit')));
      return { items: events.slice(start, end), ...(end < events.length ? { nextCursor: String(end) } : {}) };
    }
    if (url.pathname === '/v1/audit/proofs/inclusion') {
      const index = events.findIndex((e) => e.eventId === url.searchParams.get('eventId'));
      return { leafHash: '', proof: base64(inclusionProof(index, leaves.slice(0, size))) };
    }
    if (url.pathname === '/v1/audit/proofs/consistency') {
      const from = Number(url.searchParams.get('from'));
      return { proof: base64(consistencyProof(from, Number(url.searchParams.get('to')), leaves)) };
    }
    throw new Error(`no route ${path}`);
  };
  return {
    paths,
    text: async (path) => {
      paths.push(path);
      return answer(path) as string;
    },
    json: async <T>(path: string) => {
      paths.push(path);
      return answer(path) as T;
    },
  };
}

describe('reading the audit API', () => {
  it('exports the sealed events of a filter with their proofs, as a bundle that verifies', async () => {
    // Prepare
    const { events, leaves, note } = sealedLog(510);
    const unsealed = auditEvent({}, NOW);
    const api = fakeApi([...events, unsealed], leaves, note);
    const key = await importCheckpointKey(KEY.pem);

    // Act
    const exported = await exportEvidenceBundle(api, {
      source: 'http://log',
      filter: { caseId: 'case-1', from: undefined },
      key,
      waitMs: 0,
      now: NOW,
    });

    // Assess
    expect(exported.findings).toEqual([]);
    expect(exported.bundle).toMatchObject({ filter: { caseId: 'case-1' }, notYetSealed: [unsealed.eventId] });
    expect(exported.bundle.events).toHaveLength(510);
    expect((await verifyBundle(parseEvidenceBundle(exported.bundle), key)).findings).toEqual([]);
    expect(api.paths.filter((p) => p.startsWith('/v1/audit/events?'))).toHaveLength(2);
    expect(api.paths[0]).toContain('caseId=case-1');
    expect(api.paths[0]).toContain('limit=2000');
    expect(api.paths[0]).not.toContain('from=');
  });

  it('reads the latest checkpoint and proves it extends the one verified before', async () => {
    // Prepare
    const { leaves, note } = sealedLog(30);
    const api = fakeApi([], leaves, note);
    const key = await importCheckpointKey(KEY.pem);
    const previous = { size: 17, rootHash: rootHash(leaves.slice(0, 17)), label: 'seen by this browser' };
    const forked = { ...previous, rootHash: rootHash(leaves.slice(1, 18)) };

    // Act
    const checkpoint: VerifiedCheckpoint = await readCheckpointExtending(api, key, previous);
    const fork = await failure(() => readCheckpointExtending(api, key, forked));

    // Assess
    expect(checkpoint.size).toBe(30);
    expect(api.paths).toContain('/v1/audit/proofs/consistency?from=17&to=30');
    expect(fork.finding.code).toBe('fork');
    expect(fork.message).toContain('seen by this browser');
  });
});

describe('the verification module in a browser', () => {
  async function browserBundle(): Promise<string> {
    const result = await build({
      entryPoints: [MODULE],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'himayaVerification',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text as string;
  }

  it('bundles for the browser with no Node built-in', async () => {
    const code = await browserBundle();

    expect(code).not.toMatch(/\bnode:[a-z]/);
    expect(code).not.toMatch(/\brequire\(\s*["'](?:buffer|crypto|fs|path|util|stream|vm|os)["']/);
    expect(code).not.toMatch(/\bBuffer\./);
  });

  it('verifies a checkpoint and an event where neither process nor Buffer exists', async () => {
    // Prepare
    const { events, leaves, root, note } = sealedLog(9);
    const context = createContext({
      crypto: globalThis.crypto,
      TextEncoder,
      TextDecoder,
      input: { pem: KEY.pem, note, event: events[4], proof: base64(inclusionProof(4, leaves)), root },
    });
    runInContext(await browserBundle(), context);

    // Act
    const globals = runInContext('[typeof process, typeof Buffer, typeof require].join()', context);
    const outcome = await runInContext(
      `(async () => {
        const v = himayaVerification;
        const key = await v.importCheckpointKey(input.pem);
        const checkpoint = await v.verifyCheckpoint(input.note, key);
        v.verifyEventInclusion(input.event, 4, checkpoint.size, input.proof, checkpoint.rootHash);
        let refused = '';
        try {
          v.verifyEventInclusion({ ...input.event, outcome: 500 }, 4, checkpoint.size, input.proof, checkpoint.rootHash);
        } catch (error) {
          refused = error.finding.code;
        }
        return { size: checkpoint.size, root: v.toBase64(checkpoint.rootHash), fingerprint: key.fingerprint, refused };
      })()`,
      context,
    );

    // Assess
    expect(globals).toBe('undefined,undefined,undefined');
    expect(outcome).toEqual({
      size: 9,
      root: Buffer.from(root).toString('base64'),
      fingerprint: formatFingerprint(KEY.spki),
      refused: 'not-included',
    });
  });
});

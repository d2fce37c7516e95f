import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFormatError,
  checkpointBody,
  formatSignedNote,
  NoteKeyError,
  noteKeyId,
  parseNote,
  parseSignedNote,
  rawEd25519FromSpki,
  verifyCheckpointSignature,
  verifyNoteSignature,
} from '../../../../src/domain/audit/checkpoint';

const ORIGIN = 'himaya.example/audit-log';
const ROOT = createHash('sha256').update('root').digest();
const ROOT_B64 = ROOT.toString('base64');

const fromB64 = (text: string): Buffer => Buffer.from(text, 'base64');

/** An Ed25519 key pair with its raw public key, read from the JWK export (independent of SPKI parsing). */
function newKey(): { publicKey: KeyObject; privateKey: KeyObject; raw: Buffer; spki: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  return { publicKey, privateKey, raw, spki: publicKey.export({ format: 'der', type: 'spki' }) };
}

/** Independent key id: SHA-256(name || 0x0A || 0x01 || raw key)[:4]. */
const expectedKeyId = (name: string, raw: Uint8Array): string =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(0x01), raw]))
    .digest()
    .subarray(0, 4)
    .toString('hex');

const LOG_KEY = newKey();
const WITNESS_KEY = newKey();

function signedCheckpoint(
  size = 42,
  keys = [{ name: ORIGIN, key: LOG_KEY }],
): { body: string; note: string } {
  const body = checkpointBody({ origin: ORIGIN, size, rootHash: ROOT });
  const note = formatSignedNote(
    body,
    keys.map(({ name, key }) => ({
      name,
      keyId: noteKeyId(name, key.raw),
      signature: sign(null, Buffer.from(body, 'utf8'), key.privateKey),
    })),
  );
  return { body, note };
}

/** A note assembled from raw lines, for malformed-input cases. */
const assemble = (bodyLines: string[], signatureLines: string[]): string =>
  `${bodyLines.join('\n')}\n\n${signatureLines.join('\n')}\n`;

const GOOD_SIGNATURE_B64 = Buffer.concat([Buffer.alloc(4, 7), Buffer.alloc(64, 9)]).toString('base64');
const GOOD_SIGNATURE_LINE = `— ${ORIGIN} ${GOOD_SIGNATURE_B64}`;
const GOOD_BODY_LINES = [ORIGIN, '42', ROOT_B64];

/** Base64 with non-zero padding bits: decodes (leniently) to the same bytes, but is not canonical. */
function withDirtyPaddingBits(canonical: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const at = canonical.indexOf('=') - 1;
  const dirty = alphabet[alphabet.indexOf(canonical[at] as string) | 1] as string;
  return canonical.slice(0, at) + dirty + canonical.slice(at + 1);
}

// golang.org/x/mod/sumdb/note example: verifier and signer keys of "PeterNeumann" and the note they sign.
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const goPublicRaw = fromB64(GO_VERIFIER_KEY.split('+').slice(2).join('+')).subarray(1);
const goSeed = fromB64(GO_SIGNER_KEY.split('+').slice(4).join('+')).subarray(1);
const goPublicKey = createPublicKey({
  key: { kty: 'OKP', crv: 'Ed25519', x: goPublicRaw.toString('base64url') },
  format: 'jwk',
});
const goPublicSpki = goPublicKey.export({ format: 'der', type: 'spki' });
const goPrivateKey = createPrivateKey({
  key: { kty: 'OKP', crv: 'Ed25519', x: goPublicRaw.toString('base64url'), d: goSeed.toString('base64url') },
  format: 'jwk',
});

describe('checkpointBody', () => {
  it('formats origin, decimal size and base64 root, each ending with a newline (C2SP example)', () => {
    // Prepare
    const rootHash = fromB64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');

    // Act
    const body = checkpointBody({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash });

    // Assess
    expect(body).toBe(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it.each([
    ['an empty origin', { origin: '', size: 1, rootHash: ROOT }],
    ['an origin with a newline', { origin: 'a\n2', size: 1, rootHash: ROOT }],
    ['an origin with a space', { origin: 'a b', size: 1, rootHash: ROOT }],
    ['an origin with a plus', { origin: 'a+b', size: 1, rootHash: ROOT }],
    ['a negative size', { origin: ORIGIN, size: -1, rootHash: ROOT }],
    ['a fractional size', { origin: ORIGIN, size: 1.5, rootHash: ROOT }],
    ['an unsafe size', { origin: ORIGIN, size: 2 ** 53, rootHash: ROOT }],
    ['a 31-byte root', { origin: ORIGIN, size: 1, rootHash: ROOT.subarray(1) }],
  ])('refuses %s', (_, fields) => {
    // Act + Assess
    expect(() => checkpointBody(fields)).toThrow(CheckpointFormatError);
  });
});

describe('noteKeyId', () => {
  it('matches the key id of the Go sumdb/note example key (c74f20a3)', () => {
    // Act
    const keyId = noteKeyId('PeterNeumann', goPublicRaw);

    // Assess
    expect(Buffer.from(keyId).toString('hex')).toBe('c74f20a3');
  });

  it('is deterministic and equals SHA-256(name || 0x0A || 0x01 || key)[:4] computed independently', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (name, raw) => {
          // Act
          const first = noteKeyId(name, raw);
          const second = noteKeyId(name, raw);

          // Assess
          expect(first).toHaveLength(4);
          expect(Buffer.from(first).toString('hex')).toBe(Buffer.from(second).toString('hex'));
          expect(Buffer.from(first).toString('hex')).toBe(expectedKeyId(name, raw));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('depends on the key name and on the key', () => {
    // Act
    const base = Buffer.from(noteKeyId(ORIGIN, LOG_KEY.raw)).toString('hex');
    const otherName = Buffer.from(noteKeyId(`${ORIGIN}2`, LOG_KEY.raw)).toString('hex');
    const otherKey = Buffer.from(noteKeyId(ORIGIN, WITNESS_KEY.raw)).toString('hex');

    // Assess
    expect(otherName).not.toBe(base);
    expect(otherKey).not.toBe(base);
  });

  it('refuses an invalid key name or a key that is not 32 bytes', () => {
    // Act + Assess
    expect(() => noteKeyId('', LOG_KEY.raw)).toThrow(NoteKeyError);
    expect(() => noteKeyId('has space', LOG_KEY.raw)).toThrow(NoteKeyError);
    expect(() => noteKeyId('has+plus', LOG_KEY.raw)).toThrow(NoteKeyError);
    expect(() => noteKeyId(ORIGIN, LOG_KEY.spki)).toThrow(NoteKeyError);
  });
});

describe('rawEd25519FromSpki', () => {
  it('returns the 32-byte public key inside a 44-byte Ed25519 SubjectPublicKeyInfo', () => {
    // Act
    const raw = rawEd25519FromSpki(LOG_KEY.spki);

    // Assess
    expect(LOG_KEY.spki).toHaveLength(44);
    expect(Buffer.from(raw).toString('hex')).toBe(LOG_KEY.raw.toString('hex'));
  });

  it('refuses other lengths and other key types', () => {
    // Prepare
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });

    // Act + Assess
    expect(x25519).toHaveLength(44);
    expect(() => rawEd25519FromSpki(x25519)).toThrow(NoteKeyError);
    expect(() => rawEd25519FromSpki(LOG_KEY.spki.subarray(1))).toThrow(NoteKeyError);
    expect(() => rawEd25519FromSpki(Buffer.concat([LOG_KEY.spki, Buffer.of(0)]))).toThrow(NoteKeyError);
  });
});

describe('formatSignedNote and parseSignedNote', () => {
  it('round-trip a signed checkpoint', () => {
    // Prepare
    const { body, note } = signedCheckpoint(123_456);

    // Act
    const parsed = parseSignedNote(note);

    // Assess
    expect(note.startsWith(`${body}\n— ${ORIGIN} `)).toBe(true);
    expect(parsed.body).toBe(body);
    expect(parsed.origin).toBe(ORIGIN);
    expect(parsed.size).toBe(123_456);
    expect(Buffer.from(parsed.rootHash).toString('hex')).toBe(ROOT.toString('hex'));
    expect(parsed.extensions).toEqual([]);
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.signatures[0]?.name).toBe(ORIGIN);
    expect(Buffer.from(parsed.signatures[0]?.keyId ?? []).toString('hex')).toBe(
      expectedKeyId(ORIGIN, LOG_KEY.raw),
    );
    expect(parsed.signatures[0]?.signature).toHaveLength(64);
  });

  it('round-trip several signatures in order, and bytes as well as strings', () => {
    // Prepare
    const { note } = signedCheckpoint(7, [
      { name: ORIGIN, key: LOG_KEY },
      { name: 'witness.example/w1', key: WITNESS_KEY },
    ]);

    // Act
    const parsed = parseSignedNote(Buffer.from(note, 'utf8'));

    // Assess
    expect(parsed.signatures.map((sig) => sig.name)).toEqual([ORIGIN, 'witness.example/w1']);
    expect(formatSignedNote(parsed.body, parsed.signatures)).toBe(note);
  });

  it('reproduce the Go sumdb/note example byte for byte', () => {
    // Prepare
    const signature = sign(null, Buffer.from(GO_TEXT, 'utf8'), goPrivateKey);

    // Act
    const note = formatSignedNote(GO_TEXT, [
      { name: 'PeterNeumann', keyId: noteKeyId('PeterNeumann', goPublicRaw), signature },
    ]);

    // Assess
    expect(note).toBe(GO_NOTE);
    expect(parseNote(GO_NOTE).body).toBe(GO_TEXT);
  });

  it('parse the C2SP tlog-checkpoint example', () => {
    // Prepare
    const note =
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
      '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';

    // Act
    const parsed = parseSignedNote(note);

    // Assess
    expect(parsed.origin).toBe('example.com/behind-the-sofa');
    expect(parsed.size).toBe(20852163);
    expect(Buffer.from(parsed.rootHash).toString('base64')).toBe(
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
    );
    expect(parsed.signatures[0]?.name).toBe('example.com/behind-the-sofa');
    expect(Buffer.from(parsed.signatures[0]?.keyId ?? []).toString('hex')).toBe('033de0ae');
    expect(parsed.signatures[0]?.signature).toHaveLength(64);
  });

  it('return extension lines without interpreting them', () => {
    // Act
    const parsed = parseSignedNote(
      assemble([...GOOD_BODY_LINES, 'ext one', 'ext two'], [GOOD_SIGNATURE_LINE]),
    );

    // Assess
    expect(parsed.extensions).toEqual(['ext one', 'ext two']);
  });

  it('refuse to format a text without a final newline, no signatures, or bad signature parts', () => {
    // Prepare
    const body = checkpointBody({ origin: ORIGIN, size: 1, rootHash: ROOT });
    const sig = { name: ORIGIN, keyId: new Uint8Array(4), signature: new Uint8Array(64) };

    // Act + Assess
    expect(formatSignedNote(body, [sig])).toContain('\n\n— ');
    expect(() => formatSignedNote(body.slice(0, -1), [sig])).toThrow(CheckpointFormatError);
    expect(() => formatSignedNote(`${body}\t\n`, [sig])).toThrow(CheckpointFormatError);
    expect(() => formatSignedNote(body, [])).toThrow(CheckpointFormatError);
    expect(() => formatSignedNote(body, [{ ...sig, keyId: new Uint8Array(3) }])).toThrow(
      CheckpointFormatError,
    );
    expect(() => formatSignedNote(body, [{ ...sig, name: 'a b' }])).toThrow(CheckpointFormatError);
    expect(() => formatSignedNote(body, [{ ...sig, signature: new Uint8Array(0) }])).toThrow(
      CheckpointFormatError,
    );
  });

  const good = assemble(GOOD_BODY_LINES, [GOOD_SIGNATURE_LINE]);
  it.each<[string, string | Uint8Array]>([
    ['a note without the blank line', good.replace('\n\n', '\n')],
    ['a note without signature lines', `${GOOD_BODY_LINES.join('\n')}\n\n`],
    ['a note without a final newline', good.slice(0, -1)],
    ['a note with CRLF line endings', good.replaceAll('\n', '\r\n')],
    ['a note with a control character', good.replace(ORIGIN, `${ORIGIN}\t`)],
    ['a note with a NUL', good.replace('42', '4\u00002')],
    ['a note that is not valid UTF-8', Buffer.concat([Buffer.from(good), Buffer.of(0xff)])],
    ['a note with a lone surrogate', good.replace(ORIGIN, `${ORIGIN}\ud800`)],
    ['a body with only two lines', assemble([ORIGIN, '42'], [GOOD_SIGNATURE_LINE])],
    ['a body with an empty origin', assemble(['', '42', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a body with an empty extension line', assemble([...GOOD_BODY_LINES, '', 'ext'], [GOOD_SIGNATURE_LINE])],
    ['a body that is only a newline', `\n\n${GOOD_SIGNATURE_LINE}\n`],
    ['a size with a leading zero', assemble([ORIGIN, '042', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a negative size', assemble([ORIGIN, '-1', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a size with a plus sign', assemble([ORIGIN, '+5', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a fractional size', assemble([ORIGIN, '1.0', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a size in exponent form', assemble([ORIGIN, '1e3', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a size with a space', assemble([ORIGIN, ' 5', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    ['a size above 2^53 - 1', assemble([ORIGIN, '9007199254740992', ROOT_B64], [GOOD_SIGNATURE_LINE])],
    [
      'a root of 31 bytes',
      assemble([ORIGIN, '42', ROOT.subarray(1).toString('base64')], [GOOD_SIGNATURE_LINE]),
    ],
    [
      'a root of 33 bytes',
      assemble([ORIGIN, '42', Buffer.concat([ROOT, Buffer.of(1)]).toString('base64')], [GOOD_SIGNATURE_LINE]),
    ],
    [
      'a root in URL-safe base64',
      assemble([ORIGIN, '42', ROOT.toString('base64url')], [GOOD_SIGNATURE_LINE]),
    ],
    ['a root that is not base64', assemble([ORIGIN, '42', '%'.repeat(44)], [GOOD_SIGNATURE_LINE])],
    [
      'a root in non-canonical base64',
      assemble([ORIGIN, '42', withDirtyPaddingBits(ROOT_B64)], [GOOD_SIGNATURE_LINE]),
    ],
    ['a signature line with a hyphen for the em dash', good.replace('— ', '- ')],
    ['a signature line without the space after the dash', good.replace('— ', '—')],
    [
      'a signature line with two spaces',
      good.replace(`${ORIGIN} ${GOOD_SIGNATURE_B64}`, `${ORIGIN}  ${GOOD_SIGNATURE_B64}`),
    ],
    ['a signature line with an extra field', good.replace(GOOD_SIGNATURE_B64, `${GOOD_SIGNATURE_B64} extra`)],
    ['a signature line without a key name', assemble(GOOD_BODY_LINES, [`—  ${GOOD_SIGNATURE_B64}`])],
    ['a key name with a plus', assemble(GOOD_BODY_LINES, [`— log+1 ${GOOD_SIGNATURE_B64}`])],
    ['a key name with a no-break space', assemble(GOOD_BODY_LINES, [`— log\u00a01 ${GOOD_SIGNATURE_B64}`])],
    ['a signature that is not base64', assemble(GOOD_BODY_LINES, [`— ${ORIGIN} not*base64`])],
    [
      'a signature without base64 padding',
      good.replace(GOOD_SIGNATURE_B64, GOOD_SIGNATURE_B64.replace(/=+$/, '')),
    ],
    [
      'a signature in non-canonical base64',
      good.replace(GOOD_SIGNATURE_B64, withDirtyPaddingBits(GOOD_SIGNATURE_B64)),
    ],
    ['a signature no longer than a key id', assemble(GOOD_BODY_LINES, [`— ${ORIGIN} AAAAAA==`])],
    [
      'an empty line among the signatures',
      assemble(GOOD_BODY_LINES, [GOOD_SIGNATURE_LINE, '', GOOD_SIGNATURE_LINE]),
    ],
    ['more than 100 signatures', assemble(GOOD_BODY_LINES, Array(101).fill(GOOD_SIGNATURE_LINE))],
  ])('reject %s', (_, note) => {
    // Act + Assess
    expect(() => parseSignedNote(note)).toThrow(CheckpointFormatError);
  });

  it('accept the note the malformed cases are derived from', () => {
    // Act + Assess
    expect(parseSignedNote(good).size).toBe(42);
    expect(withDirtyPaddingBits(ROOT_B64)).not.toBe(ROOT_B64);
    expect(fromB64(withDirtyPaddingBits(ROOT_B64)).equals(ROOT)).toBe(true);
  });
});

describe('verifyCheckpointSignature', () => {
  it('accepts a checkpoint signed by the key, given as SPKI DER, the note as text or bytes', async () => {
    // Prepare
    const { note } = signedCheckpoint();

    // Act + Assess
    expect(await verifyCheckpointSignature(note, { name: ORIGIN, publicKey: LOG_KEY.spki })).toBe(true);
    expect(
      await verifyCheckpointSignature(note, { name: ORIGIN, publicKey: new Uint8Array(LOG_KEY.spki) }),
    ).toBe(true);
    expect(
      await verifyCheckpointSignature(Buffer.from(note), { name: ORIGIN, publicKey: LOG_KEY.spki }),
    ).toBe(true);
  });

  it('rejects the checkpoint when the body, the root or the signature has a flipped bit', async () => {
    // Prepare
    const { note } = signedCheckpoint(42);
    const verifier = { name: ORIGIN, publicKey: LOG_KEY.spki };
    const parsed = parseSignedNote(note);
    const sig = parsed.signatures[0];
    if (sig === undefined) throw new Error('no signature');
    const flippedRoot = Buffer.from(ROOT);
    flippedRoot[5] = (flippedRoot[5] as number) ^ 0x10;
    const flippedSignature = Buffer.from(sig.signature);
    flippedSignature[0] = (flippedSignature[0] as number) ^ 0x01;

    // Act
    const bodyTampered = note.replace('\n42\n', '\n43\n');
    const rootTampered = note.replace(ROOT_B64, flippedRoot.toString('base64'));
    const signatureTampered = formatSignedNote(parsed.body, [{ ...sig, signature: flippedSignature }]);

    // Assess
    expect(await verifyCheckpointSignature(bodyTampered, verifier)).toBe(false);
    expect(await verifyCheckpointSignature(rootTampered, verifier)).toBe(false);
    expect(await verifyCheckpointSignature(signatureTampered, verifier)).toBe(false);
  });

  it('rejects the checkpoint when any single bit of the encoded note is flipped', async () => {
    // Prepare
    const bytes = Buffer.from(signedCheckpoint(99).note, 'utf8');
    const verifier = { name: ORIGIN, publicKey: LOG_KEY.spki };

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), async (bit) => {
        // Act
        const tampered = Buffer.from(bytes);
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));

        // Assess
        expect(await verifyCheckpointSignature(tampered, verifier)).toBe(false);
      }),
      { numRuns: 400 },
    );
    expect(await verifyCheckpointSignature(bytes, verifier)).toBe(true);
  });

  it('rejects when no signature line has both the key name and the key id of the verifier', async () => {
    // Prepare
    const { note } = signedCheckpoint();

    // Act + Assess
    expect(await verifyCheckpointSignature(note, { name: ORIGIN, publicKey: WITNESS_KEY.spki })).toBe(false);
    expect(
      await verifyCheckpointSignature(note, { name: 'other.example/log', publicKey: LOG_KEY.spki }),
    ).toBe(false);
  });

  it('ignores signatures of other keys (witness cosignatures)', async () => {
    // Prepare
    const { note } = signedCheckpoint(5, [
      { name: 'witness.example/w1', key: WITNESS_KEY },
      { name: ORIGIN, key: LOG_KEY },
    ]);

    // Act + Assess
    expect(await verifyCheckpointSignature(note, { name: ORIGIN, publicKey: LOG_KEY.spki })).toBe(true);
    expect(
      await verifyCheckpointSignature(note, { name: 'witness.example/w1', publicKey: WITNESS_KEY.spki }),
    ).toBe(true);
  });

  it('rejects the note when one of several signatures of the verifier key is bad', async () => {
    // Prepare
    const { note } = signedCheckpoint();
    const parsed = parseSignedNote(note);
    const sig = parsed.signatures[0];
    if (sig === undefined) throw new Error('no signature');
    const bad = { ...sig, signature: new Uint8Array(64) };

    // Act
    const withBadSecond = formatSignedNote(parsed.body, [sig, bad]);

    // Assess
    expect(await verifyCheckpointSignature(withBadSecond, { name: ORIGIN, publicKey: LOG_KEY.spki })).toBe(
      false,
    );
  });

  it('returns false for a malformed note, and throws NoteKeyError for a key that is not Ed25519', async () => {
    // Prepare
    const ecKey = new Uint8Array(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }),
    );
    const ed25519Prefix = LOG_KEY.spki.subarray(0, 12);

    // Act + Assess
    expect(await verifyCheckpointSignature('not a note', { name: ORIGIN, publicKey: LOG_KEY.spki })).toBe(
      false,
    );
    await expect(
      verifyCheckpointSignature(signedCheckpoint().note, { name: ORIGIN, publicKey: ecKey }),
    ).rejects.toThrow(NoteKeyError);
    await expect(
      verifyCheckpointSignature(signedCheckpoint().note, {
        name: ORIGIN,
        publicKey: Buffer.concat([ed25519Prefix, Buffer.alloc(33)]),
      }),
    ).rejects.toThrow(NoteKeyError);
    await expect(
      verifyCheckpointSignature(signedCheckpoint().note, { name: ORIGIN, publicKey: new Uint8Array(44) }),
    ).rejects.toThrow(NoteKeyError);
  });

  it('requires a checkpoint body, while verifyNoteSignature accepts any signed note (Go example)', async () => {
    // Prepare
    const verifier = { name: 'PeterNeumann', publicKey: goPublicSpki };

    // Act + Assess
    expect(await verifyNoteSignature(GO_NOTE, verifier)).toBe(true);
    expect(await verifyNoteSignature(GO_NOTE.replace('problem,', 'problem;'), verifier)).toBe(false);
    expect(await verifyCheckpointSignature(GO_NOTE, verifier)).toBe(false);
  });
});

/**
 * Signed tree heads in the C2SP formats: a `tlog-checkpoint` body carried in a `signed-note`.
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n        the note text (the signed bytes, UTF-8)
 *     \n                                                   blank line
 *     — <key name> <base64(4-byte key id || signature)>\n  one line per signature (U+2014, space)
 *
 * Signatures are Ed25519 (signed-note signature type 0x01) over the UTF-8 bytes of the note text; they are
 * produced elsewhere (KMS Sign, ED25519_SHA_512, message type RAW). The parser is strict: any deviation
 * throws `CheckpointFormatError`. Sizes are JavaScript numbers, so a tree size above 2^53 - 1 is rejected.
 *
 * Platform-free (WebCrypto, no `Buffer`): the sealer, the CLI and the compliance console's browser parse and
 * verify notes with this one code.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes, fromBase64, toBase64, utf8Bytes } from './encoding';

/** The checkpoint or signed note is malformed (or cannot be formatted from the given parts). */
export class CheckpointFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointFormatError';
  }
}

/** A public key is not a usable Ed25519 public key. */
export class NoteKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NoteKeyError';
  }
}

/** signed-note signature type byte of Ed25519. */
export const ED25519_SIGNATURE_TYPE = 0x01;
/** Signature lines accepted in one note (the spec asks verifiers to accept at least 16). */
export const MAX_NOTE_SIGNATURES = 100;
/** Largest note accepted, in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 1024 * 1024;

const ROOT_HASH_SIZE = 32;
const KEY_ID_SIZE = 4;
const ED25519_SIGNATURE_SIZE = 64;
const SIGNATURE_PREFIX = '\u2014 ';
/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }. */
const ED25519_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

export interface CheckpointFields {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

export interface NoteSignature {
  /** Key name. */
  name: string;
  /** The 4-byte key id (`noteKeyId`). */
  keyId: Uint8Array;
  /** The signature proper (64 bytes for Ed25519). */
  signature: Uint8Array;
}

export interface ParsedCheckpoint extends CheckpointFields {
  /** The note text: the signed part, ending with a newline. */
  body: string;
  /** Extension lines after the root hash (opaque; Himaya emits none). */
  extensions: string[];
  signatures: NoteSignature[];
}

export interface CheckpointVerifier {
  /** Key name expected on the signature line. */
  name: string;
  /** Ed25519 public key: DER SubjectPublicKeyInfo bytes (as KMS GetPublicKey returns). */
  publicKey: Uint8Array;
}

// Controls other than newline are forbidden anywhere in a note.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
// Key names: non-empty, no Unicode space, no plus.
const KEY_NAME_FORBIDDEN = /[\s\u0085+]/u;
const CANONICAL_DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const BASE64_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.isWellFormed() &&
    !KEY_NAME_FORBIDDEN.test(name) &&
    !FORBIDDEN_CONTROL.test(name)
  );
}

/** Strict standard base64 (RFC 4648 §4, padded, canonical: unused bits zero). */
function fromBase64Strict(text: string, what: string): Uint8Array {
  if (!BASE64_SHAPE.test(text)) throw new CheckpointFormatError(`${what} is not standard padded base64`);
  const bytes = fromBase64(text);
  if (!bytes) throw new CheckpointFormatError(`${what} is not canonical base64`);
  return bytes;
}

/** The bytes a signature covers: the UTF-8 encoding of the note text. */
export function noteSigningBytes(body: string): Uint8Array<ArrayBuffer> {
  return utf8Bytes(body);
}

/** The checkpoint note text `<origin>\n<size>\n<base64 root>\n`. The origin must be a valid key name. */
export function checkpointBody({ origin, size, rootHash }: CheckpointFields): string {
  if (!isKeyName(origin)) {
    throw new CheckpointFormatError('the origin must be non-empty, without spaces, plus signs or controls');
  }
  if (!Number.isSafeInteger(size) || size < 0)
    throw new CheckpointFormatError(`bad tree size ${String(size)}`);
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== ROOT_HASH_SIZE) {
    throw new CheckpointFormatError(`the root hash must be ${ROOT_HASH_SIZE} bytes`);
  }
  return `${origin}\n${size}\n${toBase64(rootHash)}\n`;
}

/** signed-note key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || 32-byte Ed25519 public key). */
export function noteKeyId(name: string, publicKeyRaw: Uint8Array): Uint8Array {
  if (!isKeyName(name)) throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}`);
  if (!(publicKeyRaw instanceof Uint8Array) || publicKeyRaw.length !== 32) {
    throw new NoteKeyError('an Ed25519 public key is 32 bytes');
  }
  const digest = sha256(
    concatBytes(utf8Bytes(name), Uint8Array.of(0x0a, ED25519_SIGNATURE_TYPE), publicKeyRaw),
  );
  return digest.slice(0, KEY_ID_SIZE);
}

/** The raw 32-byte Ed25519 key inside a 44-byte DER SubjectPublicKeyInfo. */
export function rawEd25519FromSpki(der: Uint8Array): Uint8Array {
  if (!(der instanceof Uint8Array) || der.length !== ED25519_SPKI_PREFIX.length + 32) {
    throw new NoteKeyError('an Ed25519 SubjectPublicKeyInfo is 44 bytes');
  }
  for (let i = 0; i < ED25519_SPKI_PREFIX.length; i++) {
    if (der[i] !== ED25519_SPKI_PREFIX[i]) throw new NoteKeyError('not an Ed25519 SubjectPublicKeyInfo');
  }
  return der.slice(ED25519_SPKI_PREFIX.length);
}

function checkNoteText(text: string, what: string): void {
  if (!text.isWellFormed()) throw new CheckpointFormatError(`${what} is not valid Unicode`);
  if (FORBIDDEN_CONTROL.test(text)) throw new CheckpointFormatError(`${what} contains a control character`);
}

/** Appends the blank line and one signature line per signature to the note text `body`. */
export function formatSignedNote(body: string, signatures: readonly NoteSignature[]): string {
  if (typeof body !== 'string' || body.length === 0 || !body.endsWith('\n')) {
    throw new CheckpointFormatError('the note text must be non-empty and end with a newline');
  }
  checkNoteText(body, 'the note text');
  if (signatures.length === 0) throw new CheckpointFormatError('a signed note needs at least one signature');
  if (signatures.length > MAX_NOTE_SIGNATURES) throw new CheckpointFormatError('too many signatures');
  const lines = signatures.map(({ name, keyId, signature }) => {
    if (!isKeyName(name)) throw new CheckpointFormatError(`invalid key name ${JSON.stringify(name)}`);
    if (!(keyId instanceof Uint8Array) || keyId.length !== KEY_ID_SIZE) {
      throw new CheckpointFormatError(`a key id is ${KEY_ID_SIZE} bytes`);
    }
    if (!(signature instanceof Uint8Array) || signature.length === 0) {
      throw new CheckpointFormatError('a signature is not empty');
    }
    return `${SIGNATURE_PREFIX}${name} ${toBase64(concatBytes(keyId, signature))}\n`;
  });
  return `${body}\n${lines.join('')}`;
}

/** Parses a checkpoint note text (strict; extension lines are returned, not interpreted). */
export function parseCheckpointBody(body: string): CheckpointFields & { extensions: string[] } {
  if (!body.endsWith('\n')) throw new CheckpointFormatError('the note text does not end with a newline');
  checkNoteText(body, 'the note text');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointFormatError('a checkpoint has origin, size and root hash lines');
  if (lines.some((line) => line.length === 0)) throw new CheckpointFormatError('a checkpoint line is empty');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!CANONICAL_DECIMAL.test(sizeText))
    throw new CheckpointFormatError('the tree size is not a canonical decimal');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointFormatError('the tree size is too large');
  const rootHash = fromBase64Strict(rootText, 'the root hash');
  if (rootHash.length !== ROOT_HASH_SIZE)
    throw new CheckpointFormatError(`the root hash is not ${ROOT_HASH_SIZE} bytes`);
  return { origin, size, rootHash, extensions };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new CheckpointFormatError('a signature line does not start with an em dash and a space');
  }
  const fields = line.slice(SIGNATURE_PREFIX.length).split(' ');
  if (fields.length !== 2) throw new CheckpointFormatError('a signature line is not "— <name> <signature>"');
  const [name, encoded] = fields as [string, string];
  if (!isKeyName(name)) throw new CheckpointFormatError('a signature line has an invalid key name');
  const bytes = fromBase64Strict(encoded, 'a signature');
  if (bytes.length <= KEY_ID_SIZE) throw new CheckpointFormatError('a signature is shorter than a key id');
  return { name, keyId: bytes.slice(0, KEY_ID_SIZE), signature: bytes.slice(KEY_ID_SIZE) };
}

export interface ParsedNote {
  /** The note text: the signed part, ending with a newline. */
  body: string;
  signatures: NoteSignature[];
}

/**
 * Parses a signed note (any text; see `parseSignedNote` for checkpoints). Signatures are *not* verified;
 * the text must be ignored until one is.
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  let text: string;
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) throw new CheckpointFormatError('the note is too large');
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch (error) {
      throw new CheckpointFormatError('the note is not valid UTF-8', { cause: error });
    }
  } else if (typeof note === 'string') {
    if (note.length > MAX_NOTE_BYTES || utf8Bytes(note).length > MAX_NOTE_BYTES)
      throw new CheckpointFormatError('the note is too large');
    text = note;
  } else {
    throw new CheckpointFormatError('a note is a string or bytes');
  }
  checkNoteText(text, 'the note');
  // The text is separated from the signatures by the last blank line.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new CheckpointFormatError('no blank line between the note text and the signatures');
  const body = text.slice(0, split + 1);
  const signatureBlock = text.slice(split + 2);
  if (signatureBlock.length === 0) throw new CheckpointFormatError('the note has no signature lines');
  if (!signatureBlock.endsWith('\n')) throw new CheckpointFormatError('the note does not end with a newline');
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new CheckpointFormatError('too many signatures');
  return { body, signatures: lines.map(parseSignatureLine) };
}

/**
 * Parses a signed checkpoint: a signed note whose text is a checkpoint body. Signatures are *not* verified
 * (see `verifyCheckpointSignature`); the text must be ignored until one is.
 */
export function parseSignedNote(note: string | Uint8Array): ParsedCheckpoint {
  const { body, signatures } = parseNote(note);
  return { body, ...parseCheckpointBody(body), signatures };
}

type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The WebCrypto key and raw bytes of an SPKI Ed25519 public key; `NoteKeyError` when it is not one. */
export async function importEd25519PublicKey(
  spki: Uint8Array,
): Promise<{ key: WebCryptoKey; raw: Uint8Array }> {
  const raw = rawEd25519FromSpki(spki);
  try {
    const key = await crypto.subtle.importKey('spki', spki.slice(), { name: 'Ed25519' }, true, ['verify']);
    return { key, raw };
  } catch (error) {
    throw new NoteKeyError('the verifier key is not a valid Ed25519 public key', { cause: error });
  }
}

/** Checks the verifier key, then the note as `parse` reads it: a note it rejects carries no valid signature. */
async function verifyWith(
  parse: (note: string | Uint8Array) => ParsedNote,
  note: string | Uint8Array,
  verifier: CheckpointVerifier,
): Promise<boolean> {
  const { key, raw } = await importEd25519PublicKey(verifier.publicKey);
  let parsed: ParsedNote;
  try {
    parsed = parse(note);
  } catch (error) {
    if (error instanceof CheckpointFormatError) return false;
    throw error;
  }
  const keyId = noteKeyId(verifier.name, raw);
  const candidates = parsed.signatures.filter(
    (sig) => sig.name === verifier.name && bytesEqual(sig.keyId, keyId),
  );
  if (candidates.length === 0) return false;
  const message = noteSigningBytes(parsed.body);
  const valid = await Promise.all(
    candidates.map(
      async (sig) =>
        sig.signature.length === ED25519_SIGNATURE_SIZE &&
        (await crypto.subtle.verify({ name: 'Ed25519' }, key, sig.signature.slice(), message)),
    ),
  );
  return valid.every(Boolean);
}

/**
 * Whether the signed note carries a valid Ed25519 signature by the verifier's key. Following the
 * signed-note spec, only lines whose key name and key id both match the verifier count; there must be at
 * least one and all of them must verify (lines of other keys are ignored). A malformed note yields false;
 * an unusable verifier key rejects with `NoteKeyError`.
 */
export function verifyNoteSignature(
  note: string | Uint8Array,
  verifier: CheckpointVerifier,
): Promise<boolean> {
  return verifyWith(parseNote, note, verifier);
}

/**
 * Like `verifyNoteSignature`, and the note text must be a well-formed checkpoint. The key name is not
 * required to equal the checkpoint origin.
 */
export function verifyCheckpointSignature(
  note: string | Uint8Array,
  verifier: CheckpointVerifier,
): Promise<boolean> {
  return verifyWith(parseSignedNote, note, verifier);
}

/**
 * The emulator's ciphertext blobs (Encrypt, GenerateDataKey): AES-256-GCM under the KMS key's own secret.
 *
 *   version (1 byte) | key id (16 bytes, the uuid) | IV (12) | tag (16) | ciphertext
 *
 * The AAD is the version and key id followed by a canonical form of the encryption context, so that a
 * different context, a blob relabelled with another key id, or any flipped byte fails authentication.
 * Carrying the key id in clear lets Decrypt find the key without a KeyId, as AWS does.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsError } from './errors';

const VERSION = 0x01;
const KEY_ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES;
const OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;

export interface SealedBlob {
  keyId: string;
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export function seal(
  secret: Buffer,
  keyId: string,
  plaintext: Buffer,
  context: Record<string, string>,
): Buffer {
  const header = Buffer.concat([Buffer.of(VERSION), uuidToBytes(keyId)]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(additionalData(header, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

/** Splits a blob without trusting it: only the key id is read before authentication. */
export function parseBlob(blob: Buffer): SealedBlob {
  if (blob.length <= OVERHEAD || blob[0] !== VERSION) throw invalidCiphertext();
  const header = blob.subarray(0, HEADER_BYTES);
  return {
    keyId: bytesToUuid(header.subarray(1)),
    header,
    iv: blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES),
    tag: blob.subarray(HEADER_BYTES + IV_BYTES, OVERHEAD),
    ciphertext: blob.subarray(OVERHEAD),
  };
}

export function open(secret: Buffer, sealed: SealedBlob, context: Record<string, string>): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', secret, sealed.iv);
  decipher.setAAD(additionalData(sealed.header, context));
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    // GCM does not say whether the context, the key or the bytes were wrong; neither does KMS.
    throw invalidCiphertext();
  }
}

export function invalidCiphertext(): KmsError {
  return new KmsError(
    'InvalidCiphertextException',
    'The ciphertext is invalid or does not match the key or context',
  );
}

/** Sorted [key, value] pairs as JSON: unambiguous, and independent of the order the caller sent. */
function additionalData(header: Buffer, context: Record<string, string>): Buffer {
  const pairs = Object.keys(context)
    .sort()
    .map((name) => [name, context[name]]);
  return Buffer.concat([header, Buffer.from(JSON.stringify(pairs), 'utf8')]);
}

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

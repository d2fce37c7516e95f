/**
 * Sign and Verify for the asymmetric key specs, with the MessageType rules of KMS:
 * ED25519_SHA_512 signs the raw message only (pure Ed25519, 64-byte signature); ECDSA_SHA_256 takes a
 * raw message (hashed here) or a 32-byte SHA-256 DIGEST, and returns a DER signature.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { signDigest, verifyDigest } from './ecdsa-digest';
import { validationError } from './errors';
import type { SigningAlgorithm } from './key-specs';

export const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

const SHA_256_BYTES = 32;

export interface SignatureRequest {
  algorithm: SigningAlgorithm;
  messageType: MessageType;
  message: Buffer;
}

export function createSignature(privateKey: KeyObject, request: SignatureRequest): Buffer {
  switch (checkMessageType(request)) {
    case 'ed25519':
      return sign(null, request.message, privateKey);
    case 'ecdsa-raw':
      return sign('sha256', request.message, { key: privateKey, dsaEncoding: 'der' });
    case 'ecdsa-digest':
      return signDigest(privateKey, request.message);
  }
}

export function isValidSignature(
  publicKey: KeyObject,
  request: SignatureRequest,
  signature: Buffer,
): boolean {
  const scheme = checkMessageType(request);
  try {
    switch (scheme) {
      case 'ed25519':
        return verify(null, request.message, publicKey, signature);
      case 'ecdsa-raw':
        return verify('sha256', request.message, { key: publicKey, dsaEncoding: 'der' }, signature);
      case 'ecdsa-digest':
        return verifyDigest(publicKey, request.message, signature);
    }
  } catch {
    // OpenSSL throws on some malformed signatures; for the caller that is just an invalid signature.
    return false;
  }
}

type Scheme = 'ed25519' | 'ecdsa-raw' | 'ecdsa-digest';

/** The algorithm is already known to suit the key; this checks the message type and digest length. */
function checkMessageType({ algorithm, messageType, message }: SignatureRequest): Scheme {
  if (algorithm === 'ED25519_SHA_512') {
    if (messageType !== 'RAW') throw validationError('ED25519_SHA_512 requires MessageType RAW');
    return 'ed25519';
  }
  if (algorithm === 'ECDSA_SHA_256') {
    if (messageType === 'RAW') return 'ecdsa-raw';
    if (messageType === 'DIGEST') {
      if (message.length !== SHA_256_BYTES) {
        throw validationError('Digest length does not match the signing algorithm (SHA-256: 32 bytes)');
      }
      return 'ecdsa-digest';
    }
    throw validationError('ECDSA_SHA_256 requires MessageType RAW or DIGEST');
  }
  throw validationError(`${algorithm} is not supported by the KMS emulator`);
}

/**
 * Sign and Verify for the asymmetric key specs, with the MessageType rules of KMS:
 * ED25519_SHA_512 signs the raw message only (pure Ed25519, 64-byte signature); ECDSA_SHA_256 takes a
 * raw message (hashed here) and returns a DER signature. Pre-hashed DIGEST messages, which KMS accepts
 * for ECDSA, are refused: Himaya signs raw messages, and node:crypto cannot sign a bare digest.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { validationError } from './errors';
import type { SigningAlgorithm } from './key-specs';

export const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

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
    }
  } catch {
    // OpenSSL throws on some malformed signatures; for the caller that is just an invalid signature.
    return false;
  }
}

type Scheme = 'ed25519' | 'ecdsa-raw';

/** The algorithm is already known to suit the key; this checks the message type and digest length. */
function checkMessageType({ algorithm, messageType }: SignatureRequest): Scheme {
  if (algorithm === 'ED25519_SHA_512') {
    if (messageType !== 'RAW') throw validationError('ED25519_SHA_512 requires MessageType RAW');
    return 'ed25519';
  }
  if (algorithm === 'ECDSA_SHA_256') {
    if (messageType === 'RAW') return 'ecdsa-raw';
    throw validationError('The KMS emulator signs ECDSA_SHA_256 over RAW messages only');
  }
  throw validationError(`${algorithm} is not supported by the KMS emulator`);
}

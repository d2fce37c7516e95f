import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import {
  checkpointBody,
  formatSignedNote,
  noteKeyId,
  rawEd25519FromSpki,
} from '../../src/domain/audit/checkpoint';

/** A checkpoint signing key of the tests' own: an Ed25519 pair, its public half as PEM and as DER SPKI. */
export interface TestSigningKey {
  privateKey: KeyObject;
  pem: string;
  spki: Uint8Array;
}

export function newSigningKey(): TestSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
  };
}

/** A checkpoint of a tree (C2SP signed note) signed by `key` under the log's `origin`. */
export function signedNote(origin: string, size: number, rootHash: Uint8Array, key: TestSigningKey): string {
  const body = checkpointBody({ origin, size, rootHash });
  return formatSignedNote(body, [
    {
      name: origin,
      keyId: noteKeyId(origin, rawEd25519FromSpki(key.spki)),
      signature: new Uint8Array(sign(null, Buffer.from(body), key.privateKey)),
    },
  ]);
}

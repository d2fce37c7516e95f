import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { CheckpointSigner } from '../domain/audit/ports';

/**
 * Checkpoints are signed by a KMS key of spec ECC_NIST_EDWARDS25519 with ED25519_SHA_512 over the raw
 * note text (message type RAW: pure Ed25519, as the C2SP signed-note format and OpenSSL expect).
 * The public key is fetched once per container.
 */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export function kmsCheckpointSigner(kms: KMSClient, keyId: string): CheckpointSigner {
  let publicKey: Promise<Uint8Array> | undefined;
  return {
    publicKey() {
      publicKey ??= kms.send(new GetPublicKeyCommand({ KeyId: keyId })).then((result) => {
        if (result.KeySpec !== 'ECC_NIST_EDWARDS25519' || !result.PublicKey) {
          throw new SigningKeyError('the checkpoint signing key is not an Ed25519 key');
        }
        return result.PublicKey;
      });
      publicKey.catch(() => {
        publicKey = undefined;
      });
      return publicKey;
    },
    async sign(message) {
      const result = await kms.send(
        new SignCommand({
          KeyId: keyId,
          Message: message,
          MessageType: 'RAW',
          SigningAlgorithm: 'ED25519_SHA_512',
        }),
      );
      if (!result.Signature) throw new SigningKeyError('KMS returned no signature');
      return result.Signature;
    },
  };
}

import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { REQUEST_ID_KEY_LABEL, type RequestIdKey } from '../domain/retryable-write';

/**
 * The deployment's request-id key: KMS `GenerateMac` (HMAC_SHA_256) with the HMAC key over a fixed label,
 * asked once per container and kept in memory, so a request makes no KMS call for it. A failed call is
 * not kept: the next request that needs the key asks again.
 */
export function kmsRequestIdKey(
  kms: Pick<KMSClient, 'send'>,
  hmacKeyId: string,
): () => Promise<RequestIdKey> {
  let pending: Promise<RequestIdKey> | undefined;
  return () => {
    pending ??= kms
      .send(
        new GenerateMacCommand({
          KeyId: hmacKeyId,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: new TextEncoder().encode(REQUEST_ID_KEY_LABEL),
        }),
      )
      .then(({ Mac }) => {
        if (!Mac || Mac.length < 32) throw new Error('KMS returned no MAC');
        return Mac;
      })
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DependencyUnavailableError } from '../domain/errors';
import type { BlindIndexer } from '../domain/matching/ports';

const encoder = new TextEncoder();

/**
 * Blind-index tokens by KMS `GenerateMac` (HMAC_SHA_256) with the deployment's HMAC key: one call per
 * input, nothing kept between calls (a token kept would let a later request learn an earlier one's).
 * `onMacs` is told how many calls were made (the functions emit it as a metric the stack alarms on).
 */
export function kmsBlindIndexer(
  kms: Pick<KMSClient, 'send'>,
  hmacKeyId: string,
  onMacs: (count: number) => void = () => undefined,
): BlindIndexer {
  return {
    async tokens(inputs) {
      if (inputs.length === 0) return [];
      onMacs(inputs.length);
      try {
        return await Promise.all(
          inputs.map(async ({ input }) => {
            const { Mac } = await kms.send(
              new GenerateMacCommand({
                KeyId: hmacKeyId,
                MacAlgorithm: 'HMAC_SHA_256',
                Message: encoder.encode(input),
              }),
            );
            if (Mac?.length !== 32) throw new Error('KMS returned no HMAC-SHA-256 MAC');
            return Mac;
          }),
        );
      } catch (error) {
        throw new DependencyUnavailableError(error);
      }
    },
  };
}

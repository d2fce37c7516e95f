import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
} from '@aws-crypto/client-node';
import type { KMS } from '@aws-sdk/client-kms';
import { type SectionCipher, type SectionContext, SectionIntegrityError } from '../domain/cases/ports';
import type { Directory } from '../domain/directory';
import { ConfigurationError, DependencyUnavailableError, DomainError } from '../domain/errors';

/**
 * Sections are encrypted with the AWS Encryption SDK under the owning agency's KMS key.
 *
 * Suite: AES-256-GCM with HKDF and key commitment, without the ECDSA P-384 message signature of the
 * default suite. The signature protects readers from a writer who holds only the data key; here the
 * writer and every reader is this service with the same KMS permissions, so it adds cost and no
 * protection. Integrity comes from GCM, key commitment and the encryption context (checked below).
 */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const APP = 'himaya';

function encryptionContextOf(context: SectionContext): Record<string, string> {
  return { app: APP, caseId: context.caseId, section: context.section, ownerAgency: context.ownerAgency };
}

const KMS_UNAVAILABLE =
  /TimeoutError|socket hang up|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|fetch failed|KMSInternalException|ThrottlingException|DependencyTimeoutException|KMSInvalidStateException|DisabledException|AccessDeniedException|ServiceUnavailable|InternalFailure/;

export function encryptionSdkCipher(kms: KMS, directory: Directory): SectionCipher {
  // One data key per message: a message with more was not written by us.
  const { encrypt, decrypt } = buildClient({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: 1,
  });
  const keyrings = new Map(
    directory.agencies.flatMap((agency) =>
      agency.keyArn
        ? [[agency.id, new KmsKeyringNode({ generatorKeyId: agency.keyArn, clientProvider: () => kms })]]
        : [],
    ),
  );
  const keyringOf = (agency: string) => {
    const keyring = keyrings.get(agency);
    if (!keyring) throw new ConfigurationError('No key is configured for this agency.');
    return keyring;
  };

  return {
    async encrypt(context, plaintext) {
      try {
        const { result } = await encrypt(keyringOf(context.ownerAgency), plaintext, {
          encryptionContext: encryptionContextOf(context),
          suiteId: SUITE,
        });
        return result;
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw new DependencyUnavailableError(error);
      }
    },

    async decrypt(context, ciphertext) {
      let decrypted: Awaited<ReturnType<typeof decrypt>>;
      try {
        decrypted = await decrypt(keyringOf(context.ownerAgency), ciphertext);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw isIntegrityFailure(error)
          ? new SectionIntegrityError(error)
          : new DependencyUnavailableError(error);
      }
      // The SDK checks the message, not that it is the message we asked for: check every pair.
      const expected = encryptionContextOf(context);
      const actual = decrypted.messageHeader.encryptionContext;
      for (const [key, value] of Object.entries(expected)) {
        if (actual[key] !== value) throw new SectionIntegrityError();
      }
      if (decrypted.messageHeader.suiteId !== SUITE) throw new SectionIntegrityError();
      return decrypted.plaintext;
    },
  };
}

/**
 * The keyring folds KMS errors into one message (with their stacks), so the cause is read from that text:
 * KMS unreachable, throttled, failing or refusing us means KMS is unavailable (503); anything else — KMS
 * refusing the ciphertext, or the message failing to parse, commit or authenticate — is an integrity
 * failure of the stored record.
 */
function isIntegrityFailure(error: unknown): boolean {
  const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''}`;
  return !KMS_UNAVAILABLE.test(text);
}

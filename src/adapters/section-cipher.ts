import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  type KeyringNode,
  KmsHierarchicalKeyRingNode,
  KmsKeyringNode,
  MultiKeyringNode,
} from '@aws-crypto/client-node';
import { DecryptCommand, type KMS, type KMSClient } from '@aws-sdk/client-kms';
import { type SectionCipher, type SectionContext, SectionIntegrityError } from '../domain/cases/ports';
import type { Agency, Directory } from '../domain/directory';
import { ConfigurationError, DependencyUnavailableError, DomainError } from '../domain/errors';
import { branchKeyIdOf, branchKeyStore, type KeyStoreClients } from './branch-keys';

/**
 * Sections are encrypted with the AWS Encryption SDK's hierarchical keyring under the owning agency's
 * branch key (wrapped by the agency's KMS key, see branch-keys.ts), so that a request makes no KMS call
 * while the unwrapped branch key is cached.
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

// The SDK's timeouts are errors named TimeoutError, but the multi-keyring of a decrypt folds a child's
// error in by its stack, written before the name was set ("Error: @smithy/node-http-handler - a request
// has exceeded the configured 2000 ms requestTimeout."): the HTTP handler's own errors are named by it.
const UNAVAILABLE =
  /TimeoutError|@smithy\/node-http-handler|timed out|socket hang up|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|fetch failed|KMSInternalException|ThrottlingException|DependencyTimeoutException|KMSInvalidStateException|DisabledException|AccessDeniedException|ServiceUnavailable|InternalFailure|InternalServerError|ProvisionedThroughputExceeded|RequestLimitExceeded/;

export interface SectionKeys {
  kms: KMSClient;
  directory: Directory;
  keyStore: Omit<KeyStoreClients, 'kms'>;
  /** How long an unwrapped branch key is used before it is fetched and unwrapped again (KMS Decrypt). */
  cacheTtlSeconds: number;
}

/**
 * Per agency: the hierarchical keyring that encrypts, and for decrypt the same keyring with the agency's
 * KMS keyring beside it, which opens only the messages the first version wrote (one KMS call each).
 * Each keyring names one branch key and unwraps it with one KMS key: an agency's keyring opens nothing
 * of another agency's.
 */
function keyringsOf(keys: SectionKeys, agency: Agency & { keyArn: string }) {
  const clients = { ...keys.keyStore, kms: keys.kms };
  const hierarchical = new KmsHierarchicalKeyRingNode({
    branchKeyId: branchKeyIdOf(agency),
    keyStore: branchKeyStore(clients, agency.keyArn),
    cacheLimitTtl: keys.cacheTtlSeconds,
  });
  const legacy = new KmsKeyringNode({
    generatorKeyId: agency.keyArn,
    clientProvider: () => decryptOnly(keys.kms),
  });
  return {
    encrypt: hierarchical,
    decrypt: new MultiKeyringNode({ generator: hierarchical, children: [legacy] }),
  };
}

/**
 * What the first version's keyring calls here: `decrypt` alone (it only opens), as the aggregated `KMS`
 * class would answer it, over the one bare client every other caller uses.
 */
function decryptOnly(kms: KMSClient): KMS {
  const decrypt = (input: DecryptCommand['input']) => kms.send(new DecryptCommand(input));
  return { decrypt } as unknown as KMS;
}

/** The section cipher, and what the re-encryption job needs of it. */
export interface EncryptionSdkCipher extends SectionCipher {
  /**
   * A message the first version wrote (under the agency's KMS key directly) encrypted again under the
   * agency's branch key, with the same context; undefined for a message already under a branch key.
   */
  reencryptFirstVersion(context: SectionContext, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
}

/** The provider id of the EDKs that the KMS keyring (the first version) wrote. */
const KMS_KEYRING_PROVIDER = 'aws-kms';

export function encryptionSdkCipher(keys: SectionKeys): EncryptionSdkCipher {
  // One data key per message: a message with more was not written by us.
  const client = buildClient({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: 1,
  });
  const keyrings = new Map(
    keys.directory.agencies.flatMap((agency) =>
      agency.keyArn ? [[agency.id, keyringsOf(keys, { ...agency, keyArn: agency.keyArn })]] : [],
    ),
  );
  const keyringOf = (agency: string, use: 'encrypt' | 'decrypt'): KeyringNode => {
    const keyring = keyrings.get(agency)?.[use];
    if (!keyring) throw new ConfigurationError('No key is configured for this agency.');
    return keyring;
  };

  const encrypt = async (context: SectionContext, plaintext: Uint8Array) => {
    try {
      const { result } = await client.encrypt(keyringOf(context.ownerAgency, 'encrypt'), plaintext, {
        encryptionContext: encryptionContextOf(context),
        suiteId: SUITE,
      });
      return result;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new DependencyUnavailableError(error);
    }
  };
  const open = (context: SectionContext, ciphertext: Uint8Array) =>
    openMessage(client.decrypt, keyringOf(context.ownerAgency, 'decrypt'), context, ciphertext);

  return {
    encrypt,
    decrypt: async (context, ciphertext) => (await open(context, ciphertext)).plaintext,
    async reencryptFirstVersion(context, ciphertext) {
      const opened = await open(context, ciphertext);
      const firstVersion = opened.messageHeader.encryptedDataKeys[0]?.providerId === KMS_KEYRING_PROVIDER;
      return firstVersion ? encrypt(context, opened.plaintext) : undefined;
    },
  };
}

type Decrypt = ReturnType<typeof buildClient>['decrypt'];

/** Decrypts, then checks that the message is the one asked for: every pair of its context, and the suite. */
async function openMessage(
  decrypt: Decrypt,
  keyring: KeyringNode,
  context: SectionContext,
  ciphertext: Uint8Array,
): Promise<Awaited<ReturnType<Decrypt>>> {
  let decrypted: Awaited<ReturnType<Decrypt>>;
  try {
    decrypted = await decrypt(keyring, ciphertext);
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
  return decrypted;
}

/**
 * The keyrings fold KMS and key-store errors into one message (with their stacks), so the cause is read
 * from that text: KMS or the key store's table unreachable, throttled, failing or refusing us means the key
 * service is unavailable (503); anything else — KMS refusing the ciphertext, or the message failing to
 * parse, commit or authenticate — is an integrity failure of the stored record.
 */
function isIntegrityFailure(error: unknown): boolean {
  const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''}`;
  return !UNAVAILABLE.test(text);
}

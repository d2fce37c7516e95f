/**
 * The KMS operations the emulator implements, by their X-Amz-Target name. Each takes the parsed JSON
 * request and returns the JSON response, in the member names and encodings of the KMS API (blobs in
 * base64, timestamps in epoch seconds); failures are thrown as KmsError.
 *
 * Like KMS, each operation validates the whole request (ValidationException) before it looks up the key
 * (NotFoundException, InvalidKeyUsageException) and only then touches ciphertexts or signatures.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidCiphertext, open, parseBlob, seal } from './envelope';
import { KmsError, validationError } from './errors';
import {
  encryptionContext,
  type JsonObject,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  requiredBlob,
  requiredEnum,
  requiredString,
  tags,
} from './input';
import {
  ENCRYPTION_ALGORITHMS,
  type EncryptionAlgorithm,
  KEY_SPEC_PROFILES,
  KEY_SPECS,
  KEY_USAGES,
  type KeySpec,
  type KeyUsage,
  MAC_ALGORITHMS,
  type MacAlgorithm,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './key-specs';
import type { KeyStore, KmsKey } from './key-store';
import { createSignature, isValidSignature, MESSAGE_TYPES, type SignatureRequest } from './signatures';

export type Operation = (store: KeyStore, input: JsonObject) => JsonObject;

/** KMS limits: 4 KiB of plaintext or message, 6 KiB of ciphertext, signature or MAC. */
const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;
const KEY_ID_BOUNDS = { max: 2048 };
const ALIAS_CHARACTERS = /^[a-zA-Z0-9/_-]+$/;

function createKey(store: KeyStore, input: JsonObject): JsonObject {
  const spec = keySpec(input);
  const usage = optionalEnum(input, 'KeyUsage', [...KEY_USAGES, 'KEY_AGREEMENT']) ?? 'ENCRYPT_DECRYPT';
  if (usage !== KEY_SPEC_PROFILES[spec].usage) {
    throw validationError(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  }
  rejectUnsupported(input);
  const description = optionalString(input, 'Description', { min: 0, max: 8192 }) ?? '';
  const key = store.createKey({ spec, usage, description, tags: tags(input) });
  return { KeyMetadata: keyMetadata(store, key) };
}

function createAlias(store: KeyStore, input: JsonObject): JsonObject {
  const aliasName = requiredString(input, 'AliasName', { max: 256 });
  if (!ALIAS_CHARACTERS.test(aliasName)) {
    throw validationError('AliasName may contain only alphanumerics, /, _ and -');
  }
  if (!aliasName.startsWith('alias/') || aliasName.startsWith('alias/aws/') || aliasName === 'alias/') {
    throw new KmsError(
      'InvalidAliasNameException',
      'AliasName must begin with alias/ and not with alias/aws/',
    );
  }
  const target = store.resolveKeyOnly(requiredString(input, 'TargetKeyId', KEY_ID_BOUNDS));
  store.createAlias(aliasName, target.keyId);
  return {};
}

/** Pages are ordered by alias name; the marker is the last name returned, so it stays valid as aliases are added. */
function listAliases(store: KeyStore, input: JsonObject): JsonObject {
  const keyIdFilter = optionalString(input, 'KeyId', KEY_ID_BOUNDS);
  const targetKeyId = keyIdFilter === undefined ? undefined : store.resolveKeyOnly(keyIdFilter).keyId;
  const limit = optionalInteger(input, 'Limit', { min: 1, max: 100 }) ?? 50;
  const marker = optionalString(input, 'Marker', { max: 1024 });
  const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
  const matching = store
    .listAliases()
    .filter((alias) => targetKeyId === undefined || alias.targetKeyId === targetKeyId)
    .filter((alias) => after === undefined || alias.aliasName > after);
  const page = matching.slice(0, limit);
  const truncated = matching.length > limit;
  return {
    Aliases: page.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: store.aliasArn(alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: epochSeconds(alias.creationDate),
      LastUpdatedDate: epochSeconds(alias.creationDate),
    })),
    Truncated: truncated,
    NextMarker: truncated ? Buffer.from(page.at(-1)?.aliasName ?? '').toString('base64url') : undefined,
  };
}

function describeKey(store: KeyStore, input: JsonObject): JsonObject {
  const key = store.resolve(requiredString(input, 'KeyId', KEY_ID_BOUNDS));
  return { KeyMetadata: keyMetadata(store, key) };
}

function generateDataKey(store: KeyStore, input: JsonObject): JsonObject {
  const length = dataKeyLength(input);
  const context = encryptionContext(input);
  const key = keyFor(store, input, 'ENCRYPT_DECRYPT', 'GenerateDataKey');
  const plaintext = randomBytes(length);
  const ciphertext = seal(secretOf(key), key.keyId, plaintext, context);
  return {
    CiphertextBlob: ciphertext.toString('base64'),
    Plaintext: plaintext.toString('base64'),
    KeyId: store.keyArn(key.keyId),
  };
}

/** What the Encryption SDK's branch key store asks for: a wrapped key it never sees in clear. */
function generateDataKeyWithoutPlaintext(store: KeyStore, input: JsonObject): JsonObject {
  const { CiphertextBlob, KeyId } = generateDataKey(store, input);
  return { CiphertextBlob, KeyId };
}

/**
 * Decrypts under the source context (and key, when named) and seals again under the destination key and
 * context, without the plaintext leaving the service, as KMS does.
 */
function reEncrypt(store: KeyStore, input: JsonObject): JsonObject {
  const blob = requiredBlob(input, 'CiphertextBlob', { max: MAX_CIPHERTEXT });
  const sourceContext = encryptionContext(input, 'SourceEncryptionContext');
  const destinationContext = encryptionContext(input, 'DestinationEncryptionContext');
  optionalEnum(input, 'SourceEncryptionAlgorithm', ['SYMMETRIC_DEFAULT']);
  optionalEnum(input, 'DestinationEncryptionAlgorithm', ['SYMMETRIC_DEFAULT']);
  const destination = keyFor(store, input, 'ENCRYPT_DECRYPT', 'ReEncrypt', 'DestinationKeyId');
  const named = optionalString(input, 'SourceKeyId', KEY_ID_BOUNDS);
  const expected =
    named === undefined ? undefined : keyFor(store, input, 'ENCRYPT_DECRYPT', 'ReEncrypt', 'SourceKeyId');
  const { key: source, plaintext } = openBlob(store, blob, sourceContext, expected);
  return {
    CiphertextBlob: seal(secretOf(destination), destination.keyId, plaintext, destinationContext).toString(
      'base64',
    ),
    SourceKeyId: store.keyArn(source.keyId),
    KeyId: store.keyArn(destination.keyId),
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

function encrypt(store: KeyStore, input: JsonObject): JsonObject {
  const plaintext = requiredBlob(input, 'Plaintext', { max: MAX_PLAINTEXT });
  const context = encryptionContext(input);
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
  const key = keyFor(store, input, 'ENCRYPT_DECRYPT', 'Encrypt');
  checkEncryptionAlgorithm(algorithm);
  const ciphertext = seal(secretOf(key), key.keyId, plaintext, context);
  return {
    CiphertextBlob: ciphertext.toString('base64'),
    KeyId: store.keyArn(key.keyId),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

/** KeyId is optional: the blob names its key. When given, it must be that key (IncorrectKeyException). */
function decrypt(store: KeyStore, input: JsonObject): JsonObject {
  const blob = requiredBlob(input, 'CiphertextBlob', { max: MAX_CIPHERTEXT });
  const context = encryptionContext(input);
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
  const keyIdInput = optionalString(input, 'KeyId', KEY_ID_BOUNDS);
  const expected = keyIdInput === undefined ? undefined : keyFor(store, input, 'ENCRYPT_DECRYPT', 'Decrypt');
  checkEncryptionAlgorithm(algorithm);
  const { key, plaintext } = openBlob(store, blob, context, expected);
  return {
    KeyId: store.keyArn(key.keyId),
    Plaintext: plaintext.toString('base64'),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

/** Opens a blob under the key it names, which must be `expected` when the caller named one. */
function openBlob(
  store: KeyStore,
  blob: Buffer,
  context: Record<string, string>,
  expected: KmsKey | undefined,
): { key: KmsKey; plaintext: Buffer } {
  const sealed = parseBlob(blob);
  if (expected !== undefined && expected.keyId !== sealed.keyId) {
    throw new KmsError(
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
  }
  const key = store.findKey(sealed.keyId);
  if (key === undefined || key.usage !== 'ENCRYPT_DECRYPT') throw invalidCiphertext();
  return { key, plaintext: open(secretOf(key), sealed, context) };
}

function signMessage(store: KeyStore, input: JsonObject): JsonObject {
  const request = signatureRequest(input);
  const key = keyFor(store, input, 'SIGN_VERIFY', 'Sign');
  checkSigningAlgorithm(key, request.algorithm);
  const signature = createSignature(keyPairOf(key).privateKey, request);
  return {
    KeyId: store.keyArn(key.keyId),
    Signature: signature.toString('base64'),
    SigningAlgorithm: request.algorithm,
  };
}

/** Like KMS, an invalid signature is an exception (KMSInvalidSignatureException), never SignatureValid false. */
function verifySignature(store: KeyStore, input: JsonObject): JsonObject {
  const request = signatureRequest(input);
  const signature = requiredBlob(input, 'Signature', { max: MAX_CIPHERTEXT });
  const key = keyFor(store, input, 'SIGN_VERIFY', 'Verify');
  checkSigningAlgorithm(key, request.algorithm);
  if (!isValidSignature(keyPairOf(key).publicKey, request, signature)) {
    throw new KmsError('KMSInvalidSignatureException', 'The signature is not valid for this key and message');
  }
  return { KeyId: store.keyArn(key.keyId), SignatureValid: true, SigningAlgorithm: request.algorithm };
}

function getPublicKey(store: KeyStore, input: JsonObject): JsonObject {
  const key = store.resolve(requiredString(input, 'KeyId', KEY_ID_BOUNDS));
  if (key.material.kind !== 'key-pair') {
    throw new KmsError(
      'UnsupportedOperationException',
      `${store.keyArn(key.keyId)} is not an asymmetric key`,
    );
  }
  return {
    KeyId: store.keyArn(key.keyId),
    PublicKey: key.material.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    KeyUsage: key.usage,
    SigningAlgorithms: KEY_SPEC_PROFILES[key.spec].signingAlgorithms,
  };
}

function generateMac(store: KeyStore, input: JsonObject): JsonObject {
  const algorithm = requiredEnum(input, 'MacAlgorithm', MAC_ALGORITHMS);
  const message = requiredBlob(input, 'Message', { max: MAX_PLAINTEXT });
  const key = keyFor(store, input, 'GENERATE_VERIFY_MAC', 'GenerateMac');
  checkMacAlgorithm(key, algorithm);
  const mac = hmac(key, message);
  return { Mac: mac.toString('base64'), MacAlgorithm: algorithm, KeyId: store.keyArn(key.keyId) };
}

/** Like KMS, a wrong MAC is an exception (KMSInvalidMacException), never MacValid false. */
function verifyMac(store: KeyStore, input: JsonObject): JsonObject {
  const algorithm = requiredEnum(input, 'MacAlgorithm', MAC_ALGORITHMS);
  const message = requiredBlob(input, 'Message', { max: MAX_PLAINTEXT });
  const given = requiredBlob(input, 'Mac', { max: MAX_CIPHERTEXT });
  const key = keyFor(store, input, 'GENERATE_VERIFY_MAC', 'VerifyMac');
  checkMacAlgorithm(key, algorithm);
  const expected = hmac(key, message);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new KmsError('KMSInvalidMacException', 'The MAC is not valid for this key and message');
  }
  return { KeyId: store.keyArn(key.keyId), MacValid: true, MacAlgorithm: algorithm };
}

/**
 * KMS validates a DryRun request fully, then answers DryRunOperationException instead of the result.
 * Only side-effect-free operations take DryRun, so running them and discarding the result is faithful.
 */
function withDryRun(operation: Operation): Operation {
  return (store, input) => {
    const output = operation(store, input);
    if (optionalBoolean(input, 'DryRun') === true) {
      throw new KmsError(
        'DryRunOperationException',
        'The request would have succeeded, but the DryRun flag is set.',
      );
    }
    return output;
  };
}

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['CreateKey', createKey],
  ['CreateAlias', createAlias],
  ['ListAliases', listAliases],
  ['DescribeKey', describeKey],
  ['GenerateDataKey', withDryRun(generateDataKey)],
  ['GenerateDataKeyWithoutPlaintext', withDryRun(generateDataKeyWithoutPlaintext)],
  ['ReEncrypt', withDryRun(reEncrypt)],
  ['Encrypt', withDryRun(encrypt)],
  ['Decrypt', withDryRun(decrypt)],
  ['Sign', withDryRun(signMessage)],
  ['Verify', withDryRun(verifySignature)],
  ['GetPublicKey', getPublicKey],
  ['GenerateMac', withDryRun(generateMac)],
  ['VerifyMac', withDryRun(verifyMac)],
]);

function keyMetadata(store: KeyStore, key: KmsKey): JsonObject {
  const profile = KEY_SPEC_PROFILES[key.spec];
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: store.keyArn(key.keyId),
    CreationDate: epochSeconds(key.creationDate),
    Enabled: true,
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    EncryptionAlgorithms: profile.encryptionAlgorithms,
    SigningAlgorithms: profile.signingAlgorithms,
    MacAlgorithms: profile.macAlgorithms,
    MultiRegion: false,
  };
}

/** KeySpec, or its deprecated twin CustomerMasterKeySpec; AWS specs the emulator lacks are refused clearly. */
function keySpec(input: JsonObject): KeySpec {
  const spec = optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec');
  if (spec === undefined) return 'SYMMETRIC_DEFAULT';
  if (!(KEY_SPECS as readonly string[]).includes(spec)) {
    throw validationError(`KeySpec ${spec} is not supported by the KMS emulator (${KEY_SPECS.join(', ')})`);
  }
  return spec as KeySpec;
}

/** Options the emulator cannot honour are refused rather than silently ignored. */
function rejectUnsupported(input: JsonObject): void {
  const origin = optionalString(input, 'Origin');
  if (origin !== undefined && origin !== 'AWS_KMS') throw validationError('Only Origin AWS_KMS is supported');
  if (optionalBoolean(input, 'MultiRegion') === true)
    throw validationError('Multi-Region keys are not supported');
  if (input.CustomKeyStoreId !== undefined) throw validationError('Custom key stores are not supported');
}

function keyFor(
  store: KeyStore,
  input: JsonObject,
  usage: KeyUsage,
  operation: string,
  member = 'KeyId',
): KmsKey {
  const key = store.resolve(requiredString(input, member, KEY_ID_BOUNDS));
  if (key.usage !== usage) {
    throw new KmsError(
      'InvalidKeyUsageException',
      `${store.keyArn(key.keyId)} key usage is ${key.usage} which is not valid for ${operation}.`,
    );
  }
  return key;
}

function secretOf(key: KmsKey): Buffer {
  if (key.material.kind !== 'secret') throw new Error(`Key ${key.keyId} has no secret`);
  return key.material.secret;
}

function keyPairOf(key: KmsKey) {
  if (key.material.kind !== 'key-pair') throw new Error(`Key ${key.keyId} has no key pair`);
  return key.material;
}

/** Exactly one of KeySpec (AES_128, AES_256) and NumberOfBytes (1–1024), as KMS requires. */
function dataKeyLength(input: JsonObject): number {
  const spec = optionalEnum(input, 'KeySpec', ['AES_256', 'AES_128']);
  const numberOfBytes = optionalInteger(input, 'NumberOfBytes', { min: 1, max: 1024 });
  if ((spec === undefined) === (numberOfBytes === undefined)) {
    throw validationError('Specify either KeySpec or NumberOfBytes, but not both');
  }
  return numberOfBytes ?? (spec === 'AES_128' ? 16 : 32);
}

/** Symmetric keys do SYMMETRIC_DEFAULT only; the RSA and SM2 algorithms name the wrong kind of key. */
function checkEncryptionAlgorithm(algorithm: EncryptionAlgorithm | undefined): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a symmetric key`);
  }
}

function signatureRequest(input: JsonObject): SignatureRequest {
  return {
    algorithm: requiredEnum(input, 'SigningAlgorithm', SIGNING_ALGORITHMS),
    messageType: optionalEnum(input, 'MessageType', MESSAGE_TYPES) ?? 'RAW',
    message: requiredBlob(input, 'Message', { max: MAX_PLAINTEXT }),
  };
}

function checkSigningAlgorithm(key: KmsKey, algorithm: SigningAlgorithm): void {
  if (!KEY_SPEC_PROFILES[key.spec].signingAlgorithms?.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a ${key.spec} key`);
  }
}

function checkMacAlgorithm(key: KmsKey, algorithm: MacAlgorithm): void {
  if (!KEY_SPEC_PROFILES[key.spec].macAlgorithms?.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a ${key.spec} key`);
  }
}

function hmac(key: KmsKey, message: Buffer): Buffer {
  return createHmac('sha256', secretOf(key)).update(message).digest();
}

/** The JSON protocols carry timestamps as (fractional) seconds since the epoch. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

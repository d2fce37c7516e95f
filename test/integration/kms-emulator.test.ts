import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  IncorrectKeyException,
  InvalidAliasNameException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMS,
  KMSClient,
  KMSInvalidMacException,
  KMSInvalidSignatureException,
  ListAliasesCommand,
  NotFoundException,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UnsupportedOperationException,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KmsEmulator, STATS_PATH, startKmsEmulator } from '../../local/kms/server';

const REGION = 'me-central-1';
const ACCOUNT = '000000000000';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function clientFor(emulator: KmsEmulator): KMSClient {
  return new KMSClient({ endpoint: emulator.endpoint, region: REGION, credentials });
}

let emulator: KmsEmulator;
let kms: KMSClient;

beforeAll(async () => {
  emulator = await startKmsEmulator();
  kms = clientFor(emulator);
});

afterAll(async () => {
  kms.destroy();
  await emulator.close();
});

async function createKey(input: CreateKeyCommandInput = {}, client = kms): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand(input));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no ARN');
  return KeyMetadata.Arn;
}

const signingKey = (KeySpec: 'ECC_NIST_EDWARDS25519' | 'ECC_NIST_P256') =>
  createKey({ KeySpec, KeyUsage: 'SIGN_VERIFY' });
const macKey = () => createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });

/** Posts a raw JSON 1.1 request, to see exactly what goes over the wire. */
async function post(
  target: string,
  body: string,
): Promise<{ status: number; type: string | null; json: unknown }> {
  const response = await fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type'), json: await response.json() };
}

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function text(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? []).toString('utf8');
}

describe('KMS emulator: keys and metadata', () => {
  it('creates a symmetric key whose DescribeKey metadata has the shape AWS returns', async () => {
    // Prepare
    const arn = await createKey({ Description: 'case files', Tags: [{ TagKey: 'app', TagValue: 'himaya' }] });

    // Act
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));

    // Assess
    expect(KeyMetadata).toMatchObject({
      AWSAccountId: ACCOUNT,
      Arn: arn,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
      Description: 'case files',
    });
    expect(KeyMetadata?.KeyId).toMatch(UUID);
    expect(arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${KeyMetadata?.KeyId}`);
    expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (KeyMetadata?.CreationDate?.getTime() ?? 0))).toBeLessThan(60_000);
  });

  it.each([
    ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', { SigningAlgorithms: ['ED25519_SHA_512'] }],
    ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
  ] as const)('creates a %s key for %s and lists its algorithms', async (KeySpec, KeyUsage, algorithms) => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }));

    expect(KeyMetadata).toMatchObject({ KeySpec, KeyUsage, KeyState: 'Enabled', ...algorithms });
    expect(KeyMetadata?.EncryptionAlgorithms).toBeUndefined();
  });

  it('refuses a key usage that does not fit the key spec, and specs it does not emulate', async () => {
    await expect(
      kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('KMS emulator: key identifiers and aliases', () => {
  let arn: string;
  let keyId: string;
  const aliasName = `alias/himaya-${Date.now()}`;

  beforeAll(async () => {
    arn = await createKey();
    keyId = arn.split('/')[1] ?? '';
    await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
  });

  it('resolves the key id, key ARN, alias name and alias ARN to the same key', async () => {
    const identifiers = [keyId, arn, aliasName, `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`];

    const arns = await Promise.all(
      identifiers.map(async (KeyId) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.Arn),
    );

    expect(arns).toEqual([arn, arn, arn, arn]);
  });

  it('answers every operation with the full key ARN as KeyId, whatever identifier was given', async () => {
    const encrypted = await kms.send(new EncryptCommand({ KeyId: aliasName, Plaintext: Buffer.from('x') }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));

    expect(encrypted.KeyId).toBe(arn);
    expect(decrypted.KeyId).toBe(arn);
  });

  it.each([
    ['an unknown key id', '00000000-0000-4000-8000-000000000000'],
    ['an unknown alias', 'alias/nobody'],
    [
      'a key ARN of another region',
      `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`,
    ],
    ['a malformed identifier', 'not-a-key'],
  ])('raises NotFoundException for %s', async (_case, KeyId) => {
    await expect(kms.send(new DescribeKeyCommand({ KeyId }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('raises AlreadyExistsException for an alias name in use', async () => {
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId })),
    ).rejects.toBeInstanceOf(AlreadyExistsException);
  });

  it('raises InvalidAliasNameException for names outside alias/ or inside the reserved alias/aws/', async () => {
    for (const AliasName of ['himaya', 'alias/aws/himaya']) {
      await expect(
        kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: keyId })),
      ).rejects.toBeInstanceOf(InvalidAliasNameException);
    }
  });

  it('lists aliases with their ARN and target key id, filtered by key and paged by Limit', async () => {
    // Prepare
    const secondAlias = `${aliasName}-second`;
    await kms.send(new CreateAliasCommand({ AliasName: secondAlias, TargetKeyId: arn }));

    // Act
    const all = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
    const firstPage = await kms.send(new ListAliasesCommand({ KeyId: keyId, Limit: 1 }));
    const secondPage = await kms.send(new ListAliasesCommand({ KeyId: keyId, Marker: firstPage.NextMarker }));

    // Assess
    expect(all.Aliases?.map((alias) => alias.AliasName)).toEqual([aliasName, secondAlias]);
    expect(all.Aliases?.[0]).toMatchObject({
      AliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`,
      TargetKeyId: keyId,
    });
    expect(all.Aliases?.[0]?.CreationDate).toBeInstanceOf(Date);
    expect(all.Truncated).toBe(false);
    expect(firstPage).toMatchObject({ Truncated: true, Aliases: [{ AliasName: aliasName }] });
    expect(secondPage).toMatchObject({ Truncated: false, Aliases: [{ AliasName: secondAlias }] });
  });
});

describe('KMS emulator: Encrypt, Decrypt and GenerateDataKey', () => {
  const context = { agency: 'moh', caseId: 'c-42' };
  let arn: string;
  let otherArn: string;

  beforeAll(async () => {
    [arn, otherArn] = await Promise.all([createKey(), createKey()]);
  });

  const encrypt = (plaintext: string, KeyId = arn) =>
    kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(plaintext), EncryptionContext: context }));

  it('decrypts what it encrypted, finding the key from the ciphertext alone', async () => {
    const encrypted = await encrypt('حماية الطفل');

    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
    );

    expect(encrypted).toMatchObject({ KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(decrypted).toMatchObject({ KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(text(decrypted.Plaintext)).toBe('حماية الطفل');
  });

  it('binds the ciphertext to the encryption context regardless of its key order', async () => {
    const { CiphertextBlob } = await encrypt('secret');

    const reordered = await kms.send(
      new DecryptCommand({
        CiphertextBlob,
        EncryptionContext: { caseId: 'c-42', agency: 'moh' },
        KeyId: arn,
      }),
    );

    expect(text(reordered.Plaintext)).toBe('secret');
    const wrongContexts: Record<string, string>[] = [{ ...context, caseId: 'c-43' }, { agency: 'moh' }, {}];
    for (const EncryptionContext of wrongContexts) {
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext })),
      ).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it('raises InvalidCiphertextException when any single byte of the ciphertext is altered', async () => {
    const { CiphertextBlob = new Uint8Array() } = await encrypt('tamper me');

    const failures = await Promise.all(
      Array.from(CiphertextBlob.keys(), (index) =>
        kms
          .send(
            new DecryptCommand({
              CiphertextBlob: flipBit(CiphertextBlob, index),
              EncryptionContext: context,
            }),
          )
          .then(
            () => 'decrypted',
            (error: unknown) => (error instanceof InvalidCiphertextException ? 'rejected' : String(error)),
          ),
      ),
    );

    expect(new Set(failures)).toEqual(new Set(['rejected']));
  });

  it('raises IncorrectKeyException when the KeyId given is not the key of the ciphertext', async () => {
    const { CiphertextBlob } = await encrypt('mine');

    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context, KeyId: otherArn })),
    ).rejects.toBeInstanceOf(IncorrectKeyException);
  });

  it('raises InvalidCiphertextException for a ciphertext relabelled with another key id', async () => {
    // Prepare: the blob carries its key id in bytes 1–16 (after the version byte)
    const { CiphertextBlob = new Uint8Array() } = await encrypt('relabel');
    const otherKeyId = Buffer.from((otherArn.split('/')[1] ?? '').replaceAll('-', ''), 'hex');
    const relabelled = Buffer.concat([
      CiphertextBlob.subarray(0, 1),
      otherKeyId,
      CiphertextBlob.subarray(17),
    ]);

    // Act
    const attempt = kms.send(new DecryptCommand({ CiphertextBlob: relabelled, EncryptionContext: context }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('rejects a plaintext over 4096 bytes with ValidationException', async () => {
    await expect(encrypt('x'.repeat(4097))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it.each([
    [{ KeySpec: 'AES_256' as const }, 32],
    [{ KeySpec: 'AES_128' as const }, 16],
    [{ NumberOfBytes: 64 }, 64],
  ])('generates a data key (%o) of %i bytes whose ciphertext decrypts to it', async (size, length) => {
    const dataKey = await kms.send(
      new GenerateDataKeyCommand({ KeyId: arn, EncryptionContext: context, ...size }),
    );

    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }),
    );

    expect(dataKey.KeyId).toBe(arn);
    expect(dataKey.Plaintext).toHaveLength(length);
    expect(Buffer.from(decrypted.Plaintext ?? [])).toEqual(Buffer.from(dataKey.Plaintext ?? []));
  });

  it('requires exactly one of KeySpec and NumberOfBytes for GenerateDataKey', async () => {
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: arn }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      kms.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_256', NumberOfBytes: 32 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('raises InvalidKeyUsageException when a key is used outside its key usage', async () => {
    const [ed25519, hmac] = await Promise.all([signingKey('ECC_NIST_EDWARDS25519'), macKey()]);

    await expect(encrypt('x', ed25519)).rejects.toBeInstanceOf(InvalidKeyUsageException);
    await expect(
      kms.send(
        new SignCommand({ KeyId: arn, Message: Buffer.from('x'), SigningAlgorithm: 'ED25519_SHA_512' }),
      ),
    ).rejects.toBeInstanceOf(InvalidKeyUsageException);
    await expect(
      kms.send(
        new GenerateMacCommand({ KeyId: arn, Message: Buffer.from('x'), MacAlgorithm: 'HMAC_SHA_256' }),
      ),
    ).rejects.toBeInstanceOf(InvalidKeyUsageException);
    await expect(
      kms.send(new GenerateDataKeyCommand({ KeyId: hmac, NumberOfBytes: 32 })),
    ).rejects.toBeInstanceOf(InvalidKeyUsageException);
  });
});

describe('KMS emulator: GenerateDataKeyWithoutPlaintext and ReEncrypt (the branch key store)', () => {
  const context = { 'branch-key-id': 'cfpc', type: 'branch:version:1' };
  let arn: string;
  let otherArn: string;

  beforeAll(async () => {
    [arn, otherArn] = await Promise.all([createKey(), createKey()]);
  });

  const wrappedKey = async () => {
    const generated = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({
        KeyId: arn,
        NumberOfBytes: 32,
        EncryptionContext: context,
      }),
    );
    if (!generated.CiphertextBlob) throw new Error('no CiphertextBlob');
    return { generated, blob: generated.CiphertextBlob };
  };

  it('generates a data key returned only wrapped, which Decrypt opens under the same context', async () => {
    const { generated, blob } = await wrappedKey();

    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }),
    );

    expect(generated.KeyId).toBe(arn);
    expect(generated).not.toHaveProperty('Plaintext');
    expect(decrypted.Plaintext).toHaveLength(32);
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: blob }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
  });

  it('re-encrypts to another context and key without the plaintext, which Decrypt then opens there', async () => {
    const { blob } = await wrappedKey();
    const original = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    const active = { ...context, type: 'branch:ACTIVE', version: 'branch:version:1' };

    const moved = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: blob,
        SourceKeyId: arn,
        SourceEncryptionContext: context,
        DestinationKeyId: otherArn,
        DestinationEncryptionContext: active,
      }),
    );
    const reopened = await kms.send(
      new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: active }),
    );

    expect(moved).toMatchObject({ SourceKeyId: arn, KeyId: otherArn });
    expect(moved).not.toHaveProperty('Plaintext');
    expect(reopened.KeyId).toBe(otherArn);
    expect(reopened.Plaintext).toEqual(original.Plaintext);
  });

  it('refuses ReEncrypt under a wrong source context or a wrong source key, as Decrypt does', async () => {
    const { blob } = await wrappedKey();
    const reEncrypt = (input: { SourceKeyId?: string; SourceEncryptionContext?: Record<string, string> }) =>
      kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: arn, ...input }));

    await expect(
      reEncrypt({ SourceEncryptionContext: { 'branch-key-id': 'police' } }),
    ).rejects.toBeInstanceOf(InvalidCiphertextException);
    await expect(
      reEncrypt({ SourceKeyId: otherArn, SourceEncryptionContext: context }),
    ).rejects.toBeInstanceOf(IncorrectKeyException);
  });
});

describe('KMS emulator: Sign, Verify and GetPublicKey', () => {
  const message = Buffer.from('تقرير الحالة رقم ٤٢');

  async function publicKeyOf(KeyId: string) {
    const response = await kms.send(new GetPublicKeyCommand({ KeyId }));
    const der = Buffer.from(response.PublicKey ?? []);
    return { response, key: createPublicKey({ key: der, format: 'der', type: 'spki' }) };
  }

  it('signs with Ed25519 (ED25519_SHA_512, RAW) verifiably by node:crypto with the GetPublicKey key', async () => {
    // Prepare
    const KeyId = await signingKey('ECC_NIST_EDWARDS25519');

    // Act
    const signed = await kms.send(
      new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ED25519_SHA_512' }),
    );
    const { response, key } = await publicKeyOf(KeyId);

    // Assess
    const signature = signed.Signature ?? new Uint8Array();
    expect(signed).toMatchObject({ KeyId, SigningAlgorithm: 'ED25519_SHA_512' });
    expect(signature).toHaveLength(64);
    expect(response).toMatchObject({
      KeyId,
      KeySpec: 'ECC_NIST_EDWARDS25519',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ED25519_SHA_512'],
    });
    expect(verify(null, message, key, signature)).toBe(true);
    expect(verify(null, message, key, flipBit(signature, 10))).toBe(false);
  });

  it('verifies a good Ed25519 signature and raises KMSInvalidSignatureException for a flipped bit', async () => {
    const KeyId = await signingKey('ECC_NIST_EDWARDS25519');
    const { Signature = new Uint8Array() } = await kms.send(
      new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ED25519_SHA_512' }),
    );
    const verifyWith = (signature: Uint8Array) =>
      kms.send(
        new VerifyCommand({
          KeyId,
          Message: message,
          Signature: signature,
          SigningAlgorithm: 'ED25519_SHA_512',
        }),
      );

    await expect(verifyWith(Signature)).resolves.toMatchObject({ KeyId, SignatureValid: true });
    await expect(verifyWith(flipBit(Signature, 0))).rejects.toBeInstanceOf(KMSInvalidSignatureException);
  });

  it('refuses an Ed25519 DIGEST message (ED25519_SHA_512 signs raw messages only)', async () => {
    const KeyId = await signingKey('ECC_NIST_EDWARDS25519');
    const digest = createHash('sha512').update(message).digest();

    await expect(
      kms.send(
        new SignCommand({
          KeyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ED25519_SHA_512',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('signs with P-256 ECDSA_SHA_256 a DER signature node:crypto verifies, and a flipped bit fails', async () => {
    // Prepare
    const KeyId = await signingKey('ECC_NIST_P256');

    // Act
    const signed = await kms.send(
      new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const { response, key } = await publicKeyOf(KeyId);

    // Assess
    const signature = signed.Signature ?? new Uint8Array();
    expect(response).toMatchObject({ KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(signature[0]).toBe(0x30); // a DER SEQUENCE, not a raw r||s pair
    expect(verify('sha256', message, key, signature)).toBe(true);
    expect(verify('sha256', message, key, flipBit(signature, signature.length - 1))).toBe(false);
    await expect(
      kms.send(
        new VerifyCommand({
          KeyId,
          Message: message,
          Signature: flipBit(signature, signature.length - 1),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).rejects.toBeInstanceOf(KMSInvalidSignatureException);
  });

  it('refuses a P-256 DIGEST message (Himaya signs raw messages only), and an algorithm the key does not offer', async () => {
    // Prepare
    const KeyId = await signingKey('ECC_NIST_P256');
    const digest = createHash('sha256').update(message).digest();
    const { Signature } = await kms.send(
      new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );

    // Act
    const signDigest = kms.send(
      new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const verifyDigest = kms.send(
      new VerifyCommand({
        KeyId,
        Message: digest,
        MessageType: 'DIGEST',
        Signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    const otherAlgorithm = kms.send(
      new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }),
    );

    // Assess
    await expect(signDigest).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(verifyDigest).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(otherAlgorithm).rejects.toBeInstanceOf(InvalidKeyUsageException);
  });

  it('raises UnsupportedOperationException for GetPublicKey on a symmetric key', async () => {
    const KeyId = await createKey();

    await expect(kms.send(new GetPublicKeyCommand({ KeyId }))).rejects.toBeInstanceOf(
      UnsupportedOperationException,
    );
  });

  it('raises KMSInvalidSignatureException for a signature by another Ed25519 key', async () => {
    const KeyId = await signingKey('ECC_NIST_EDWARDS25519');
    const { privateKey } = generateKeyPairSync('ed25519');
    const foreign = sign(null, message, privateKey);

    await expect(
      kms.send(
        new VerifyCommand({
          KeyId,
          Message: message,
          Signature: foreign,
          SigningAlgorithm: 'ED25519_SHA_512',
        }),
      ),
    ).rejects.toBeInstanceOf(KMSInvalidSignatureException);
  });
});

describe('KMS emulator: GenerateMac and VerifyMac', () => {
  const message = Buffer.from('caseId=c-42');

  it('generates a deterministic HMAC_SHA_256 that VerifyMac accepts', async () => {
    const KeyId = await macKey();
    const generate = () =>
      kms.send(new GenerateMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));

    const [first, second] = await Promise.all([generate(), generate()]);
    const verified = await kms.send(
      new VerifyMacCommand({ KeyId, Message: message, Mac: first.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
    );

    expect(first).toMatchObject({ KeyId, MacAlgorithm: 'HMAC_SHA_256' });
    expect(first.Mac).toHaveLength(32);
    expect(Buffer.from(second.Mac ?? [])).toEqual(Buffer.from(first.Mac ?? []));
    expect(verified).toMatchObject({ KeyId, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });
  });

  it('raises KMSInvalidMacException for a flipped MAC, another message or another key', async () => {
    const [KeyId, otherKeyId] = await Promise.all([macKey(), macKey()]);
    const { Mac = new Uint8Array() } = await kms.send(
      new GenerateMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const attempts = [
      { KeyId, Message: message, Mac: flipBit(Mac, 31) },
      { KeyId, Message: Buffer.from('caseId=c-43'), Mac },
      { KeyId: otherKeyId, Message: message, Mac },
    ];

    for (const attempt of attempts) {
      await expect(
        kms.send(new VerifyMacCommand({ ...attempt, MacAlgorithm: 'HMAC_SHA_256' })),
      ).rejects.toBeInstanceOf(KMSInvalidMacException);
    }
  });

  it('raises InvalidKeyUsageException for a MAC algorithm the key does not offer', async () => {
    const KeyId = await macKey();

    await expect(
      kms.send(new GenerateMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' })),
    ).rejects.toBeInstanceOf(InvalidKeyUsageException);
  });
});

describe('KMS emulator: the wire protocol', () => {
  it('sends errors as KMS does: HTTP 400, JSON 1.1, {"__type", "message"}', async () => {
    const response = await post('TrentService.DescribeKey', JSON.stringify({ KeyId: 'alias/nobody' }));

    expect(response.status).toBe(400);
    expect(response.type).toBe('application/x-amz-json-1.1');
    expect(response.json).toEqual({ __type: 'NotFoundException', message: expect.any(String) });
  });

  it('answers UnknownOperationException for targets it does not implement, raw or through the SDK', async () => {
    const raw = await post('TrentService.Bogus', '{}');
    const viaSdk = kms.send(new ScheduleKeyDeletionCommand({ KeyId: await createKey() }));

    expect(raw).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    await expect(viaSdk).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it.each([
    ['a missing required field', 'TrentService.Encrypt', { KeyId: 'alias/x' }],
    ['bad base64', 'TrentService.Encrypt', { KeyId: 'alias/x', Plaintext: 'not base64!' }],
    [
      'an unknown signing algorithm',
      'TrentService.Sign',
      { KeyId: 'alias/x', Message: 'AA==', SigningAlgorithm: 'X' },
    ],
    [
      'a non-string encryption context value',
      'TrentService.Encrypt',
      { KeyId: 'alias/x', Plaintext: 'AA==', EncryptionContext: { a: 1 } },
    ],
  ])('answers ValidationException for %s', async (_case, target, body) => {
    const response = await post(target, JSON.stringify(body));

    expect(response).toMatchObject({ status: 400, json: { __type: 'ValidationException' } });
  });

  it('answers SerializationException for a body that is not JSON', async () => {
    const response = await post('TrentService.Encrypt', '{"KeyId":');

    expect(response).toMatchObject({ status: 400, json: { __type: 'SerializationException' } });
  });

  it('answers 413 ValidationException for a body over 1 MiB', async () => {
    const response = await post('TrentService.Encrypt', JSON.stringify({ Plaintext: 'A'.repeat(1_100_000) }));

    expect(response).toMatchObject({ status: 413, json: { __type: 'ValidationException' } });
  });

  it('answers DryRunOperationException instead of a result when DryRun is set', async () => {
    const KeyId = await createKey();

    await expect(
      kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), DryRun: true })),
    ).rejects.toMatchObject({ name: 'DryRunOperationException' });
  });

  it('counts calls per operation until resetStats, and serves the counts at GET /__stats', async () => {
    // Prepare
    emulator.resetStats();

    // Act
    const KeyId = await createKey();
    await kms.send(new DescribeKeyCommand({ KeyId }));
    await kms.send(new DescribeKeyCommand({ KeyId }));
    const counted = emulator.stats();
    const served = await (await fetch(`${emulator.endpoint}${STATS_PATH}`)).json();
    emulator.resetStats();

    // Assess
    expect(counted).toEqual({ CreateKey: 1, DescribeKey: 2 });
    expect(served).toEqual(counted);
    expect(emulator.stats()).toEqual({});
  });

  it('closes promptly even while the SDK holds a keep-alive connection', async () => {
    // Prepare
    const own = await startKmsEmulator();
    const client = clientFor(own);
    await createKey({}, client);

    // Act
    const started = performance.now();
    await own.close();
    const elapsed = performance.now() - started;
    client.destroy();

    // Assess
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('KMS emulator: persistence', () => {
  const directory = mkdtempSync(join(tmpdir(), 'himaya-kms-'));
  const stateFile = join(directory, 'state', 'kms.json');

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('keeps keys and aliases across restarts in a 0600 file, and decrypts the earlier ciphertexts', async () => {
    // Prepare
    const first = await startKmsEmulator({ stateFile });
    const firstClient = clientFor(first);
    const arn = await createKey({ Description: 'persistent' }, firstClient);
    await firstClient.send(new CreateAliasCommand({ AliasName: 'alias/persistent', TargetKeyId: arn }));
    const { CiphertextBlob } = await firstClient.send(
      new EncryptCommand({
        KeyId: 'alias/persistent',
        Plaintext: Buffer.from('باقٍ'),
        EncryptionContext: { v: '1' },
      }),
    );
    firstClient.destroy();
    await first.close();

    // Act
    const second = await startKmsEmulator({ stateFile });
    const secondClient = clientFor(second);
    const decrypted = await secondClient.send(
      new DecryptCommand({ CiphertextBlob, EncryptionContext: { v: '1' } }),
    );
    const described = await secondClient.send(new DescribeKeyCommand({ KeyId: 'alias/persistent' }));
    secondClient.destroy();
    await second.close();

    // Assess
    expect(text(decrypted.Plaintext)).toBe('باقٍ');
    expect(described.KeyMetadata).toMatchObject({ Arn: arn, Description: 'persistent' });
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(directory, 'state'))).toEqual(['kms.json']);
  });

  it('lets two emulators on one file see each other’s keys while both run', async () => {
    // Prepare
    const [left, right] = await Promise.all([
      startKmsEmulator({ stateFile }),
      startKmsEmulator({ stateFile }),
    ]);
    const [leftClient, rightClient] = [clientFor(left), clientFor(right)];

    // Act
    const leftKey = await createKey({}, leftClient);
    const rightKey = await createKey({}, rightClient);
    const seenByRight = await rightClient.send(new DescribeKeyCommand({ KeyId: leftKey }));
    const seenByLeft = await leftClient.send(new DescribeKeyCommand({ KeyId: rightKey }));
    leftClient.destroy();
    rightClient.destroy();
    await Promise.all([left.close(), right.close()]);

    // Assess
    expect(seenByRight.KeyMetadata?.Arn).toBe(leftKey);
    expect(seenByLeft.KeyMetadata?.Arn).toBe(rightKey);
  });

  it('refuses to start on a file that is not its state file rather than overwrite it', async () => {
    const foreign = join(directory, 'foreign.json');
    writeFileSync(foreign, '{"something": "else"}');

    await expect(startKmsEmulator({ stateFile: foreign })).rejects.toThrow(/not a KMS emulator state file/);
  });
});

describe('KMS emulator: with the AWS Encryption SDK', () => {
  it('encrypts and decrypts Arabic text through a KmsKeyringNode on the emulator', async () => {
    // Prepare
    const keyArn = await createKey();
    const clientProvider = () => new KMS({ endpoint: emulator.endpoint, region: REGION, credentials });
    const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider });
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const plaintext = 'تفاصيل حماية الطفل: سرّي للغاية';
    const encryptionContext = { agency: 'moh', purpose: 'case-file' };

    // Act
    const { result } = await encrypt(keyring, plaintext, { encryptionContext });
    const decrypted = await decrypt(keyring, result);

    // Assess
    expect(result.toString('utf8')).not.toContain('حماية');
    expect(decrypted.plaintext.toString('utf8')).toBe(plaintext);
    expect(decrypted.messageHeader.encryptionContext).toMatchObject(encryptionContext);
    expect(decrypted.messageHeader.encryptedDataKeys[0]?.providerInfo).toBe(keyArn);
  });
});

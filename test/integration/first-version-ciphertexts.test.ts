import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsHierarchicalKeyRingNode,
  KmsKeyringNode,
  MultiKeyringNode,
} from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { branchKeyStore } from '../../src/adapters/branch-keys';
import { reencryptFirstVersionMessages } from '../../src/adapters/dynamodb/section-reencryption';
import { encryptionSdkCipher } from '../../src/adapters/section-cipher';
import { DirectorySchema } from '../../src/domain/directory';
import { fullCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { localDynamoDb } from '../support/local-dynamodb';
import { tokenFor } from '../support/tokens';

const cfpc = await tokenFor('cfpc');
const directory = DirectorySchema.parse(JSON.parse(stack.environment.AGENCY_DIRECTORY as string));

/**
 * The first version encrypted each section with the Encryption SDK's KMS keyring, straight under the
 * agency's KMS key. Those messages stay readable through the branch key path, and the re-encryption job
 * (`npm run keys -- reencrypt`) moves them to the agency's branch key.
 */
describe('sections and notes the first version wrote', () => {
  const dynamodb = localDynamoDb(stack);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const kms = new KMS({ endpoint: stack.kms, region: stack.region, credentials: stack.credentials });
  afterAll(() => {
    documents.destroy();
    kms.destroy();
  });

  const keyArn = directory.agencies.find((agency) => agency.id === 'cfpc')?.keyArn as string;
  const key = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });

  /** What the first version stored: the same message format and context, under the KMS keyring. */
  async function firstVersionMessage(caseId: string, section: string, value: unknown): Promise<Uint8Array> {
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => kms });
    const { result } = await encrypt(keyring, JSON.stringify(value), {
      encryptionContext: { app: 'himaya', caseId, section, ownerAgency: 'cfpc' },
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
    });
    return result;
  }

  async function storedSection(caseId: string, section: string): Promise<Uint8Array> {
    const item = await documents.send(new GetCommand({ TableName: stack.tables.Cases, Key: key(caseId) }));
    return ((item.Item?.sections ?? {}) as Record<string, Uint8Array>)[section] as Uint8Array;
  }

  /** The provider of the message's one encrypted data key: the KMS keyring's, or the branch key's. */
  async function providerOf(ciphertext: Uint8Array): Promise<string | undefined> {
    const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const hierarchical = new KmsHierarchicalKeyRingNode({
      branchKeyId: 'cfpc',
      keyStore: branchKeyStore({ dynamodb, kms, table: stack.tables.BranchKeys }, keyArn),
      cacheLimitTtl: 60,
    });
    const legacy = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => kms });
    const opened = await decrypt(
      new MultiKeyringNode({ generator: hierarchical, children: [legacy] }),
      ciphertext,
    );
    return opened.messageHeader.encryptedDataKeys[0]?.providerId;
  }

  const sdkCipher = () =>
    encryptionSdkCipher({
      kms,
      directory,
      keyStore: { dynamodb, table: stack.tables.BranchKeys },
      cacheTtlSeconds: 300,
    });

  const readCase = (caseId: string) =>
    call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose: 'child-protection' });

  /** Puts `ciphertext` in place of a case's stored report section, beneath the API. */
  const storeReport = (caseId: string, ciphertext: Uint8Array) =>
    documents.send(
      new UpdateCommand({
        TableName: stack.tables.Cases,
        Key: key(caseId),
        UpdateExpression: 'SET sections.#s = :c',
        ExpressionAttributeNames: { '#s': 'report' },
        ExpressionAttributeValues: { ':c': ciphertext },
      }),
    );

  it('reads a section written under the KMS keyring through the branch key path, then moves it', async () => {
    // Prepare: a case whose report section is a first-version message
    const body = fullCaseBody();
    const created = await call('POST', '/v1/cases', { token: cfpc, body });
    expect(created.status).toBe(201);
    const caseId = created.json.caseId as string;
    const legacy = await firstVersionMessage(caseId, 'report', body.sections.report);
    await storeReport(caseId, legacy);

    // Act
    const before = await readCase(caseId);
    const count = await reencryptFirstVersionMessages(documents, stack.tables.Cases, sdkCipher());
    const moved = await storedSection(caseId, 'report');
    const after = await readCase(caseId);

    // Assess
    expect(before.status).toBe(200);
    expect(before.json.sections).toEqual(body.sections);
    expect(await providerOf(legacy)).toBe('aws-kms');
    expect(count.moved).toBeGreaterThanOrEqual(1);
    expect(Buffer.from(moved).equals(Buffer.from(legacy))).toBe(false);
    expect(await providerOf(moved)).toBe('aws-kms-hierarchy');
    expect(after.status).toBe(200);
    expect(after.json.sections).toEqual(body.sections);
  });

  it('refuses a first-version message moved to another section, as it refuses any other', async () => {
    // Prepare
    const created = await call('POST', '/v1/cases', { token: cfpc, body: fullCaseBody() });
    const caseId = created.json.caseId as string;
    const elsewhere = await firstVersionMessage(caseId, 'assessment', { riskLevel: 'low' });
    await storeReport(caseId, elsewhere);

    // Act
    const read = await readCase(caseId);

    // Assess
    expect(read.status).toBe(500);
    expect(read.json.code).toBe('integrity-failure');
  });
});

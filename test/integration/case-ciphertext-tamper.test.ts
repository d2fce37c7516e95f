import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CANARIES, fullCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { localDynamoDb } from '../support/local-dynamodb';
import { tokenFor } from '../support/tokens';

const cfpc = await tokenFor('cfpc');
const police = await tokenFor('police');

/**
 * Ciphertexts are bound to their case, section and owner by the encryption context: a ciphertext moved
 * elsewhere, or altered, must be refused without returning any plaintext.
 */
describe('stored ciphertext integrity', () => {
  const documents = DynamoDBDocumentClient.from(localDynamoDb(stack));
  afterAll(() => documents.destroy());

  const key = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });

  async function newCase(token = cfpc): Promise<string> {
    const created = await call('POST', '/v1/cases', { token, body: fullCaseBody() });
    expect(created.status).toBe(201);
    return created.json.caseId as string;
  }

  async function sectionsOf(caseId: string): Promise<Record<string, Uint8Array>> {
    const item = await documents.send(new GetCommand({ TableName: stack.tables.Cases, Key: key(caseId) }));
    return item.Item?.sections as Record<string, Uint8Array>;
  }

  async function setSection(caseId: string, section: string, ciphertext: Uint8Array) {
    await documents.send(
      new UpdateCommand({
        TableName: stack.tables.Cases,
        Key: key(caseId),
        UpdateExpression: 'SET sections.#s = :c',
        ExpressionAttributeNames: { '#s': section },
        ExpressionAttributeValues: { ':c': ciphertext },
      }),
    );
  }

  async function expectRefused(caseId: string) {
    const response = await call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose: 'child-protection' });
    expect(response.status).toBe(500);
    expect(response.json.code).toBe('integrity-failure');
    for (const canary of Object.values(CANARIES)) expect(response.text).not.toContain(canary);
    expect(response.text).not.toMatch(/Exception|at \w+ \(|arn:aws/);
  }

  it('refuses a section ciphertext moved to another case', async () => {
    const [source, target] = [await newCase(), await newCase()];
    await setSection(target, 'identity', (await sectionsOf(source)).identity as Uint8Array);

    await expectRefused(target);
  });

  it('refuses a ciphertext moved to another section of the same case', async () => {
    const caseId = await newCase();
    await setSection(caseId, 'assessment', (await sectionsOf(caseId)).reporter as Uint8Array);

    await expectRefused(caseId);
  });

  it('refuses a section encrypted under another agency’s branch key', async () => {
    const [theirs, ours] = [await newCase(police), await newCase()];
    await setSection(ours, 'identity', (await sectionsOf(theirs)).identity as Uint8Array);

    await expectRefused(ours);
  });

  it('refuses a ciphertext with one byte flipped, wherever the byte is', async () => {
    const caseId = await newCase();
    const original = Buffer.from((await sectionsOf(caseId)).report as Uint8Array);
    // The header (with the encrypted data key), the body and the authentication tag at the end.
    for (const position of [5, Math.floor(original.length / 2), original.length - 3]) {
      const flipped = Buffer.from(original);
      flipped[position] = (flipped[position] ?? 0) ^ 0x01;
      await setSection(caseId, 'report', flipped);

      await expectRefused(caseId);
    }
    await setSection(caseId, 'report', original);
    const restored = await call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose: 'child-protection' });
    expect(restored.status).toBe(200);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { runKeysCli } from '../../scripts/keys/cli';
import { fullCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { localDynamoDb } from '../support/local-dynamodb';
import { tokenFor } from '../support/tokens';

const police = await tokenFor('police');

/** `npm run keys`: branch keys created and rotated through the Encryption SDK's key store, on the local stack. */
describe('branch key operations', () => {
  const dynamodb = localDynamoDb(stack);
  afterAll(() => dynamodb.destroy());
  // The stack's own settings, as an operator's shell would have them (the SDK reads credentials from it).
  Object.assign(process.env, stack.environment);
  const env = { ...stack.environment };

  async function keys(...args: string[]) {
    return keysWith(env, ...args);
  }

  async function keysWith(environment: NodeJS.ProcessEnv, ...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runKeysCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, environment);
    return { code, out, err };
  }

  async function versionsOf(branchKeyId: string): Promise<number> {
    const { Items } = await dynamodb.send(
      new QueryCommand({
        TableName: stack.tables.BranchKeys,
        KeyConditionExpression: '#id = :id AND begins_with(#type, :version)',
        ExpressionAttributeNames: { '#id': 'branch-key-id', '#type': 'type' },
        ExpressionAttributeValues: { ':id': { S: branchKeyId }, ':version': { S: 'branch:version:' } },
        ConsistentRead: true,
      }),
    );
    return Items?.length ?? 0;
  }

  it('rotates an agency’s branch key: one more version, and what the older one encrypted stays readable', async () => {
    // Prepare
    const created = await call('POST', '/v1/cases', { token: police, body: fullCaseBody() });
    expect(created.status).toBe(201);
    const versions = await versionsOf('police');

    // Act
    const rotated = await keys('rotate', 'police');

    // Assess
    expect(rotated).toMatchObject({ code: 0, err: [] });
    expect(await versionsOf('police')).toBe(versions + 1);
    const read = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: police,
      purpose: 'criminal-investigation',
    });
    expect(read.status).toBe(200);
  });

  it('works on the stack `npm start` runs, found from local.json in the data folder', async () => {
    // Prepare: the file `npm start` writes, naming this run's stack
    const dataDir = mkdtempSync(join(tmpdir(), 'himaya-keys-'));
    writeFileSync(join(dataDir, 'local.json'), JSON.stringify(stack));
    const versions = await versionsOf('cfpc');

    // Act
    const rotated = await keysWith({}, 'rotate', 'cfpc', '--data-dir', dataDir);
    rmSync(dataDir, { recursive: true, force: true });

    // Assess
    expect(rotated).toMatchObject({ code: 0, err: [] });
    expect(await versionsOf('cfpc')).toBe(versions + 1);
  });

  it('refuses to create a branch key for an agency that has one, and an unknown agency', async () => {
    const again = await keys('create', 'cfpc');
    const unknown = await keys('rotate', 'nobody');

    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/already has a branch key/);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/no agency nobody/);
  });

  it('prints its usage for an unknown command', async () => {
    const result = await keys('delete', 'cfpc');

    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toMatch(/^usage: npm run keys/);
  });
});

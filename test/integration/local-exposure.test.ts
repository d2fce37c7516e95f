import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CREDENTIALS_FILE,
  installationCredentials,
  newLocalCredentials,
} from '../../local/dynamodb-credentials';
import { LOCAL_REGION } from '../../local/stack';
import { stack } from '../support/client';
import { localDynamoDb } from '../support/local-dynamodb';

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('the local stack exposes nothing to other clients', () => {
  const strangers = [
    // What every DynamoDB Local tutorial uses, and what this stack itself used before.
    new DynamoDBClient({
      endpoint: stack.dynamodb,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    new DynamoDBClient({
      endpoint: stack.dynamodb,
      region: LOCAL_REGION,
      credentials: newLocalCredentials(),
    }),
  ];
  afterAll(() => {
    for (const client of strangers) client.destroy();
  });

  it('DynamoDB Local shows the stack tables only to the stack credentials', async () => {
    const own = localDynamoDb(stack);
    const ownTables = (await own.send(new ListTablesCommand({}))).TableNames ?? [];
    own.destroy();
    expect(ownTables).toEqual(expect.arrayContaining(Object.values(stack.tables)));
    for (const stranger of strangers) {
      expect((await stranger.send(new ListTablesCommand({}))).TableNames ?? []).toEqual([]);
    }
  });

  it('an item written with other credentials cannot reach the API: the table is not there for them', async () => {
    const attempt = strangers[0]?.send(
      new PutItemCommand({
        TableName: stack.tables.Cases,
        Item: { pk: { S: 'CASE#planted' }, sk: { S: 'GRANT#police' }, agency: { S: 'police' } },
      }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('the gateway and the KMS emulator listen on 127.0.0.1 alone; DynamoDB Local, which cannot, on every address', async () => {
    // 127.0.0.2 is loopback too, but a server bound to 127.0.0.1 does not answer there: one bound to every
    // interface does.
    expect(await accepts('127.0.0.1', portOf(stack.gateway))).toBe(true);
    expect(await accepts('127.0.0.2', portOf(stack.gateway))).toBe(false);
    expect(await accepts('127.0.0.1', portOf(stack.kms))).toBe(true);
    expect(await accepts('127.0.0.2', portOf(stack.kms))).toBe(false);
    expect(await accepts('127.0.0.2', portOf(stack.dynamodb))).toBe(true);
  });
});

describe('the installation credentials', () => {
  const folders: string[] = [];
  const folder = async () => {
    const made = await mkdtemp(join(tmpdir(), 'himaya-credentials-'));
    folders.push(made);
    return made;
  };
  afterAll(async () => {
    for (const made of folders) await rm(made, { recursive: true, force: true });
  });

  it('are made once, at random, readable by the owner only, and found again', async () => {
    const [first, second] = [await folder(), await folder()];
    const made = await installationCredentials(first, { region: LOCAL_REGION });
    expect(made.accessKeyId).toMatch(/^HIMAYA[A-Z0-9]{14}$/);
    expect((await stat(join(first, CREDENTIALS_FILE))).mode & 0o777).toBe(0o600);
    expect(await installationCredentials(first, { region: LOCAL_REGION })).toEqual(made);
    expect((await installationCredentials(second, { region: LOCAL_REGION })).accessKeyId).not.toBe(
      made.accessKeyId,
    );
  });

  it('take over the database an older shared-database run left behind', async () => {
    const dataDir = await folder();
    const dynamodbDir = join(dataDir, 'dynamodb');
    await mkdir(dynamodbDir);
    const tables = randomBytes(32);
    await writeFile(join(dynamodbDir, 'shared-local-instance.db'), tables);
    const made = await installationCredentials(dataDir, { dynamodbDir, region: LOCAL_REGION });
    expect(await readFile(join(dynamodbDir, `${made.accessKeyId}_${LOCAL_REGION}.db`))).toEqual(tables);
  });

  it('refuse a credentials file that is not theirs', async () => {
    const dataDir = await folder();
    await writeFile(
      join(dataDir, CREDENTIALS_FILE),
      JSON.stringify({ accessKeyId: 'local', secretAccessKey: 'local' }),
    );
    await expect(installationCredentials(dataDir, { region: LOCAL_REGION })).rejects.toThrow();
  });
});

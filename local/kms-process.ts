import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { killWithParent, type LocalProcess, restartable, stopChild } from './child-process';
import { STATS_PATH } from './kms/server';

export interface KmsProcess extends LocalProcess {
  /** Calls per KMS operation since the emulator (re)started. */
  stats(): Promise<Record<string, number>>;
}

export class KmsProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KmsProcessError';
  }
}

const PROJECT_ROOT = join(import.meta.dirname, '..');
const ENTRY = join(PROJECT_ROOT, 'local', 'kms', 'main.ts');
const START_TIMEOUT_MS = 30_000;

/** How this project runs TypeScript: its own Node with the tsx loader, in one process (no tsx CLI parent). */
function loaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** Starts the emulator on `port` (0: a free one) and resolves with its endpoint once it listens. */
async function launch(port: number, stateFile: string | undefined) {
  const args = ['--import', loaderUrl(), ENTRY, '--port', String(port)];
  if (stateFile) args.push('--state-file', stateFile);
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  killWithParent(child);
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    const [ready] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(() => [undefined]),
    ])) as [{ endpoint: string; port: number } | undefined];
    if (!ready) throw new KmsProcessError(`the KMS emulator did not start\n${stderr}`);
    return { child, ...ready };
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the KMS emulator (local/kms/main.ts) as a child process, as DynamoDB Local is run. `stateFile`
 * keeps its keys between runs and across a restart after a kill; without it they live in memory.
 */
export async function startKmsProcess(
  options: { stateFile?: string; port?: number } = {},
): Promise<KmsProcess> {
  const stateFile = options.stateFile === undefined ? undefined : resolve(options.stateFile);
  const first = await launch(options.port ?? 0, stateFile);
  const relaunch = async (): Promise<ChildProcess> => (await launch(first.port, stateFile)).child;
  const managed = restartable(first.endpoint, first.child, relaunch);
  return Object.assign(managed, {
    async stats() {
      const response = await fetch(`${first.endpoint}${STATS_PATH}`);
      if (!response.ok) throw new KmsProcessError(`the KMS emulator answered ${response.status}`);
      return (await response.json()) as Record<string, number>;
    },
  });
}

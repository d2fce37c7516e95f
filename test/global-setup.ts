import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalEndpoints, startLocalStack } from '../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalEndpoints & { dataDir: string; issuerKeyFile: string; environment: Record<string, string> };
  }
}

/** One local stack (DynamoDB Local, KMS emulator, gateway) for the whole run; stopped at the end. */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'himaya-test-'));
  const stack = await startLocalStack({ dataDir, inMemory: true, port: 0 });
  project.provide('stack', {
    ...stack.endpoints,
    dataDir,
    issuerKeyFile: join(dataDir, 'issuer-key.json'),
    environment: stack.environment,
  });
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalEndpoints, startLocalStack } from '../local/stack';
import { canaryNeedles } from './support/canary';
import { findInTables } from './support/table-scan';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalEndpoints & {
      dataDir: string;
      issuerKeyFile: string;
      environment: Record<string, string>;
      /** Carried by every plaintext canary the tests write (see test/support/cases.ts). */
      canaryMarker: string;
    };
  }
}

/**
 * One local stack (DynamoDB Local, KMS emulator, gateway) for the whole run. At the end, before it
 * stops, every table is scanned for the plaintext canaries the tests wrote: finding one fails the run.
 */
export default async function setup(project: TestProject) {
  // The stack runs the functions in this process: they get the tests' environment, silent logs included.
  Object.assign(process.env, project.config.env);
  const dataDir = await mkdtemp(join(tmpdir(), 'himaya-test-'));
  // A short sealing window keeps tests that wait for a signed checkpoint quick.
  const stack = await startLocalStack({ dataDir, inMemory: true, port: 0, sealer: { batchWindowMs: 300 } });
  const canaryMarker = `CANARY-${randomBytes(6).toString('hex')}`;
  project.provide('stack', {
    ...stack.endpoints,
    dataDir,
    issuerKeyFile: join(dataDir, 'issuer-key.json'),
    environment: stack.environment,
    canaryMarker,
  });
  return async () => {
    try {
      const findings = await findInTables(
        stack.endpoints,
        Object.values(stack.endpoints.tables),
        canaryNeedles(canaryMarker),
      );
      if (findings.length > 0) {
        // A failing teardown alone does not fail a vitest run: set the exit code as well.
        process.exitCode = 1;
        throw new Error(
          `plaintext found in DynamoDB after the suite: ${JSON.stringify(findings.slice(0, 5))}`,
        );
      }
    } finally {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  };
}

import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Three projects: `unit` (pure code and in-memory fakes, no I/O, no Java), `integration` (HTTP against the
 * local stack, started once for the project by test/global-setup.ts) and `infra` (the CDK template).
 * `vitest run` runs all three; `--project <name>` runs one.
 */
export default defineConfig({
  // The clients the Encryption SDK's branch key store is given must be instances of the SDK classes it
  // requires (CommonJS): in the process that runs the global setup, Vite would otherwise load the SDK's ES
  // build beside it, and `instanceof KMSClient` fails. Node and the functions' bundles load one copy.
  resolve: {
    alias: ['@aws-sdk/client-kms', '@aws-sdk/client-dynamodb'].map((name) => ({
      find: new RegExp(`^${name}$`),
      replacement: require.resolve(name),
    })),
  },
  test: {
    pool: 'forks',
    maxWorkers: 2,
    // A green run prints nothing: no log lines, and no metrics (embedded metric format) on stdout. A test
    // that asserts on log output sets its own level and captures it (test/support/captured-output.ts).
    // The integration files share one stack, and many break glass as the police on the same day: the
    // daily cap of emergency accesses is tested on an agency of its own (exchange-emergency-policy.test.ts).
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      EMERGENCY_ACCESS_DAILY_CAP: '1000',
    },
    // The functions' built bundles (`startLocalStack({ bundles: true })`) load as Node loads them in Lambda,
    // not through vitest's transform.
    server: { deps: { external: [/\/bundles\/[a-z-]+\/index\.mjs$/] } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // The second collects contract violations when HIMAYA_CONTRACT=report (test/support/contract.ts).
          globalSetup: ['test/global-setup.ts', 'test/support/contract-report.ts'],
          testTimeout: 30_000,
          // Starting DynamoDB Local (and a second stack in some files) takes a while on a busy machine.
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        // Synthesizing the app bundles every function: slow, once per file.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

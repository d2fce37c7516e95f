import { join } from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';
import { FUNCTION_NAMES } from '../src/http/routes';

/** The repository root: entries are `functions/<name>.ts`. */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

/**
 * Every Lambda function: one per area of the API, the audit sealer (AuditLog stream), the log of the
 * gateway's own refusals (API access log), the outbox processor and the statistics aggregator (both on
 * the Cases stream).
 */
export const LAMBDA_FUNCTIONS = [
  ...FUNCTION_NAMES,
  'sealer',
  'gateway-refusals',
  'outbox',
  'stats-aggregator',
] as const;
export type LambdaFunctionName = (typeof LAMBDA_FUNCTIONS)[number];

/** The file Lambda loads (`handler: index.handler`) inside a function's bundle folder. */
export const BUNDLE_FILE = 'index.mjs';

const functionEntry = (fn: LambdaFunctionName) => join(PROJECT_ROOT, 'functions', `${fn}.ts`);

/**
 * How every function is bundled, for AWS (lib/constructs/himaya-function.ts hands the folder to CDK as
 * the function's code) and for `npm start -- --bundles`, which serves the API from the very same files:
 * one ESM file, minified, with a source map; the AWS SDK bundled rather than taken from the runtime, so
 * the versions we test are the ones we run; a `banner` gives ESM code a `require` for the CommonJS
 * dependencies that still call it.
 */
export function bundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile: join(outdir, BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __himayaCreateRequire } from 'node:module'; const require = __himayaCreateRequire(import.meta.url);",
    },
  };
}

/** Bundles one function into `outdir` (synchronously: CDK's local bundling hook cannot wait). */
export function bundleFunctionSync(fn: LambdaFunctionName, outdir: string): void {
  buildSync(bundleOptions(functionEntry(fn), outdir));
}

/** Bundles every function into `<outdir>/<name>/`, in parallel; resolves with each bundle's folder. */
export async function bundleAllFunctions(outdir: string): Promise<Record<LambdaFunctionName, string>> {
  const folders = Object.fromEntries(LAMBDA_FUNCTIONS.map((fn) => [fn, join(outdir, fn)])) as Record<
    LambdaFunctionName,
    string
  >;
  await Promise.all(LAMBDA_FUNCTIONS.map((fn) => build(bundleOptions(functionEntry(fn), folders[fn]))));
  return folders;
}

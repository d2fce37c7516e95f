/**
 * Each Lambda function's bundle, as CDK uploads it (lib/function-bundles.ts): its size, and its cold init,
 * the time a fresh Node process takes to import it with the functions' environment (what Lambda's init
 * phase spends on our code). Both beside a bare handler that only creates a DynamoDB client
 * (bench/bare-handler.ts), bundled the same way. Init is the median of BENCH_INIT_RUNS (default 7) runs
 * per bundle, interleaved across bundles so that other work on the machine weighs on all alike.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_FILE, bundleOptions, LAMBDA_FUNCTIONS, PROJECT_ROOT } from '../lib/function-bundles';
import type { LocalStack } from '../local/stack';
import type { BenchRow } from './types';

const run = promisify(execFile);
const TARGET_RATIO = 1.5;
const BARE = 'bare handler';

/** One import of `file` in a new Node process; the milliseconds the import took. */
async function initOnce(file: string, environment: Record<string, string>): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', script],
    {
      env: { ...environment, AWS_LAMBDA_FUNCTION_NAME: 'himaya-bench', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  return Number(stdout);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The bundle's bytes per package (`src/http`, `zod`, `@smithy/core`, …), largest first. */
function largestParts(metafile: Metafile, count: number): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([pkg, size]) => `${pkg} ${Math.round(size / 1024)}`)
    .join(', ');
}

/** Each bundle's file, and what is largest in it (from esbuild's metafile). */
async function bundleFiles(dir: string): Promise<Map<string, { file: string; parts: string }>> {
  const files = new Map<string, { file: string; parts: string }>();
  const entries: [string, string, string][] = [
    [BARE, join(import.meta.dirname, 'bare-handler.ts'), join(dir, 'bare')],
    ...LAMBDA_FUNCTIONS.map((fn): [string, string, string] => [
      fn,
      join(PROJECT_ROOT, 'functions', `${fn}.ts`),
      join(dir, 'functions', fn),
    ]),
  ];
  for (const [name, entry, outdir] of entries) {
    // With the options CDK's bundles are built with (lib/function-bundles.ts), and a metafile.
    const { metafile } = await build({ ...bundleOptions(entry, outdir), metafile: true });
    files.set(name, { file: join(outdir, BUNDLE_FILE), parts: largestParts(metafile, 6) });
  }
  return files;
}

async function initTimes(files: Map<string, string>, environment: Record<string, string>, runs: number) {
  const times = new Map<string, number[]>([...files.keys()].map((name) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (const [name, file] of files) times.get(name)?.push(await initOnce(file, environment));
  }
  return new Map([...times].map(([name, values]) => [name, median(values)]));
}

function rowsOf(
  sizes: Map<string, number>,
  inits: Map<string, number>,
  parts: Map<string, string>,
): BenchRow[] {
  const bareSize = sizes.get(BARE) ?? Number.NaN;
  const bareInit = inits.get(BARE) ?? Number.NaN;
  return [...sizes.keys()].flatMap((name) => {
    const size = sizes.get(name) ?? Number.NaN;
    const init = inits.get(name) ?? Number.NaN;
    if (name === BARE) {
      return [
        {
          name: `bundle ${BARE}`,
          value: Math.round(size / 1024),
          unit: 'KB',
          note: `init ${init.toFixed(0)} ms; largest, KB: ${parts.get(name)}`,
        },
      ];
    }
    const sizeRatio = size / bareSize;
    const initRatio = init / bareInit;
    return [
      {
        name: `bundle ${name}`,
        value: Math.round(size / 1024),
        unit: 'KB',
        target: `≤ ${TARGET_RATIO}× bare`,
        note: `${sizeRatio.toFixed(2)}× bare${sizeRatio <= TARGET_RATIO ? '' : ' — over target'}; largest, KB: ${parts.get(name)}`,
      },
      {
        name: `init ${name}`,
        value: Math.round(init),
        unit: 'ms',
        target: `≤ ${TARGET_RATIO}× bare`,
        note: `${initRatio.toFixed(2)}× bare${initRatio <= TARGET_RATIO ? '' : ' — over target'}`,
      },
    ];
  });
}

export async function runBundleBench(stack: LocalStack): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'himaya-bench-bundles-'));
  try {
    const bundles = await bundleFiles(dir);
    const files = new Map([...bundles].map(([name, { file }]) => [name, file]));
    const parts = new Map([...bundles].map(([name, bundle]) => [name, bundle.parts]));
    const sizes = new Map<string, number>();
    for (const [name, file] of files) sizes.set(name, (await stat(file)).size);
    const runs = Number(process.env.BENCH_INIT_RUNS ?? 7);
    // The sealer also needs where its checkpoints go (an S3 bucket in AWS).
    const environment = { ...stack.environment, CHECKPOINT_ARCHIVE_DIR: join(dir, 'checkpoints') };
    const inits = await initTimes(files, environment, runs);
    return rowsOf(sizes, inits, parts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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
import { build } from 'esbuild';
import { BUNDLE_FILE, bundleAllFunctions, bundleOptions, LAMBDA_FUNCTIONS } from '../lib/function-bundles';
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

async function bundleFiles(dir: string): Promise<Map<string, string>> {
  const folders = await bundleAllFunctions(join(dir, 'functions'));
  const bare = join(dir, 'bare');
  await build(bundleOptions(join(import.meta.dirname, 'bare-handler.ts'), bare));
  const files = new Map<string, string>([[BARE, join(bare, BUNDLE_FILE)]]);
  for (const fn of LAMBDA_FUNCTIONS) files.set(fn, join(folders[fn], BUNDLE_FILE));
  return files;
}

async function initTimes(files: Map<string, string>, environment: Record<string, string>, runs: number) {
  const times = new Map<string, number[]>([...files.keys()].map((name) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (const [name, file] of files) times.get(name)?.push(await initOnce(file, environment));
  }
  return new Map([...times].map(([name, values]) => [name, median(values)]));
}

function rowsOf(sizes: Map<string, number>, inits: Map<string, number>): BenchRow[] {
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
          note: `init ${init.toFixed(0)} ms`,
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
        note: `${sizeRatio.toFixed(2)}× bare${sizeRatio <= TARGET_RATIO ? '' : ' — over target'}`,
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
    const files = await bundleFiles(dir);
    const sizes = new Map<string, number>();
    for (const [name, file] of files) sizes.set(name, (await stat(file)).size);
    const runs = Number(process.env.BENCH_INIT_RUNS ?? 7);
    // The sealer also needs where its checkpoints go (an S3 bucket in AWS).
    const environment = { ...stack.environment, CHECKPOINT_ARCHIVE_DIR: join(dir, 'checkpoints') };
    const inits = await initTimes(files, environment, runs);
    return rowsOf(sizes, inits);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

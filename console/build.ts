import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { CONSOLE_DIST_DIR } from './paths';

/**
 * Builds the compliance console into CONSOLE_DIST_DIR: one bundled script (app.js) and the static files.
 * `npm run build:console` builds it; `npm start` and the tests call `ensureConsoleBuilt`, which builds
 * only when the folder is missing or any file it was built from has changed since.
 */
const SOURCE_DIR = import.meta.dirname;
const ROOT = join(SOURCE_DIR, '..');
const ENTRY = join(SOURCE_DIR, 'src', 'main.ts');
const STATIC_FILES = ['index.html', 'console.css'];
/**
 * What a build was made from: every input file and its SHA-256, to tell a stale build. Kept beside the
 * output folder, not in it, since everything in the folder is deployed.
 */
const stampFileOf = (outDir: string) => `${outDir}.stamp.json`;

interface BuildStamp {
  inputs: Record<string, string>;
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

async function hashInputs(files: readonly string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(files.map(async (file) => [file, await sha256(join(ROOT, file))]));
  return Object.fromEntries(entries);
}

/** Builds into a fresh folder beside the output, then moves it in place, so a reader never sees half. */
export async function buildConsole(outDir = CONSOLE_DIST_DIR): Promise<void> {
  const staging = `${outDir}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(staging, { recursive: true });
  try {
    const result = await build({
      entryPoints: [ENTRY],
      outfile: join(staging, 'app.js'),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      // Input paths in the metafile are then relative to the repository root, as the stamp keeps them.
      absWorkingDir: ROOT,
      logLevel: 'error',
    });
    for (const file of STATIC_FILES) await copyFile(join(SOURCE_DIR, 'static', file), join(staging, file));
    const inputs = [
      ...Object.keys(result.metafile.inputs),
      ...STATIC_FILES.map((file) => relative(ROOT, join(SOURCE_DIR, 'static', file))),
      relative(ROOT, import.meta.filename),
    ];
    const stamp: BuildStamp = { inputs: await hashInputs(inputs) };
    await rm(stampFileOf(outDir), { force: true });
    await rm(outDir, { recursive: true, force: true });
    // Two stacks starting at once may both build: the first rename wins, and both builds are the same.
    await rename(staging, outDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    // Written last: a build interrupted before this point is stale, and is built again.
    await writeFile(stampFileOf(outDir), `${JSON.stringify(stamp, null, 2)}\n`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** True when the build is missing, or any file it was built from is gone or changed. */
export async function consoleBuildIsStale(outDir = CONSOLE_DIST_DIR): Promise<boolean> {
  if (!existsSync(join(outDir, 'index.html'))) return true;
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(await readFile(stampFileOf(outDir), 'utf8')) as BuildStamp;
  } catch {
    return true;
  }
  try {
    const now = await hashInputs(Object.keys(stamp.inputs));
    return Object.entries(stamp.inputs).some(([file, hash]) => now[file] !== hash);
  } catch {
    return true;
  }
}

/** Builds the console unless an up-to-date build is already there. */
export async function ensureConsoleBuilt(outDir = CONSOLE_DIST_DIR): Promise<void> {
  if (await consoleBuildIsStale(outDir)) await buildConsole(outDir);
}

if (process.argv[1] === import.meta.filename) {
  await buildConsole();
  console.log(`console built into ${relative(process.cwd(), CONSOLE_DIST_DIR) || '.'}`);
}

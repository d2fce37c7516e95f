import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONSOLE_DIST_DIR } from '../console/paths';
import { PROJECT_ROOT } from './function-bundles';

/**
 * Where the compliance console's build puts its files (`index.html` and what it loads): the one place the
 * stack and the console's build agree on. CDK uploads the folder as it is, under `/console/`.
 */
export const CONSOLE_BUILD_DIR = CONSOLE_DIST_DIR;
/** The npm script that builds the console into `CONSOLE_BUILD_DIR`. */
export const CONSOLE_BUILD_SCRIPT = 'build:console';

const hasIndex = (dir: string) => existsSync(join(dir, 'index.html'));

function hasBuildScript(): boolean {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return manifest.scripts?.[CONSOLE_BUILD_SCRIPT] !== undefined;
}

/**
 * The folder of the built console. At synth, a folder without `index.html` is built first, as the
 * functions are bundled at synth (`function-bundles.ts`); if it still has none, synth stops here with
 * what to do rather than deploying a site without its page.
 */
export function builtConsoleDir(dir = CONSOLE_BUILD_DIR): string {
  if (!hasIndex(dir) && dir === CONSOLE_BUILD_DIR && hasBuildScript()) {
    const built = spawnSync('npm', ['run', '-s', CONSOLE_BUILD_SCRIPT], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error(`npm run ${CONSOLE_BUILD_SCRIPT} failed (exit ${built.status})`);
  }
  if (!hasIndex(dir)) {
    throw new Error(
      `The compliance console is not built: ${relative(PROJECT_ROOT, dir) || dir} has no index.html. ` +
        `Build it (npm run ${CONSOLE_BUILD_SCRIPT}) before synthesising the stack.`,
    );
  }
  return dir;
}

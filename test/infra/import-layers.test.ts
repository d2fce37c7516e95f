import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const biome = join(root, 'node_modules/.bin/biome');

/** Lints a small tree of files under the project's own Biome configuration; returns `rule file` pairs. */
async function lintTree(dir: string, files: Record<string, string>): Promise<string[]> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const result = await run(
    biome,
    ['lint', '--reporter=json', '--max-diagnostics=200', ...Object.keys(files)],
    {
      cwd: dir,
    },
  ).catch((error: { stdout: string }) => error);
  const report = JSON.parse(result.stdout) as {
    diagnostics: { category: string; location: { path: string } }[];
  };
  return report.diagnostics
    .filter((d) => d.category.startsWith('lint/'))
    .map((d) => `${d.category.split('/').pop()} ${d.location.path}`);
}

describe('the import layers lint rule', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'himaya-layers-'));
    const config = JSON.parse(await readFile(join(root, 'biome.json'), 'utf8'));
    await writeFile(join(dir, 'biome.json'), JSON.stringify({ ...config, vcs: { enabled: false } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses the domain importing HTTP, adapters, the AWS SDK or the CDK app', async () => {
    const found = await lintTree(dir, {
      'src/domain/cases/a.ts':
        "import { HttpError } from '../../http/errors';\nexport const a = HttpError;\n",
      'src/domain/cases/b.ts': "import { store } from '../../adapters/store';\nexport const b = store;\n",
      'src/domain/cases/c.ts': "import { KMS } from '@aws-sdk/client-kms';\nexport const c = KMS;\n",
      'src/domain/cases/d.ts': "import { stack } from '../../../lib/stack';\nexport const d = stack;\n",
    });

    expect(found).toEqual(
      expect.arrayContaining(['a', 'b', 'c', 'd'].map((f) => `noRestrictedImports src/domain/cases/${f}.ts`)),
    );
  });

  it('refuses src/http importing an adapter, and any of src importing the local stack', async () => {
    const found = await lintTree(dir, {
      'src/http/e.ts': "import { store } from '../adapters/store';\nexport const e = store;\n",
      'src/adapters/f.ts': "import { stack } from '../../local/stack';\nexport const f = stack;\n",
    });

    expect(found).toEqual(
      expect.arrayContaining(['noRestrictedImports src/http/e.ts', 'noRestrictedImports src/adapters/f.ts']),
    );
  });

  it('refuses an import cycle, and lets imports that follow the layers pass', async () => {
    const found = await lintTree(dir, {
      'src/domain/rules/g.ts': "import { h } from './h';\nexport const g = () => h;\n",
      'src/domain/rules/h.ts': "import { g } from './g';\nexport const h = () => g;\n",
      'src/http/i.ts': "import { g } from '../domain/rules/g';\nexport const i = g;\n",
      'src/adapters/j.ts':
        "import { KMS } from '@aws-sdk/client-kms';\nimport { g } from '../domain/rules/g';\nexport const j = [KMS, g];\n",
    });

    expect(found).toContain('noImportCycles src/domain/rules/g.ts');
    expect(found.filter((entry) => entry.endsWith('i.ts') || entry.endsWith('j.ts'))).toEqual([]);
  });
});

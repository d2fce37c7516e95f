// Prints the OpenAPI document generated from the route table: `npm run -s openapi > openapi.json`.
// With `--lint` (`npm run lint:openapi`), lints it instead with Redocly CLI and redocly.yaml, offline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../src/http/openapi';

// The same text as the printed document, so a finding's line:column holds in `npm run -s openapi` too.
const text = `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

const CONFIG = join(import.meta.dirname, '..', 'redocly.yaml');

if (process.argv.includes('--lint')) {
  const dir = mkdtempSync(join(tmpdir(), 'himaya-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, text);
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    const options = process.argv.slice(2).filter((arg) => arg !== '--lint'); // e.g. --format=stylish
    const lint = spawnSync(process.execPath, [cli, 'lint', file, '--config', CONFIG, ...options], {
      stdio: 'inherit',
      // No usage data sent and no update check: the linter must work without a network.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    process.exitCode = lint.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  process.stdout.write(text);
}

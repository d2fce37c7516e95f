import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, consoleBuildIsStale } from '../../console/build';
import { importCheckpointKey } from '../../src/domain/audit/log-verification';
import { stack } from '../support/client';
import { tokenFor } from '../support/tokens';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const get = (path: string, init?: RequestInit) =>
  fetch(`${stack.gateway}${path}`, { redirect: 'manual', ...init });

/** config.json asked for with a Host header of our choosing (fetch does not let a caller set one). */
function configAsHost(host: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const request = httpGet(`${stack.gateway}/console/config.json`, { headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(JSON.parse(body) as Record<string, string>));
    });
    request.on('error', reject);
  });
}

/** The console as the local gateway serves it: the built files, config.json, and the headers on each. */
describe('the console site on the local gateway', () => {
  it('serves the page with the strict headers, and a page with no inline script or style', async () => {
    const response = await get('/console/');
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('sends /console to /console/, and serves the script and the style sheet with their types', async () => {
    const bare = await get('/console');
    const script = await get('/console/app.js');
    const style = await get('/console/console.css');

    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/console/']);
    expect(bare.headers.get('content-security-policy')).toBe(CSP);
    expect([script.status, script.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect([style.status, style.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
  });

  it('serves config.json naming this gateway, the console client and the signing key it must trust', async () => {
    const compliance = await tokenFor('compliance');
    const headers = { authorization: `Bearer ${compliance}`, 'x-himaya-user': 'auditor-1' };
    const [config, publicKey, checkpoint] = await Promise.all([
      get('/console/config.json').then((r) => r.json()),
      get('/v1/audit/public-key', { headers }).then((r) => r.text()),
      get('/v1/audit/checkpoint', { headers }).then((r) => r.text()),
    ]);

    expect(config).toEqual({
      apiBase: stack.gateway,
      authBase: stack.gateway,
      clientId: 'himaya-console',
      redirectUri: `${stack.gateway}/console/`,
      scope: 'himaya/audit.read',
      checkpointKeyFingerprint: (await importCheckpointKey(publicKey)).fingerprint,
      logOrigin: checkpoint.split('\n')[0],
    });
  });

  it('names the origin the console was opened at when it is another loopback name for the gateway', async () => {
    const port = new URL(stack.gateway).port;
    const opened = await configAsHost(`localhost:${port}`);
    const elsewhere = await configAsHost(`attacker.example:${port}`);

    expect(opened).toMatchObject({
      apiBase: `http://localhost:${port}`,
      redirectUri: `http://localhost:${port}/console/`,
    });
    expect(elsewhere).toMatchObject({ apiBase: stack.gateway });
  });

  it('serves nothing outside the build, no dot file, and only GET and HEAD', async () => {
    const outside = await Promise.all(
      [
        '/console/..%2Fpackage.json',
        '/console/%2e%2e/package.json',
        '/console/.build-stamp.json',
        '/console/nope.js',
      ].map(async (path) => (await get(path)).status),
    );
    const post = await get('/console/', { method: 'POST', body: 'x' });
    const [head, full] = await Promise.all([
      get('/console/app.js', { method: 'HEAD' }),
      get('/console/app.js'),
    ]);

    expect(outside).toEqual([404, 404, 404, 404]);
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect([head.status, await head.text()]).toEqual([200, '']);
    expect(head.headers.get('content-length')).toBe(full.headers.get('content-length'));
  });

  it('leaves every other path to the API', async () => {
    const health = await get('/v1/health');
    const lookalike = await get('/consoles');

    expect(health.status).toBe(200);
    expect(lookalike.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the console build', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = join(await mkdtemp(join(tmpdir(), 'himaya-console-build-')), 'dist');
    await buildConsole(outDir);
  });
  afterAll(() => rm(join(outDir, '..'), { recursive: true, force: true }));

  it('is fresh after a build, and stale once a file it was built from differs or the build is gone', async () => {
    const stampFile = `${outDir}.stamp.json`;
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { inputs: Record<string, string> };
    const deployed = await readdir(outDir);
    const fresh = await consoleBuildIsStale(outDir);
    const [first] = Object.keys(stamp.inputs);
    await writeFile(
      stampFile,
      JSON.stringify({ inputs: { ...stamp.inputs, [first as string]: '0'.repeat(64) } }),
    );
    const changed = await consoleBuildIsStale(outDir);
    await writeFile(stampFile, JSON.stringify(stamp));
    const restored = await consoleBuildIsStale(outDir);
    await rm(outDir, { recursive: true });
    const missing = await consoleBuildIsStale(outDir);

    expect(Object.keys(stamp.inputs)).toEqual(
      expect.arrayContaining([
        'console/src/main.ts',
        'console/static/index.html',
        'src/domain/audit/log-verification.ts',
      ]),
    );
    expect([fresh, changed, restored, missing]).toEqual([false, true, false, true]);
    // Nothing but the console itself is in the folder that is deployed.
    expect(deployed.sort()).toEqual(['app.js', 'app.js.map', 'console.css', 'index.html']);
  });
});

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../local/gateway';
import { openIssuer } from '../../local/issuer';
import { OFFICERS_FILE, openOfficerAccounts } from '../../local/officer-accounts';
import { CODE_TTL_MS, localSignIn, MAX_ATTEMPTS } from '../../local/sign-in';
import { readDirectoryFile } from '../../local/stack';
import {
  authorizeParams,
  authorizeUrl,
  CONSOLE_CLIENT,
  codeFor,
  formRequestId,
  newPkce,
  officerPassword,
  postLogin,
  postToken,
} from '../support/sign-in';

/**
 * The sign-in's time limits and attempt limits, on a gateway of its own whose clock the test moves (the
 * API behind it is a stand-in: these requests never reach it).
 */
describe('console sign-in limits', () => {
  let gateway: Gateway;
  let dataDir: string;
  let officersFile: string;
  let now = Date.now();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'himaya-sign-in-'));
    officersFile = join(dataDir, OFFICERS_FILE);
    const directory = await readDirectoryFile();
    const issuer = await openIssuer(join(dataDir, 'issuer-key.json'), directory);
    const officers = await openOfficerAccounts(officersFile);
    gateway = await startGateway({
      port: 0,
      issuer,
      signIn: localSignIn({ issuer, directory, officers, clock: () => now }),
      loadHandler: async () => async () => ({ statusCode: 500, body: '' }),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the officers passwords in a file only its owner may read', async () => {
    const { mode } = await stat(officersFile);

    expect(mode & 0o777).toBe(0o600);
  });

  it('refuses a code exchanged after it expired', async () => {
    const pkce = newPkce();
    const { code, redirectUri } = await codeFor(
      gateway.url,
      'salem.officer',
      await officerPassword(officersFile, 'salem.officer'),
      pkce,
    );
    now += CODE_TTL_MS + 1;

    const response = await postToken(gateway.url, {
      grant_type: 'authorization_code',
      client_id: CONSOLE_CLIENT,
      code,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('ends a sign-in form after too many wrong passwords', async () => {
    const page = await fetch(authorizeUrl(gateway.url, authorizeParams(gateway.url, newPkce().challenge)));
    const requestId = formRequestId(await page.text());
    const password = await officerPassword(officersFile, 'amal.officer');

    const statuses: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      statuses.push((await postLogin(gateway.url, requestId, 'nobody.here', 'wrong-password')).status);
    }
    const afterwards = await postLogin(gateway.url, requestId, 'amal.officer', password);

    expect(statuses).toEqual([...Array(MAX_ATTEMPTS - 1).fill(401), 400]);
    expect(afterwards.status).toBe(400);
    expect(afterwards.headers.get('location')).toBeNull();
  });

  it('locks an officer out after too many wrong passwords, even with the right one, for a while', async () => {
    const password = await officerPassword(officersFile, 'amal.officer');
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const page = await fetch(authorizeUrl(gateway.url, authorizeParams(gateway.url, newPkce().challenge)));
      await postLogin(gateway.url, formRequestId(await page.text()), 'amal.officer', 'wrong-password');
    }
    const page = await fetch(authorizeUrl(gateway.url, authorizeParams(gateway.url, newPkce().challenge)));

    const locked = await postLogin(gateway.url, formRequestId(await page.text()), 'amal.officer', password);
    now += 16 * 60_000;
    const later = await codeFor(gateway.url, 'amal.officer', password, newPkce());

    expect(locked.status).toBe(401);
    expect(await locked.text()).toContain('Incorrect username or password.');
    expect(later.code).toEqual(expect.any(String));
  });
});

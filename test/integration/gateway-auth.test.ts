import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../local/gateway';
import { type Issuer, LOCAL_ISSUER, openIssuer } from '../../local/issuer';
import { readDirectoryFile } from '../../local/stack';
import { fetchChecked } from '../support/contract';

/**
 * The gateway alone, in front of a handler that only counts its calls: every refused token must be
 * refused before any function code runs.
 */
describe('local gateway authorization', () => {
  let gateway: Gateway;
  let issuer: Issuer;
  let dataDir: string;
  let invocations = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'himaya-gateway-'));
    issuer = await openIssuer(join(dataDir, 'issuer-key.json'), await readDirectoryFile());
    gateway = await startGateway({
      port: 0,
      issuer,
      loadHandler: async () => async () => {
        invocations += 1;
        return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"reached":true}' };
      },
    });
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    invocations = 0;
  });

  const getAgencies = (authorization?: string, send: typeof fetchChecked = fetch) =>
    send(`${gateway.url}/v1/agencies`, {
      headers: authorization ? { authorization, 'x-himaya-user': 'u1' } : {},
    });

  async function expectRefused(authorization: string | undefined, status: 401 | 403) {
    // A refusal comes from the gateway itself, so it must be what the published contract says; a 200
    // comes from the stand-in handler above and is not checked.
    const response = await getAgencies(authorization, fetchChecked);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { status: number }).status).toBe(status);
    expect(invocations).toBe(0);
  }

  async function signWithOurKey(claims: Record<string, unknown>, iss: string) {
    const stored = JSON.parse(await readFile(join(dataDir, 'issuer-key.json'), 'utf8')) as {
      privateJwk: JWK;
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(iss)
      .setExpirationTime('5m')
      .sign(await importJWK(stored.privateJwk, 'RS256'));
  }

  async function signWith(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', ...header })
      .setIssuer(LOCAL_ISSUER)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  }

  it('passes a valid access token with the scope through to the function', async () => {
    const response = await getAgencies(`Bearer ${await issuer.issue('police')}`);

    expect(response.status).toBe(200);
    expect(invocations).toBe(1);
  });

  it('refuses a request without a token (401)', async () => {
    await expectRefused(undefined, 401);
  });

  it('refuses a malformed Authorization header (401)', async () => {
    await expectRefused('Basic cG9saWNlOnNlY3JldA==', 401);
  });

  it('refuses a token signed with another key (401)', async () => {
    const forged = await signWith({ client_id: 'police', token_use: 'access', scope: 'himaya/cases.read' });
    await expectRefused(`Bearer ${forged}`, 401);
  });

  it('refuses a token whose signature was altered (401)', async () => {
    const token = await issuer.issue('police');
    const [header, payload, signature = ''] = token.split('.');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expectRefused(`Bearer ${header}.${payload}.${flipped}`, 401);
  });

  it('refuses an expired token (401)', async () => {
    await expectRefused(`Bearer ${await issuer.issue('police', { ttlSeconds: -60 })}`, 401);
  });

  it('refuses an unsigned alg:none token (401)', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: LOCAL_ISSUER,
      client_id: 'police',
      token_use: 'access',
      scope: 'himaya/cases.read',
      exp: now + 300,
    };
    await expectRefused(`Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`, 401);
  });

  it('refuses a token from another issuer, even signed with our key (401)', async () => {
    const token = await signWithOurKey(
      { client_id: 'police', token_use: 'access', scope: 'himaya/cases.read' },
      'https://cognito-idp.example/other-pool',
    );
    await expectRefused(`Bearer ${token}`, 401);
  });

  it('refuses an ID token where an access token is needed (401)', async () => {
    const token = await signWithOurKey(
      { client_id: 'police', token_use: 'id', scope: 'himaya/cases.read' },
      LOCAL_ISSUER,
    );
    await expectRefused(`Bearer ${token}`, 401);
  });

  it('counts only scopes of the himaya resource server (403 for a bare or foreign scope)', async () => {
    const bare = await signWithOurKey(
      { client_id: 'police', token_use: 'access', scope: 'cases.read' },
      LOCAL_ISSUER,
    );
    const foreign = await signWithOurKey(
      { client_id: 'police', token_use: 'access', scope: 'other/cases.read' },
      LOCAL_ISSUER,
    );
    await expectRefused(`Bearer ${bare}`, 403);
    await expectRefused(`Bearer ${foreign}`, 403);
  });

  it('refuses a valid token without the route scope (403)', async () => {
    await expectRefused(`Bearer ${await issuer.issue('compliance')}`, 403);
    await expectRefused(`Bearer ${await issuer.issue('police', { scopes: ['exchange'] })}`, 403);
  });
});

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { importJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOCAL_ISSUER } from '../../local/issuer';
import { call, stack } from '../support/client';
import { tokenFor } from '../support/tokens';

/** Seconds since the epoch, `offset` seconds from now. */
const epoch = (offset = 0) => Math.floor(Date.now() / 1000) + offset;

/**
 * A token signed with the stack issuer's own key, with exactly the claims given: what an insider holding
 * the key, or a confused issuer, could mint.
 */
async function forge(claims: Record<string, unknown>): Promise<string> {
  const stored = JSON.parse(await readFile(stack.issuerKeyFile, 'utf8')) as { kid: string; privateJwk: JWK };
  return new SignJWT({
    client_id: 'police',
    token_use: 'access',
    scope: 'himaya/cases.read himaya/cases.write himaya/exchange',
    iss: LOCAL_ISSUER,
    sub: 'police',
    jti: randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: stored.kid })
    .sign(await importJWK(stored.privateJwk, 'RS256'));
}

async function expectUnauthorized(token: string) {
  const response = await call('GET', '/v1/agencies', { token });

  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.json).toMatchObject({ status: 401, code: 'unauthorized' });
}

describe('token limits', () => {
  it('accepts a well-formed forged token, so the refusals below are about one claim each', async () => {
    const response = await call('GET', '/v1/agencies', {
      token: await forge({ iat: epoch(), exp: epoch(300) }),
    });

    expect(response.status).toBe(200);
  });

  it('refuses a token without exp (401)', async () => {
    await expectUnauthorized(await forge({ iat: epoch() }));
  });

  it('refuses a token issued 10 minutes in the future (401)', async () => {
    await expectUnauthorized(await forge({ iat: epoch(600), exp: epoch(3600) }));
  });

  it('refuses a token not valid until later (401)', async () => {
    await expectUnauthorized(await forge({ iat: epoch(), nbf: epoch(600), exp: epoch(3600) }));
  });

  it('tolerates a small clock skew on iat and nbf', async () => {
    const response = await call('GET', '/v1/agencies', {
      token: await forge({ iat: epoch(20), nbf: epoch(20), exp: epoch(300) }),
    });

    expect(response.status).toBe(200);
  });

  it('refuses with insufficient-scope a police token carrying audit.read the directory does not give it', async () => {
    const token = await forge({
      iat: epoch(),
      exp: epoch(300),
      scope: 'himaya/cases.read himaya/audit.read',
    });

    const response = await call('GET', '/v1/audit/events?user=officer-1', { token });

    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ status: 403, code: 'insufficient-scope' });
  });

  it('still lets the compliance office read the audit events', async () => {
    const response = await call('GET', '/v1/audit/events?user=officer-1', {
      token: await tokenFor('compliance'),
    });

    expect(response.status).toBe(200);
  });
});

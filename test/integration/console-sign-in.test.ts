import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/event';
import type { ReviewView } from '../../src/domain/reviews/schemas';
import { fullCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { createCase } from '../support/exchange';
import {
  authorizeParams,
  authorizeUrl,
  CONSOLE_CLIENT,
  codeFor,
  consoleRedirectUri,
  formRequestId,
  newPkce,
  officerPassword,
  postLogin,
  postToken,
  signInAsOfficer,
} from '../support/sign-in';
import { tokensFor } from '../support/tokens';

const base = stack.gateway;
const [cfpc, police] = await tokensFor('cfpc', 'police');
const officer = await signInAsOfficer(base, stack.officersFile, 'amal.officer');
const amalPassword = await officerPassword(stack.officersFile, 'amal.officer');

/** The token request for a code, with the console's values unless overridden. */
const tokenForm = (code: string, verifier: string, overrides: Record<string, string> = {}) => ({
  grant_type: 'authorization_code',
  client_id: CONSOLE_CLIENT,
  code,
  redirect_uri: consoleRedirectUri(base),
  code_verifier: verifier,
  ...overrides,
});

async function expectTokenError(response: Response, error: string) {
  expect(response.status).toBe(400);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(body).not.toHaveProperty('access_token');
}

describe('console sign-in: authorization code with PKCE on the local issuer', () => {
  it('serves the sign-in form with its own policy: no script, no unsafe-inline, not framed', async () => {
    const response = await fetch(authorizeUrl(base, authorizeParams(base, newPkce().challenge)));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toMatch(/script-src/);
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
  });

  it('issues a Cognito-shaped user access token for the officer, not cacheable', async () => {
    const pkce = newPkce();
    const { code, redirectUri } = await codeFor(base, 'amal.officer', amalPassword, pkce);

    const response = await postToken(base, tokenForm(code, pkce.verifier, { redirect_uri: redirectUri }));

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(body.id_token).toEqual(expect.any(String));
    expect(officer.claims).toMatchObject({
      token_use: 'access',
      client_id: CONSOLE_CLIENT,
      username: 'amal.officer',
      'cognito:groups': ['compliance-officers'],
      scope: 'openid himaya/audit.read',
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: expect.any(String),
    });
    expect((officer.claims.exp as number) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
  });

  it('reads the access log with the token alone and records the officer from the token', async () => {
    const response = await call('GET', '/v1/audit/events?limit=1', {
      token: officer.accessToken,
      user: null,
    });
    const requestId = response.headers.get('x-amzn-requestid');

    const events = await call('GET', '/v1/audit/events?user=amal.officer&action=audit.list&limit=500', {
      token: officer.accessToken,
      user: null,
    });

    expect(response.status, response.text).toBe(200);
    const own = (events.json.items as AuditEvent[]).find((event) => event.requestId === requestId);
    expect(own).toMatchObject({
      user: 'amal.officer',
      clientId: CONSOLE_CLIENT,
      agency: 'compliance',
      outcome: 200,
    });
  });

  it('accepts X-Himaya-User naming the officer, and refuses one naming anybody else', async () => {
    const same = await call('GET', '/v1/audit/events?limit=1', {
      token: officer.accessToken,
      user: 'amal.officer',
    });
    const other = await call('GET', '/v1/audit/events?limit=1', {
      token: officer.accessToken,
      user: 'auditor-1',
    });

    expect(same.status).toBe(200);
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({
      code: 'invalid-request',
      errors: [{ path: 'headers.x-himaya-user', message: 'differs from the signed-in officer' }],
    });
  });

  it('gives the officer the access log only: case routes are refused, and logged with who was refused', async () => {
    const response = await call('GET', '/v1/cases', { token: officer.accessToken, user: null });
    const requestId = response.headers.get('x-amzn-requestid');
    const events = await call('GET', '/v1/audit/events?user=amal.officer&action=case.list&limit=500', {
      token: officer.accessToken,
      user: null,
    });

    expect(response.status).toBe(403);
    const refused = (events.json.items as AuditEvent[]).find((event) => event.requestId === requestId);
    expect(refused).toMatchObject({ user: 'amal.officer', clientId: CONSOLE_CLIENT, outcome: 403 });
  });

  it('closes a review as the signed-in officer', async () => {
    const caseId = await createCase(cfpc, fullCaseBody());
    const granted = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: police,
      user: 'officer-9',
      purpose: 'emergency',
      body: { justification: 'Child reported missing tonight', sections: ['identity', 'report'] },
    });
    expect(granted.status, granted.text).toBe(201);
    const listed = await call('GET', '/v1/audit/reviews?limit=100&kind=emergency-access', {
      token: officer.accessToken,
      user: null,
    });
    const review = (listed.json.items as ReviewView[]).find(
      (item) => item.requestId === granted.json.requestId,
    );

    const closed = await call('POST', `/v1/audit/reviews/${review?.reviewId}`, {
      token: officer.accessToken,
      user: null,
      body: { outcome: 'justified', finding: 'Confirmed by the duty officer' },
    });

    expect(closed.status, closed.text).toBe(200);
    expect((closed.json as ReviewView).closure).toMatchObject({ closedBy: 'amal.officer' });
  });

  it('refuses a code with the wrong verifier, and the code is then spent', async () => {
    const pkce = newPkce();
    const { code } = await codeFor(base, 'amal.officer', amalPassword, pkce);

    const wrong = await postToken(base, tokenForm(code, newPkce().verifier));
    const right = await postToken(base, tokenForm(code, pkce.verifier));

    await expectTokenError(wrong, 'invalid_grant');
    await expectTokenError(right, 'invalid_grant');
  });

  it('refuses a code used twice', async () => {
    const pkce = newPkce();
    const { code } = await codeFor(base, 'amal.officer', amalPassword, pkce);

    const first = await postToken(base, tokenForm(code, pkce.verifier));
    const second = await postToken(base, tokenForm(code, pkce.verifier));

    expect(first.status).toBe(200);
    await expectTokenError(second, 'invalid_grant');
  });

  it('refuses a code exchanged for another redirect URI', async () => {
    const pkce = newPkce();
    const { code } = await codeFor(base, 'amal.officer', amalPassword, pkce);
    const other = `http://localhost:${new URL(base).port}/console/`;

    await expectTokenError(
      await postToken(base, tokenForm(code, pkce.verifier, { redirect_uri: other })),
      'invalid_grant',
    );
  });

  it('refuses a verifier outside RFC 7636 (too short) as a malformed request', async () => {
    const pkce = newPkce();
    const { code } = await codeFor(base, 'amal.officer', amalPassword, pkce);

    await expectTokenError(await postToken(base, tokenForm(code, 'short')), 'invalid_request');
  });

  it('refuses other grants and unknown clients at the token endpoint', async () => {
    const pkce = newPkce();

    await expectTokenError(
      await postToken(base, { grant_type: 'client_credentials', client_id: CONSOLE_CLIENT }),
      'unsupported_grant_type',
    );
    await expectTokenError(
      await postToken(base, tokenForm('x', pkce.verifier, { client_id: 'cfpc' })),
      'invalid_client',
    );
  });

  it.each([
    ['the plain method', { code_challenge_method: 'plain' }],
    ['no method', { code_challenge_method: undefined }],
    ['no challenge', { code_challenge: undefined }],
    ['an implicit grant', { response_type: 'token' }],
    ['a scope the client does not have', { scope: 'himaya/cases.read' }],
  ])('refuses %s by redirecting an error, with no code', async (_name, overrides) => {
    const params = authorizeParams(base, newPkce().challenge, overrides);

    const response = await fetch(authorizeUrl(base, params), { redirect: 'manual' });

    expect(response.status).toBe(302);
    const back = new URL(response.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(consoleRedirectUri(base));
    expect(back.searchParams.get('error')).toMatch(
      /^(invalid_request|unsupported_response_type|invalid_scope)$/,
    );
    expect(back.searchParams.get('state')).toBe(params.state);
    expect(back.searchParams.has('code')).toBe(false);
  });

  it.each([
    ['an unknown client', { client_id: 'stranger' }],
    ['a machine client', { client_id: 'compliance' }],
    ['an unregistered redirect URI', { redirect_uri: 'https://evil.example/console/' }],
    ['a redirect URI differing by its path', { redirect_uri: `${base}/console/x` }],
  ])('refuses %s with an error page, never redirecting', async (_name, overrides) => {
    const response = await fetch(authorizeUrl(base, authorizeParams(base, newPkce().challenge, overrides)), {
      redirect: 'manual',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).not.toContain('<form');
  });

  it('answers a wrong password with the form again and a generic error, and no code', async () => {
    const page = await fetch(authorizeUrl(base, authorizeParams(base, newPkce().challenge)));
    const requestId = formRequestId(await page.text());

    const wrong = await postLogin(base, requestId, 'amal.officer', 'not-the-password');
    const unknown = await postLogin(base, requestId, 'nobody.here', 'not-the-password');

    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('location')).toBeNull();
      const html = await response.text();
      expect(html).toContain('Incorrect username or password.');
      expect(html).toContain('<form');
    }
  });

  it('has the issuer refuse a client-credentials token for the console client', async () => {
    await expect(tokensFor(CONSOLE_CLIENT)).rejects.toThrow(/for people/);
  });
});

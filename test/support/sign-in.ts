import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { decodeJwt } from 'jose';

/**
 * A browser's part in the console's sign-in (authorization code + PKCE), done with fetch: the issuer's
 * form, the officer's password, the code on the redirect, the code and its verifier for tokens.
 */
export const CONSOLE_CLIENT = 'himaya-console';

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** A verifier of 64 unreserved characters and its S256 challenge (RFC 7636 §4.1, §4.2). */
export function newPkce(): Pkce {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const consoleRedirectUri = (base: string) => `${base}/console/`;

export async function officerPassword(officersFile: string, username: string): Promise<string> {
  const { officers } = JSON.parse(await readFile(officersFile, 'utf8')) as {
    officers: { username: string; password: string }[];
  };
  const officer = officers.find((o) => o.username === username);
  if (!officer) throw new Error(`no officer ${username} in ${officersFile}`);
  return officer.password;
}

export function authorizeUrl(base: string, params: Record<string, string | undefined>): string {
  const url = new URL('/oauth2/authorize', base);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** The parameters the console sends, for the challenge given; `overrides` replace or (undefined) drop. */
export function authorizeParams(
  base: string,
  challenge: string,
  overrides: Record<string, string | undefined> = {},
) {
  return {
    response_type: 'code',
    client_id: CONSOLE_CLIENT,
    redirect_uri: consoleRedirectUri(base),
    scope: 'openid himaya/audit.read',
    state: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
}

/** The form's opaque request id, as the browser would post it back. */
export function formRequestId(html: string): string {
  const id = /name="request" value="([\w-]+)"/.exec(html)?.[1];
  if (!id) throw new Error('no sign-in form in the page');
  return id;
}

export function postLogin(base: string, requestId: string, username: string, password: string) {
  return fetch(new URL('/login', base), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: requestId, username, password }).toString(),
  });
}

export function postToken(base: string, form: Record<string, string>) {
  return fetch(new URL('/oauth2/token', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** Signs in through the form and answers the code from the redirect (and the state it came back with). */
export async function codeFor(
  base: string,
  username: string,
  password: string,
  pkce: Pkce,
): Promise<{ code: string; state: string | null; redirectUri: string }> {
  const params = authorizeParams(base, pkce.challenge);
  const page = await fetch(authorizeUrl(base, params), { redirect: 'manual' });
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}`);
  const login = await postLogin(base, formRequestId(await page.text()), username, password);
  const location = login.headers.get('location');
  if (login.status !== 302 || !location) throw new Error(`login answered ${login.status}`);
  const back = new URL(location);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back.origin}${back.pathname}`);
  if (back.searchParams.get('state') !== params.state) throw new Error('the state did not come back');
  return { code, state: back.searchParams.get('state'), redirectUri: params.redirect_uri };
}

/** The whole flow: an officer's access token, as the console holds it. */
export async function signInAsOfficer(base: string, officersFile: string, username = 'amal.officer') {
  const pkce = newPkce();
  const { code, redirectUri } = await codeFor(
    base,
    username,
    await officerPassword(officersFile, username),
    pkce,
  );
  const response = await postToken(base, {
    grant_type: 'authorization_code',
    client_id: CONSOLE_CLIENT,
    code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
  });
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}`);
  const { access_token: accessToken } = (await response.json()) as { access_token: string };
  return { accessToken, claims: decodeJwt(accessToken) };
}

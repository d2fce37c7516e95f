import type { ConsoleConfig } from './config';

/**
 * Sign-in with the authorization code flow and PKCE (S256). Only the code verifier and the state wait in
 * sessionStorage across the redirect (this tab only, removed when used); the access token lives in this
 * module's memory alone, never in web storage, so a reload signs the officer in again.
 */
export interface Session {
  accessToken: string;
  /** Epoch milliseconds after which the token is no longer accepted. */
  expiresAt: number;
  /** Who is signed in, as the token names them (shown only: the API reads the token itself). */
  officer: string;
}

const PENDING_KEY = 'himaya-console:pending-sign-in';

export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** The answer to the authorization request carries another state than the one this tab sent. */
export class StateMismatchError extends SignInError {
  constructor() {
    super('state mismatch');
    this.name = 'StateMismatchError';
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Sends the browser to the authorization server's sign-in page. */
export async function startSignIn(config: ConsoleConfig): Promise<void> {
  const verifier = randomToken();
  const state = randomToken(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scope,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${config.authBase}/oauth2/authorize?${query}`);
}

/** Whether this page load is the authorization server's answer (a code, or an error). */
export function isSignInAnswer(): boolean {
  const query = new URLSearchParams(location.search);
  return query.has('state') && (query.has('code') || query.has('error'));
}

function takePending(): { verifier: string; state: string } | undefined {
  const pending = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!pending) return undefined;
  try {
    return JSON.parse(pending) as { verifier: string; state: string };
  } catch {
    return undefined;
  }
}

/** The claims of a token, read only to name who is signed in; the API checks the token itself. */
function claimsOf(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function sessionFromToken(accessToken: string, expiresInSeconds: number): Session {
  const claims = claimsOf(accessToken);
  const officer = [claims.username, claims['cognito:username']].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  return { accessToken, expiresAt: Date.now() + expiresInSeconds * 1000, officer: officer ?? '' };
}

async function exchangeCode(config: ConsoleConfig, code: string, verifier: string): Promise<Session> {
  const response = await fetch(`${config.authBase}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new SignInError(typeof body.error === 'string' ? body.error : `token endpoint ${response.status}`);
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return sessionFromToken(body.access_token, expiresIn);
}

/**
 * Completes a sign-in from the authorization server's answer in the URL: the state must be the one this
 * tab sent, and the code is exchanged with the verifier kept for it. The answer is removed from the
 * address bar (and from history) either way.
 */
export async function completeSignIn(config: ConsoleConfig): Promise<Session> {
  const query = new URLSearchParams(location.search);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const pending = takePending();
  if (!pending || query.get('state') !== pending.state) throw new StateMismatchError();
  const error = query.get('error');
  if (error) throw new SignInError(error);
  return exchangeCode(config, query.get('code') ?? '', pending.verifier);
}

/**
 * Signs out: the authorization server ends its own session (Cognito's hosted UI keeps one) and sends the
 * browser back to the console, which leaving the page has emptied of the token.
 */
export function signOut(config: ConsoleConfig): void {
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri });
  location.assign(`${config.authBase}/logout?${query}`);
}

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { CONSOLE_PATH } from '../console/paths';
import { type Client, type Directory, findClient, isPeopleClient, scopeClaim } from '../src/domain/directory';
import type { Issuer } from './issuer';
import {
  constantTimeEqual,
  OFFICERS_GROUP,
  type OfficerAccount,
  type OfficerAccounts,
} from './officer-accounts';
import { errorPage, STYLESHEET, STYLESHEET_PATH, signInPage } from './sign-in-page';

/**
 * The issuer's sign-in for people, on the gateway's port, at the paths of Cognito's hosted UI: the
 * console uses the same URLs with another base. Authorization code with PKCE (S256 only), codes single
 * use, short-lived and bound to client, redirect URI and challenge (RFC 6749 §4.1, RFC 7636). These are the
 * issuer's endpoints, not the API's: they are not in the route table or the OpenAPI document.
 */
export const SIGN_IN_PATHS = {
  authorize: '/oauth2/authorize',
  login: '/login',
  token: '/oauth2/token',
  logout: '/logout',
  stylesheet: STYLESHEET_PATH,
} as const;

/** Where the console is served on the gateway; its redirect and sign-out URIs. */
export { CONSOLE_PATH };

/** How long a code may wait for its exchange (Cognito's codes last 5 minutes; ours less). */
export const CODE_TTL_MS = 60_000;
/** How long a sign-in form stays answerable. */
const PENDING_TTL_MS = 10 * 60_000;
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Wrong passwords allowed per sign-in form, and per officer within the lockout window. */
export const MAX_ATTEMPTS = 5;
const LOCKOUT_MS = 15 * 60_000;
/** Bounds what strangers can make the issuer hold. */
const MAX_PENDING = 1000;
const MAX_FORM_BYTES = 8 * 1024;

/** base64url of a SHA-256 digest, unpadded (RFC 7636 §4.2). */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** 43–128 unreserved characters (RFC 7636 §4.1). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const OPENID = 'openid';

const AuthorizeSchema = z.strictObject({
  response_type: z.literal('code'),
  client_id: z.string(),
  redirect_uri: z.string(),
  scope: z.string().min(1).max(1024).optional(),
  state: z.string().min(1).max(2048).optional(),
  code_challenge: z.string().regex(CHALLENGE),
  code_challenge_method: z.literal('S256'),
  nonce: z.string().min(1).max(512).optional(),
});

const LoginSchema = z.strictObject({
  request: z.string().min(1).max(64),
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(128),
});

const TokenSchema = z.strictObject({
  grant_type: z.literal('authorization_code'),
  client_id: z.string().min(1).max(128),
  code: z.string().min(1).max(128),
  redirect_uri: z.string().min(1).max(2048),
  code_verifier: z.string().regex(VERIFIER),
});

const LogoutSchema = z.strictObject({ client_id: z.string(), logout_uri: z.string() });

/** What the gateway tells the sign-in about itself: registered URIs depend on its port. */
export interface GatewayOrigin {
  port: number;
  url: string;
}

export interface SignInOptions {
  issuer: Issuer;
  directory: Directory;
  officers: OfficerAccounts;
  /** Milliseconds since the epoch; tests move it to expire codes. */
  clock?: () => number;
}

export interface SignIn {
  serves(pathname: string): boolean;
  handle(request: IncomingMessage, response: ServerResponse, origin: GatewayOrigin): Promise<void>;
}

/** One sign-in form waiting for its answer. */
interface PendingSignIn {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  challenge: string;
  scope: string[];
  nonce: string | undefined;
  expiresAt: number;
  attempts: number;
}

/** One authorization code, until it is exchanged or expires. */
interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string[];
  nonce: string | undefined;
  officer: OfficerAccount;
  expiresAt: number;
}

/**
 * The console's registered redirect (and sign-out) URIs on a gateway: `localhost`, `127.0.0.1` and `[::1]`
 * at its port, and the gateway's own URL (its `HOST`), each exactly, as Cognito matches them.
 */
export function consoleRedirectUris(origin: GatewayOrigin): string[] {
  const hosts = ['localhost', '127.0.0.1', '[::1]'].map((host) => `http://${host}:${origin.port}`);
  return [...new Set([...hosts, origin.url])].map((base) => `${base}${CONSOLE_PATH}`);
}

/**
 * The registered console origin a request came by (its `Host`), if any. The console's `config.json`
 * should name this one origin for the API, the sign-in and the redirect: the PKCE verifier and state the
 * console keeps across the redirect are per origin, and `localhost` is not `127.0.0.1` to a browser.
 */
export function registeredConsoleOrigin(host: string | undefined, origin: GatewayOrigin): string | undefined {
  if (!host) return undefined;
  const origins = consoleRedirectUris(origin).map((uri) => new URL(uri).origin);
  return origins.find((registered) => registered === `http://${host.toLowerCase()}`);
}

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** Query or form parameters as single values; a parameter sent twice is refused (RFC 6749 §3.1). */
function singleValued(params: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = Object.create(null);
  for (const [key, value] of params) {
    if (key in values) throw new OAuthError('invalid_request', `parameter ${key} is repeated`);
    values[key] = value;
  }
  return values;
}

/** The first problem zod found, named by the parameter, in words that echo nothing the caller sent. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue?.code === 'unrecognized_keys') return 'unrecognized parameter';
  return `${String(issue?.path[0] ?? 'request')} is missing or invalid`;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    request.resume();
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new OAuthError('invalid_request', 'the body is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const pkceChallenge = (verifier: string) =>
  createHash('sha256').update(verifier, 'ascii').digest('base64url');

const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** The page's own policy: no script at all; the form posts here and may redirect only to the console. */
function pagePolicy(formTargets: readonly string[]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    `form-action 'self'${formTargets.map((target) => ` ${target}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

function sendHtml(
  response: ServerResponse,
  status: number,
  html: string,
  formTargets: readonly string[] = [],
) {
  const body = Buffer.from(html, 'utf8');
  response.writeHead(status, {
    ...PAGE_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': pagePolicy(formTargets),
    'Content-Length': body.length,
  });
  response.end(body);
}

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Length': body.length,
  });
  response.end(body);
}

function redirect(response: ServerResponse, location: string) {
  response.writeHead(302, { ...PAGE_HEADERS, Location: location, 'Content-Length': 0 });
  response.end();
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** Drops what has expired, and the oldest entries past the bound. */
function prune<T extends { expiresAt: number }>(entries: Map<string, T>, now: number): void {
  for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  while (entries.size >= MAX_PENDING) entries.delete(entries.keys().next().value as string);
}

/** Wrong passwords per officer in the lockout window; kept only for officers that exist. */
class FailureCount {
  private readonly counts = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly officers: OfficerAccounts,
    private readonly now: () => number,
  ) {}

  lockedOut(username: string): boolean {
    return this.current(username).count >= MAX_ATTEMPTS;
  }

  failed(username: string): void {
    const current = this.current(username);
    current.count += 1;
    if (this.officers.accounts.some((account) => account.username === username)) {
      this.counts.set(username, current);
    }
  }

  succeeded(username: string): void {
    this.counts.delete(username);
  }

  private current(username: string) {
    const seen = this.counts.get(username);
    return seen && this.now() - seen.since < LOCKOUT_MS ? seen : { count: 0, since: this.now() };
  }
}

class LocalSignIn implements SignIn {
  private readonly pending = new Map<string, PendingSignIn>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly failures: FailureCount;
  private readonly now: () => number;

  constructor(private readonly options: SignInOptions) {
    this.now = options.clock ?? Date.now;
    this.failures = new FailureCount(options.officers, this.now);
  }

  serves(pathname: string): boolean {
    return (Object.values(SIGN_IN_PATHS) as string[]).includes(pathname);
  }

  async handle(request: IncomingMessage, response: ServerResponse, origin: GatewayOrigin): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    if (url.pathname === SIGN_IN_PATHS.token) return this.token(request, response, origin);
    if (route === `POST ${SIGN_IN_PATHS.login}`) return this.login(request, response);
    // Nothing else reads a body: drained, so that the client reads the answer.
    request.resume();
    if (route === `GET ${SIGN_IN_PATHS.authorize}`) this.authorize(url, response, origin);
    else if (route === `GET ${SIGN_IN_PATHS.logout}`) this.logout(url, response, origin);
    else if (route === `GET ${SIGN_IN_PATHS.stylesheet}`) sendStylesheet(response);
    else sendHtml(response, 405, errorPage('This method is not allowed here.'));
  }

  private peopleClient(clientId: string | undefined): Client | undefined {
    const client = clientId === undefined ? undefined : findClient(this.options.directory, clientId);
    return client && isPeopleClient(client) ? client : undefined;
  }

  /** `GET /oauth2/authorize`: the sign-in form for a valid request, else an error page or redirect. */
  private authorize(url: URL, response: ServerResponse, origin: GatewayOrigin): void {
    let raw: Record<string, string>;
    try {
      raw = singleValued(url.searchParams);
    } catch (error) {
      sendHtml(response, 400, errorPage((error as OAuthError).description));
      return;
    }
    // An unknown client or redirect URI is never redirected to (RFC 6749 §4.1.2.1): the page says so.
    const client = this.peopleClient(raw.client_id);
    const redirectUri = raw.redirect_uri;
    if (!client) sendHtml(response, 400, errorPage('Unknown client.'));
    else if (redirectUri === undefined || !consoleRedirectUris(origin).includes(redirectUri)) {
      sendHtml(response, 400, errorPage('The redirect URI is not registered for this client.'));
    } else {
      this.showForm(raw, client, redirectUri, response);
    }
  }

  private showForm(
    raw: Record<string, string>,
    client: Client,
    redirectUri: string,
    response: ServerResponse,
  ) {
    try {
      if (raw.response_type !== 'code') {
        throw new OAuthError('unsupported_response_type', 'response_type must be code');
      }
      const parsed = AuthorizeSchema.safeParse(raw);
      if (!parsed.success) throw new OAuthError('invalid_request', describe(parsed.error));
      const at = this.now();
      prune(this.pending, at);
      const requestId = randomBytes(24).toString('base64url');
      this.pending.set(requestId, {
        clientId: client.id,
        redirectUri,
        state: parsed.data.state,
        challenge: parsed.data.code_challenge,
        scope: grantedScope(client, parsed.data.scope),
        nonce: parsed.data.nonce,
        expiresAt: at + PENDING_TTL_MS,
        attempts: 0,
      });
      sendHtml(response, 200, signInPage({ requestId }), [new URL(redirectUri).origin]);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const state = raw.state !== undefined && raw.state.length <= 2048 ? raw.state : undefined;
      const params = { error: error.error, error_description: error.description, state };
      redirect(response, withParams(redirectUri, params));
    }
  }

  /** `POST /login`: the officer's password; a code to the redirect URI, or the form again. */
  private async login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await readLoginForm(request);
    if (!form) {
      sendHtml(response, 400, errorPage('The sign-in form was not sent as expected.'));
      return;
    }
    const waiting = this.pending.get(form.request);
    if (!waiting || waiting.expiresAt <= this.now()) {
      this.pending.delete(form.request);
      sendHtml(response, 400, errorPage('This sign-in has expired: start again from the console.'));
      return;
    }
    const officer = this.options.officers.check(form.username, form.password);
    if (officer && !this.failures.lockedOut(form.username)) {
      this.pending.delete(form.request);
      this.failures.succeeded(officer.username);
      redirect(response, this.issueCode(waiting, officer));
      return;
    }
    this.failures.failed(form.username);
    waiting.attempts += 1;
    if (waiting.attempts >= MAX_ATTEMPTS) {
      this.pending.delete(form.request);
      sendHtml(response, 400, errorPage('Too many attempts: start again from the console.'));
      return;
    }
    // The same words whatever was wrong: the page tells no one which usernames exist or are locked.
    const error = 'Incorrect username or password.';
    const page = signInPage({ requestId: form.request, username: form.username, error });
    sendHtml(response, 401, page, [new URL(waiting.redirectUri).origin]);
  }

  /** A new code for the signed-in officer: where the browser goes next. */
  private issueCode(waiting: PendingSignIn, officer: OfficerAccount): string {
    const code = randomBytes(32).toString('base64url');
    const at = this.now();
    prune(this.codes, at);
    this.codes.set(code, {
      clientId: waiting.clientId,
      redirectUri: waiting.redirectUri,
      challenge: waiting.challenge,
      scope: waiting.scope,
      nonce: waiting.nonce,
      officer,
      expiresAt: at + CODE_TTL_MS,
    });
    return withParams(waiting.redirectUri, { code, state: waiting.state });
  }

  /** `POST /oauth2/token`: a code and its verifier for the officer's tokens (RFC 6749 §4.1.3). */
  private async token(request: IncomingMessage, response: ServerResponse, origin: GatewayOrigin) {
    const cors = corsHeaders(request, origin);
    try {
      if (request.method !== 'POST') {
        request.resume();
        throw new OAuthError('invalid_request', 'the token endpoint takes POST');
      }
      const raw = singleValued(await readForm(request));
      if (raw.grant_type !== 'authorization_code') {
        throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code');
      }
      if (!this.peopleClient(raw.client_id)) throw new OAuthError('invalid_client', 'unknown client');
      const parsed = TokenSchema.safeParse(raw);
      if (!parsed.success) throw new OAuthError('invalid_request', describe(parsed.error));
      sendJson(response, 200, await this.tokens(this.redeem(parsed.data)), cors);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      sendJson(response, 400, { error: error.error, error_description: error.description }, cors);
    }
  }

  /** The code's grant, once: it is gone whatever the outcome, so that a stolen code is worth one try. */
  private redeem(form: z.infer<typeof TokenSchema>): IssuedCode {
    const issued = this.codes.get(form.code);
    this.codes.delete(form.code);
    if (!issued || issued.expiresAt <= this.now()) {
      throw new OAuthError('invalid_grant', 'the code is unknown, used or expired');
    }
    if (issued.clientId !== form.client_id || issued.redirectUri !== form.redirect_uri) {
      throw new OAuthError('invalid_grant', 'the code was issued to another client or redirect URI');
    }
    if (!constantTimeEqual(pkceChallenge(form.code_verifier), issued.challenge)) {
      throw new OAuthError('invalid_grant', 'the code verifier does not match the challenge');
    }
    return issued;
  }

  private async tokens(issued: IssuedCode) {
    const { issuer } = this.options;
    const { officer } = issued;
    const person = { username: officer.username, sub: officer.sub, groups: [OFFICERS_GROUP] };
    const ttlSeconds = ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await issuer.issueForPerson(issued.clientId, person, {
      scope: issued.scope,
      ttlSeconds,
    });
    const idToken = issued.scope.includes(OPENID)
      ? await issuer.issueIdToken(issued.clientId, person, { nonce: issued.nonce, ttlSeconds })
      : undefined;
    return {
      access_token: accessToken,
      ...(idToken ? { id_token: idToken } : {}),
      token_type: 'Bearer',
      expires_in: ttlSeconds,
    };
  }

  /** `GET /logout`: back to a registered sign-out URI; no session is kept here to end. */
  private logout(url: URL, response: ServerResponse, origin: GatewayOrigin): void {
    const parsed = LogoutSchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success || !this.peopleClient(parsed.data.client_id)) {
      sendHtml(response, 400, errorPage('Unknown client.'));
    } else if (!consoleRedirectUris(origin).includes(parsed.data.logout_uri)) {
      sendHtml(response, 400, errorPage('The sign-out URI is not registered for this client.'));
    } else {
      redirect(response, parsed.data.logout_uri);
    }
  }
}

/** The scopes granted: all the client's when none are asked for; asking any other scope refuses. */
function grantedScope(client: Client, asked: string | undefined): string[] {
  const grantable = [OPENID, ...client.scopes.map(scopeClaim)];
  if (asked === undefined) return grantable;
  const wanted = [...new Set(asked.split(' ').filter(Boolean))];
  if (wanted.length === 0 || wanted.some((scope) => !grantable.includes(scope))) {
    throw new OAuthError('invalid_scope', 'a scope asked for is not granted to this client');
  }
  return wanted;
}

async function readLoginForm(request: IncomingMessage): Promise<z.infer<typeof LoginSchema> | undefined> {
  try {
    const parsed = LoginSchema.safeParse(singleValued(await readForm(request)));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof OAuthError) return undefined;
    throw error;
  }
}

/** The console may call the token endpoint from any of its registered origins, as Cognito allows. */
function corsHeaders(request: IncomingMessage, origin: GatewayOrigin): Record<string, string> {
  const allowed = consoleRedirectUris(origin).map((uri) => new URL(uri).origin);
  const from = request.headers.origin;
  return from && allowed.includes(from)
    ? { 'Access-Control-Allow-Origin': from, Vary: 'Origin' }
    : { Vary: 'Origin' };
}

function sendStylesheet(response: ServerResponse): void {
  response.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': 'text/css; charset=utf-8' });
  response.end(STYLESHEET);
}

export function localSignIn(options: SignInOptions): SignIn {
  return new LocalSignIn(options);
}

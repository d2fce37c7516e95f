import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Directory, isPeopleClient, type Scope, scopeClaim } from '../src/domain/directory';

/**
 * The local token issuer: stands in for the Cognito user pool. Tokens carry the claims a Cognito
 * client-credentials access token carries (`client_id`, `scope`, `token_use: access`, `iss`, `exp`…),
 * signed RS256 with a key kept under the data directory so tokens outlive a restart.
 */
export const LOCAL_ISSUER = 'https://cognito-idp.local.himaya/himaya-local';
const ALGORITHM = 'RS256';
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** How far the issuer's clock may run ahead of ours: `iat` and `nbf` beyond it are refused. */
export const CLOCK_SKEW_SECONDS = 60;

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A person signed in through a people client: what their access token names. */
export interface SignedInPerson {
  username: string;
  /** Stable per person, as Cognito's `sub`. */
  sub: string;
  groups: readonly string[];
}

export interface Issuer {
  /** A client-credentials token for an agency system (a machine client of the directory). */
  issue(clientId: string, options?: { scopes?: Scope[]; ttlSeconds?: number }): Promise<string>;
  /**
   * A Cognito user-pool user access token: for a person signed in through a people client, with the
   * scopes granted (already held to the client's), `username`, `cognito:groups` and `sub`.
   */
  issueForPerson(
    clientId: string,
    person: SignedInPerson,
    options: { scope: readonly string[]; ttlSeconds: number },
  ): Promise<string>;
  /** The OpenID Connect ID token Cognito adds when `openid` is granted; never accepted by the API. */
  issueIdToken(
    clientId: string,
    person: SignedInPerson,
    options: { nonce: string | undefined; ttlSeconds: number },
  ): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

export class TokenRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

async function loadOrCreateKey(file: string): Promise<StoredKey> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const key: StoredKey = {
    kid: randomUUID(),
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
  await mkdir(dirname(file), { recursive: true });
  // 'wx': if another process created it first, use theirs.
  try {
    await writeFile(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(file, 'utf8')) as StoredKey;
  }
}

/** A key as jose imports it from a JWK. */
type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** A token signed with the issuer's key: what every kind of token shares. */
interface Signer {
  sign(claims: JWTPayload, subject: string, ttlSeconds: number, audience?: string): Promise<string>;
}

function signerOf(stored: StoredKey, privateKey: SigningKey): Signer {
  return {
    sign(claims, subject, ttlSeconds, audience) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ ...claims, auth_time: now })
        .setProtectedHeader({ alg: ALGORITHM, kid: stored.kid })
        .setIssuer(LOCAL_ISSUER)
        .setSubject(subject)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds);
      return (audience ? jwt.setAudience(audience) : jwt).sign(privateKey);
    },
  };
}

/** The scopes a machine client's token carries: those asked for, each one the directory grants it. */
function machineScopes(directory: Directory, clientId: string, asked: Scope[] | undefined): Scope[] {
  const client = directory.clients.find((c) => c.id === clientId);
  if (!client) throw new TokenRequestError(`unknown client "${clientId}"`);
  // As in Cognito: a public client people sign in through has no secret, so no client-credentials grant.
  if (isPeopleClient(client)) {
    throw new TokenRequestError(`client "${clientId}" is for people, who sign in at /oauth2/authorize`);
  }
  const scopes = asked ?? client.scopes;
  const notAllowed = scopes.filter((scope) => !client.scopes.includes(scope));
  if (notAllowed.length > 0) {
    throw new TokenRequestError(`client "${clientId}" may not have scope ${notAllowed.join(', ')}`);
  }
  return scopes;
}

/**
 * As Cognito's authorizer does: RS256 only, our key, our issuer, an access token with an `exp` not
 * passed, and neither issued (`iat`) nor valid from (`nbf`) later than now plus the clock skew.
 */
async function verifyAccessToken(token: string, publicKey: SigningKey): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, publicKey, {
    algorithms: [ALGORITHM],
    issuer: LOCAL_ISSUER,
    requiredClaims: ['exp'],
    clockTolerance: CLOCK_SKEW_SECONDS,
  });
  // jose applies the tolerance to `exp` too, and checks `iat` only against a maximum age.
  const now = Date.now() / 1000;
  if ((payload.exp as number) <= now) throw new TokenRequestError('token expired');
  if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_SECONDS) {
    throw new TokenRequestError('token issued in the future');
  }
  if (payload.token_use !== 'access') throw new TokenRequestError('not an access token');
  if (typeof payload.client_id !== 'string' || typeof payload.scope !== 'string') {
    throw new TokenRequestError('token lacks client_id or scope');
  }
  return payload;
}

export async function openIssuer(keyFile: string, directory: Directory): Promise<Issuer> {
  const stored = await loadOrCreateKey(keyFile);
  const signer = signerOf(stored, await importJWK(stored.privateJwk, ALGORITHM));
  const publicKey = await importJWK(stored.publicJwk, ALGORITHM);

  return {
    issue(clientId, options = {}) {
      const scopes = machineScopes(directory, clientId, options.scopes);
      const claims = {
        client_id: clientId,
        token_use: 'access',
        scope: scopes.map(scopeClaim).join(' '),
        version: 2,
      };
      return signer.sign(claims, clientId, options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS);
    },

    issueForPerson(clientId, person, options) {
      const client = directory.clients.find((c) => c.id === clientId);
      if (!client || !isPeopleClient(client))
        throw new TokenRequestError(`"${clientId}" is no people client`);
      const claims = {
        client_id: clientId,
        token_use: 'access',
        scope: options.scope.join(' '),
        username: person.username,
        'cognito:groups': [...person.groups],
        version: 2,
      };
      return signer.sign(claims, person.sub, options.ttlSeconds);
    },

    issueIdToken(clientId, person, options) {
      const claims = {
        token_use: 'id',
        'cognito:username': person.username,
        'cognito:groups': [...person.groups],
        ...(options.nonce ? { nonce: options.nonce } : {}),
      };
      return signer.sign(claims, person.sub, options.ttlSeconds, clientId);
    },

    verify: (token) => verifyAccessToken(token, publicKey),
  };
}

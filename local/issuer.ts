import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Directory, type Scope, scopeClaim } from '../src/domain/directory';

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

export interface Issuer {
  issue(clientId: string, options?: { scopes?: Scope[]; ttlSeconds?: number }): Promise<string>;
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

export async function openIssuer(keyFile: string, directory: Directory): Promise<Issuer> {
  const stored = await loadOrCreateKey(keyFile);
  const privateKey = await importJWK(stored.privateJwk, ALGORITHM);
  const publicKey = await importJWK(stored.publicJwk, ALGORITHM);

  return {
    async issue(clientId, options = {}) {
      const client = directory.clients.find((c) => c.id === clientId);
      if (!client) throw new TokenRequestError(`unknown client "${clientId}"`);
      const scopes = options.scopes ?? client.scopes;
      const notAllowed = scopes.filter((scope) => !client.scopes.includes(scope));
      if (notAllowed.length > 0) {
        throw new TokenRequestError(`client "${clientId}" may not have scope ${notAllowed.join(', ')}`);
      }
      return new SignJWT({
        client_id: clientId,
        token_use: 'access',
        scope: scopes.map(scopeClaim).join(' '),
        version: 2,
        auth_time: Math.floor(Date.now() / 1000),
      })
        .setProtectedHeader({ alg: ALGORITHM, kid: stored.kid })
        .setIssuer(LOCAL_ISSUER)
        .setSubject(clientId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS}s`)
        .sign(privateKey);
    },

    /**
     * As Cognito's authorizer does: RS256 only, our key, our issuer, an access token with an `exp` not
     * passed, and neither issued (`iat`) nor valid from (`nbf`) later than now plus the clock skew.
     */
    async verify(token) {
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
    },
  };
}

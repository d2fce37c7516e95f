import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Directory, findClient, type Scope, scopesOfClaim } from '../domain/directory';
import { ForbiddenError, UnauthorizedError, ValidationError } from './errors';
import { PurposeSchema, UserHeaderSchema } from './schemas';

/** Who is calling: what the handlers receive, typed, once the gateway and this module have checked it. */
export interface AuthContext {
  /** The organisation the client acts for (an agency id, or an oversight body such as `compliance`). */
  agency: string;
  clientId: string;
  scopes: Scope[];
  /** `X-Himaya-User`: the officer the agency system acts for. */
  user: string;
}

function claimsOf(event: APIGatewayProxyEvent): Record<string, unknown> | undefined {
  const claims = event.requestContext.authorizer?.claims;
  return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
}

/**
 * Reads the claims the Cognito authorizer put on the event and maps the client to its agency. The gateway
 * has already checked signature, expiry and scope; the scope is checked again here so that a
 * misconfigured method fails closed.
 */
export function authContextOf(
  event: APIGatewayProxyEvent,
  requiredScope: Scope,
  directory: Directory,
): AuthContext {
  const claims = claimsOf(event);
  const clientId = claims?.client_id;
  if (typeof clientId !== 'string' || claims?.token_use !== 'access') throw new UnauthorizedError();
  const scopes = scopesOfClaim(claims.scope);
  if (!scopes.includes(requiredScope)) throw new ForbiddenError();
  const client = findClient(directory, clientId);
  if (!client) throw new ForbiddenError('This client is not registered with an agency.');
  return {
    agency: client.agency,
    clientId,
    scopes,
    user: requiredHeader(event, 'x-himaya-user', UserHeaderSchema),
  };
}

export function purposeOf(event: APIGatewayProxyEvent) {
  return requiredHeader(event, 'x-himaya-purpose', PurposeSchema);
}

function requiredHeader<T>(
  event: APIGatewayProxyEvent,
  name: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): T {
  const value = event.headers[name];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = value === undefined ? 'required' : 'invalid value';
    throw new ValidationError(`Header ${name} is missing or invalid.`, [
      { path: `headers.${name}`, message },
    ]);
  }
  return parsed.data;
}

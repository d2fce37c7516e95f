import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CaseIdSchema } from '../domain/cases/schemas';
import { type Directory, findClient, type Scope, scopesOfClaim } from '../domain/directory';
import { type Purpose, PurposeSchema } from '../domain/purpose';
import { ForbiddenError, UnauthorizedError, ValidationError } from './errors';
import type { RouteSpec } from './routes';
import { IdempotencyKeySchema, UserHeaderSchema } from './schemas';

/** A header as read: its value when it is valid, and whether it was sent at all. */
export interface HeaderValue<T> {
  value: T | null;
  sent: boolean;
}

/**
 * Who is asking, read once from the event before anything is refused, so that a refused request is
 * logged as faithfully as an allowed one. Values that fail validation are held as absent, never verbatim.
 */
export interface RequestIdentity {
  clientId: string | null;
  /** The organisation the client acts for (an agency id, or an oversight body such as `compliance`). */
  agency: string | null;
  isAccessToken: boolean;
  /** The token's scopes that the agency directory also grants the client: a token never widens them. */
  scopes: Scope[];
  /** `X-Himaya-User`: the officer the agency system acts for. */
  user: HeaderValue<string>;
  purpose: HeaderValue<Purpose>;
  idempotencyKey: HeaderValue<string>;
  /** The case the path names, if it names a valid one. */
  caseId: string | undefined;
}

/** Who is calling: what the handlers receive, typed, once the gateway and `authorize` have checked it. */
export interface AuthContext {
  agency: string;
  clientId: string;
  scopes: Scope[];
  user: string;
}

function headerValue<T>(
  event: APIGatewayProxyEvent,
  name: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): HeaderValue<T> {
  const raw = event.headers[name];
  const parsed = schema.safeParse(raw);
  return { value: parsed.success ? parsed.data : null, sent: raw !== undefined };
}

/** Reads the claims the Cognito authorizer put on the event, and the officer and purpose headers. */
export function identify(event: APIGatewayProxyEvent, directory: Directory): RequestIdentity {
  const claims = event.requestContext.authorizer?.claims;
  const claimed = typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  const clientId = typeof claimed.client_id === 'string' ? claimed.client_id : null;
  const caseId = CaseIdSchema.safeParse(event.pathParameters?.caseId);
  const client = clientId === null ? undefined : findClient(directory, clientId);
  return {
    clientId,
    agency: client?.agency || null,
    isAccessToken: claimed.token_use === 'access',
    scopes: scopesOfClaim(claimed.scope).filter((scope) => client?.scopes.includes(scope) ?? false),
    user: headerValue(event, 'x-himaya-user', UserHeaderSchema),
    purpose: headerValue(event, 'x-himaya-purpose', PurposeSchema),
    idempotencyKey: headerValue(event, 'idempotency-key', IdempotencyKeySchema),
    caseId: caseId.success ? caseId.data : undefined,
  };
}

function required<T>(header: HeaderValue<T>, name: string): T {
  if (header.value !== null) return header.value;
  throw new ValidationError(`Header ${name} is missing or invalid.`, [
    { path: `headers.${name}`, message: header.sent ? 'invalid value' : 'required' },
  ]);
}

/**
 * The caller of an authenticated route. The gateway has already checked signature, expiry and scope; the
 * scope is checked again here, as the directory grants it, so that a misconfigured method or a token
 * carrying more than its client's scopes fails closed.
 */
export function authorize(identity: RequestIdentity, requiredScope: Scope): AuthContext {
  const { clientId, agency } = identity;
  if (clientId === null || !identity.isAccessToken) throw new UnauthorizedError();
  // An unregistered client has no directory scopes at all: say why rather than which scope is missing.
  if (agency === null) throw new ForbiddenError('This client is not registered with an agency.');
  if (!identity.scopes.includes(requiredScope)) throw new ForbiddenError();
  return { agency, clientId, scopes: identity.scopes, user: required(identity.user, 'x-himaya-user') };
}

/** `X-Himaya-Purpose`, on the routes that read case content. */
export function requiredPurpose(identity: RequestIdentity, route: RouteSpec): Purpose | undefined {
  return route.purpose ? required(identity.purpose, 'x-himaya-purpose') : undefined;
}

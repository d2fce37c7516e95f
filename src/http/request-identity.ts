import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CaseIdSchema } from '../domain/cases/schemas';
import { type Directory, findClient, isPeopleClient, type Scope, scopesOfClaim } from '../domain/directory';
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
  /** Whether the client is one people sign in through (`kind: people` in the directory). */
  peopleClient: boolean;
  /** The token's scopes that the agency directory also grants the client: a token never widens them. */
  scopes: Scope[];
  /** `X-Himaya-User`: the officer the agency system acts for. */
  user: HeaderValue<string>;
  /** The token's `username` claim: the person signed in, when a person holds the token. */
  signedIn: HeaderValue<string>;
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

type Parser<T> = { safeParse(value: unknown): { success: true; data: T } | { success: false } };

function parsedValue<T>(raw: unknown, schema: Parser<T>): HeaderValue<T> {
  const parsed = schema.safeParse(raw);
  return { value: parsed.success ? parsed.data : null, sent: raw !== undefined };
}

function headerValue<T>(event: APIGatewayProxyEvent, name: string, schema: Parser<T>): HeaderValue<T> {
  return parsedValue(event.headers[name], schema);
}

/**
 * The officer the access log names: the person signed in when a person holds the token (whatever the
 * header says), else `X-Himaya-User`. Null when neither is valid.
 */
export function officerOf(identity: RequestIdentity): string | null {
  return identity.signedIn.sent ? identity.signedIn.value : identity.user.value;
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
    peopleClient: client ? isPeopleClient(client) : false,
    scopes: scopesOfClaim(claimed.scope).filter((scope) => client?.scopes.includes(scope) ?? false),
    user: headerValue(event, 'x-himaya-user', UserHeaderSchema),
    // A Cognito user pool's username, held to the same shape as an officer id the log accepts.
    signedIn: parsedValue(claimed.username, UserHeaderSchema),
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
  // A person's token comes only through a client people sign in with, and such a client's tokens always
  // name a person: anything else is a token this API was never meant to accept.
  if (identity.peopleClient !== identity.signedIn.sent) throw new UnauthorizedError();
  if (!identity.scopes.includes(requiredScope)) throw new ForbiddenError();
  const user = identity.peopleClient ? signedInOfficer(identity) : required(identity.user, 'x-himaya-user');
  return { agency, clientId, scopes: identity.scopes, user };
}

/**
 * The signed-in person, from the token alone. `X-Himaya-User` is not needed; sent with another name, the
 * request is refused rather than one of the two silently chosen.
 */
function signedInOfficer(identity: RequestIdentity): string {
  const officer = identity.signedIn.value;
  // A username the log could not record faithfully is not accepted.
  if (officer === null) throw new UnauthorizedError();
  if (identity.user.sent && identity.user.value !== officer) {
    throw new ValidationError('X-Himaya-User names someone other than the signed-in officer: leave it out.', [
      { path: 'headers.x-himaya-user', message: 'differs from the signed-in officer' },
    ]);
  }
  return officer;
}

/** `X-Himaya-Purpose`, on the routes that read case content. */
export function requiredPurpose(identity: RequestIdentity, route: RouteSpec): Purpose | undefined {
  return route.purpose ? required(identity.purpose, 'x-himaya-purpose') : undefined;
}

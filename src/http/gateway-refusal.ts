import { createHash } from 'node:crypto';
import type { AuditEvent } from '../domain/audit/event';
import { CaseIdSchema } from '../domain/cases/schemas';
import { type Client, type Directory, findClient, isPeopleClient } from '../domain/directory';
import { normalisePath } from './resource-path';
import { type RouteSpec, routes } from './routes';
import { UserHeaderSchema } from './schemas';

/** A request the gateway answered itself, before any function ran (401, 403, 404, 405, 413, 429…). */
export interface GatewayRefusal {
  method: string;
  /** The path as requested (percent-encoded as sent, without the stage). */
  path: string;
  /** The route template the gateway matched (`/v1/cases/{caseId}`), if any. */
  resourcePath?: string | undefined;
  status: number;
  requestId: string;
  sourceIp: string;
  /** Set only when the gateway verified the token (a 403 for a missing scope): otherwise anonymous. */
  clientId?: string | undefined;
  /** The `username` of a verified token: the person signed in, when a person holds it. */
  username?: string | undefined;
  time: Date;
}

const MAX_RESOURCE_LENGTH = 256;
const CASE_PATH = /^\/v1\/cases\/([^/]+)/;

/**
 * Sortable by time like every event id, then fixed by the request: the same refusal delivered twice (a
 * retried batch of the access log) is the same event, written once.
 */
function refusalEventId(refusal: GatewayRefusal): string {
  const fromRequest = createHash('sha256').update(`refusal\n${refusal.requestId}`).digest('hex');
  return `${refusal.time.getTime().toString(36).padStart(10, '0')}${fromRequest.slice(0, 20)}`;
}

function routeOf(method: string, resourcePath: string | undefined): RouteSpec | undefined {
  return (routes as readonly RouteSpec[]).find((r) => r.method === method && r.path === resourcePath);
}

/** The signed-in person a refusal names: only from a verified token of a client people sign in with. */
function signedInUser(refusal: GatewayRefusal, client: Client | undefined): string | null {
  if (!client || !isPeopleClient(client)) return null;
  const parsed = UserHeaderSchema.safeParse(refusal.username);
  return parsed.success ? parsed.data : null;
}

/**
 * The access-log event of a refusal: the action of the route it was meant for (or `request.refused`
 * when none), the normalised path, and the client, agency and signed-in person only if the token was
 * verified.
 */
export function refusalEvent(refusal: GatewayRefusal, directory: Directory): AuditEvent {
  const resource = normalisePath(refusal.path).slice(0, MAX_RESOURCE_LENGTH);
  const client = refusal.clientId ? findClient(directory, refusal.clientId) : undefined;
  const caseId = CaseIdSchema.safeParse(CASE_PATH.exec(resource)?.[1]);
  return {
    eventId: refusalEventId(refusal),
    time: refusal.time.toISOString(),
    agency: client?.agency ?? null,
    clientId: refusal.clientId ?? null,
    user: signedInUser(refusal, client),
    action: routeOf(refusal.method, refusal.resourcePath)?.action ?? 'request.refused',
    resource,
    ...(caseId.success ? { caseId: caseId.data } : {}),
    outcome: refusal.status,
    requestId: refusal.requestId,
    sourceIp: refusal.sourceIp,
  };
}

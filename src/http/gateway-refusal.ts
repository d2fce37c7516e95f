import { createHash } from 'node:crypto';
import type { AuditEvent } from '../domain/audit/event';
import { CaseIdSchema } from '../domain/cases/schemas';
import { type Directory, findClient } from '../domain/directory';
import { normalisePath } from './resource-path';
import { type RouteSpec, routes } from './routes';

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

/**
 * The access-log event of a refusal: the action of the route it was meant for (or `request.refused`
 * when none), the normalised path, and the client and agency only if the token was verified.
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
    user: null,
    action: routeOf(refusal.method, refusal.resourcePath)?.action ?? 'request.refused',
    resource,
    ...(caseId.success ? { caseId: caseId.data } : {}),
    outcome: refusal.status,
    requestId: refusal.requestId,
    sourceIp: refusal.sourceIp,
  };
}

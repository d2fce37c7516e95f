import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type AuditEvent, newEventId } from '../domain/audit/event';
import type { AuditTrail } from '../domain/audit/trail';
import { CaseIdSchema } from '../domain/cases/schemas';
import { type Directory, findClient } from '../domain/directory';
import type { RouteSpec } from './routes';
import { PurposeSchema, UserHeaderSchema } from './schemas';

export interface RequestTrail extends AuditTrail {
  wasRecorded(): boolean;
}

const MAX_RESOURCE_LENGTH = 256;

/**
 * Who asked for what, read from the event before any validation, so that a refused request is logged
 * as faithfully as an allowed one. Values that fail validation are recorded as absent, never verbatim.
 */
export function requestTrail(
  route: RouteSpec,
  event: APIGatewayProxyEvent,
  directory: Directory,
  clock: () => Date,
): RequestTrail {
  const claims = (event.requestContext.authorizer?.claims ?? {}) as Record<string, unknown>;
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : null;
  const client = clientId ? findClient(directory, clientId) : undefined;
  const user = UserHeaderSchema.safeParse(event.headers['x-himaya-user']);
  const purpose = PurposeSchema.safeParse(event.headers['x-himaya-purpose']);
  const caseId = CaseIdSchema.safeParse(event.pathParameters?.caseId);
  let recorded = false;
  let concerned: { caseId?: string; resource?: string } = {};

  return {
    eventFor(outcome, explicit = {}) {
      const details = { ...concerned, ...explicit };
      const now = clock();
      const event_: AuditEvent = {
        eventId: newEventId(now),
        time: now.toISOString(),
        agency: client?.agency ?? null,
        clientId,
        user: user.success ? user.data : null,
        action: route.action ?? route.operationId,
        // A create names what it created: `/v1/cases` + `/<new id>`.
        resource: (
          details.resource ??
          (details.caseId && !event.path.includes(details.caseId)
            ? `${event.path}/${details.caseId}`
            : event.path)
        ).slice(0, MAX_RESOURCE_LENGTH),
        outcome,
        requestId: event.requestContext.requestId,
        sourceIp: event.requestContext.identity?.sourceIp ?? 'unknown',
      };
      const recordedCaseId = details.caseId ?? (caseId.success ? caseId.data : undefined);
      if (recordedCaseId) event_.caseId = recordedCaseId;
      if (purpose.success) event_.purpose = purpose.data;
      return event_;
    },
    recorded() {
      recorded = true;
    },
    concerns(details) {
      concerned = { ...concerned, ...details };
    },
    wasRecorded: () => recorded,
  };
}

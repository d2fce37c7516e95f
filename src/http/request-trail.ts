import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type AuditEvent, newEventId } from '../domain/audit/event';
import type { AuditEventRecorder, AuditTrail, TrailDetails } from '../domain/audit/trail';
import { DependencyUnavailableError, DomainError, WriteOutcomeUnknownError } from '../domain/errors';
import { officerOf, type RequestIdentity } from './request-identity';
import { normalisePath } from './resource-path';
import type { RouteSpec } from './routes';

export interface RequestTrail extends AuditTrail {
  /**
   * The event of the answer itself, when none was committed with the data, or when the answer differs
   * from the committed one (the write landed, the caller was told it failed); undefined otherwise.
   */
  answerEvent(status: number): AuditEvent | undefined;
}

const MAX_RESOURCE_LENGTH = 256;

/** The access-log event of one request, from who asked (`identity`) and what the domain says it concerned. */
export function requestTrail(
  route: RouteSpec,
  event: APIGatewayProxyEvent,
  identity: RequestIdentity,
  clock: () => Date,
  recorder?: AuditEventRecorder,
): RequestTrail {
  let recorded: AuditEvent | undefined;
  let replayed = false;
  let concerned: TrailDetails = {};

  // One resource however its path was spelled (`/v1/cases/%31…` is `/v1/cases/1…`).
  const path = normalisePath(event.path);
  const eventOf = (outcome: number, explicit: TrailDetails = {}): AuditEvent => {
    const details = { ...concerned, ...explicit };
    const now = clock();
    const entry: AuditEvent = {
      eventId: newEventId(now),
      time: now.toISOString(),
      agency: identity.agency,
      clientId: identity.clientId,
      user: officerOf(identity),
      action: route.action ?? route.operationId,
      // A create names what it created: `/v1/cases` + `/<new id>`.
      resource: (
        details.resource ??
        (details.caseId && !path.includes(details.caseId) ? `${path}/${details.caseId}` : path)
      ).slice(0, MAX_RESOURCE_LENGTH),
      outcome,
      requestId: event.requestContext.requestId,
      sourceIp: event.requestContext.identity?.sourceIp ?? 'unknown',
    };
    const caseId = details.caseId ?? identity.caseId;
    if (caseId) entry.caseId = caseId;
    if (identity.purpose.value) entry.purpose = identity.purpose.value;
    if (details.grantIds && details.grantIds.length > 0) entry.grantIds = [...details.grantIds];
    return entry;
  };

  return {
    eventFor: (outcome, details) => ({ ...eventOf(outcome, details), disposition: 'committed' }),
    recorded(event) {
      recorded = event;
    },
    concerns(details) {
      concerned = { ...concerned, ...details };
    },
    replayed() {
      replayed = true;
    },
    async recordAhead(outcome) {
      const entry: AuditEvent = { ...eventOf(outcome), disposition: 'ahead' };
      try {
        if (!recorder) throw new DependencyUnavailableError();
        await recorder.record(entry);
      } catch (error) {
        // A read's event that may have landed is not the read's answer: the caller gets 503, recorded too.
        if (error instanceof WriteOutcomeUnknownError || !(error instanceof DomainError))
          throw new DependencyUnavailableError(error);
        throw error;
      }
      recorded = entry;
    },
    answerEvent(status) {
      if (recorded?.outcome === status) return undefined;
      const answer = eventOf(status);
      return replayed ? { ...answer, disposition: 'replayed' } : answer;
    },
  };
}

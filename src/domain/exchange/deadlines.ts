import { randomUUID } from 'node:crypto';
import { type AuditEvent, newEventId } from '../audit/event';
import { URGENCIES } from '../cases/schemas';
import type { ReviewRecord } from '../reviews/ports';
import { type DomainEvent, domainEvent } from './events';
import { publishCommitted } from './exchange-service';
import { dueAt, type ExchangePolicy, overdueIfCreatedBy } from './policy';
import type { DueItem, EventPublisher, ExchangeStore } from './ports';

export interface DeadlineDeps {
  store: ExchangeStore;
  publisher: EventPublisher;
  policy: ExchangePolicy;
  /** The real clock: what events and reviews are stamped with. */
  clock: () => Date;
  onPublishFailure?: (error: unknown, events: readonly DomainEvent[]) => void;
}

export interface SweepResult {
  escalated: Pick<DueItem, 'kind' | 'id' | 'caseId' | 'agency'>[];
  /** Events of earlier requests found unpublished in the outbox and published now. */
  republished: number;
}

/** Items escalated per urgency and kind in one sweep; the next sweep (a minute later) takes the rest. */
const BATCH = 500;
/** An outbox event younger than this may still be published by the request that wrote it. */
const OUTBOX_GRACE_MS = 60_000;

/** The scheduler's own access-log event: no agency, client or officer acted; the clock did. */
function escalationEvent(item: DueItem, at: Date, runId: string): AuditEvent {
  return {
    eventId: newEventId(at),
    time: at.toISOString(),
    agency: null,
    clientId: 'himaya-deadlines',
    user: null,
    action: item.kind === 'request' ? 'request.overdue' : 'report.overdue',
    resource: item.kind === 'request' ? `/v1/requests/${item.id}` : `/v1/cases/${item.caseId}`,
    caseId: item.caseId,
    outcome: 200,
    requestId: runId,
    sourceIp: 'internal',
  };
}

/**
 * The deadline sweep, run every minute by a schedule (EventBridge in AWS, a timer in `npm start`):
 * every access request not decided, and every new report its owner has not acted on, by its deadline
 * (`policy.responseMinutes` by urgency) is escalated: marked, recorded in the access log, put on the
 * compliance review list and announced to the agency that must act — one transaction each. Then it
 * publishes whatever earlier requests committed but could not publish.
 *
 * `now` is the time deadlines are judged at (a test passes its own); records are stamped by `deps.clock`.
 */
export async function sweepDeadlines(
  deps: DeadlineDeps,
  now: Date = deps.clock(),
  runId: string = randomUUID(),
): Promise<SweepResult> {
  const escalated: SweepResult['escalated'] = [];
  const notices: DomainEvent[] = [];
  for (const kind of ['request', 'report'] as const) {
    for (const urgency of URGENCIES) {
      const due = await deps.store.listDue(
        kind,
        urgency,
        overdueIfCreatedBy(now, urgency, deps.policy),
        BATCH,
      );
      for (const item of due) {
        const at = deps.clock();
        const event = escalationEvent(item, at, runId);
        const deadline = dueAt(item.createdAt, item.urgency, deps.policy);
        const review: ReviewRecord = {
          reviewId: randomUUID(),
          kind: kind === 'request' ? 'overdue-request' : 'overdue-report',
          status: 'open',
          createdAt: at.toISOString(),
          caseId: item.caseId,
          agency: item.agency,
          ...(kind === 'request' ? { requestId: item.id } : {}),
          urgency: item.urgency,
          dueAt: deadline,
          auditEventId: event.eventId,
        };
        const notice = domainEvent(kind === 'request' ? 'request.overdue' : 'report.overdue', at, {
          caseId: item.caseId,
          recipients: [item.agency],
          ...(kind === 'request' ? { requestId: item.id } : {}),
          urgency: item.urgency,
          dueAt: deadline,
        });
        if (await deps.store.escalate(item, at.toISOString(), event, review, [notice])) {
          escalated.push({ kind, id: item.id, caseId: item.caseId, agency: item.agency });
          notices.push(notice);
        }
      }
    }
  }
  await publishCommitted(deps, notices);

  const writtenBy = new Date(deps.clock().getTime() - OUTBOX_GRACE_MS).toISOString();
  const left = (await deps.store.listUnpublished(writtenBy, BATCH)).filter(
    (event) => !notices.some((notice) => notice.eventId === event.eventId),
  );
  const republished = left.length > 0 && (await publishCommitted(deps, left)) ? left.length : 0;
  return { escalated, republished };
}

import { randomUUID } from 'node:crypto';
import { type AuditEvent, newEventId } from '../audit/event';
import { URGENCIES } from '../cases/schemas';
import type { ReviewRecord } from '../reviews/ports';
import { domainEvent } from './events';
import { publishOutbox } from './outbox';
import { dueAt, type ExchangePolicy, overdueIfCreatedBy } from './policy';
import type { DueItem, EventPublisher, ExchangeStore, OutboxEntry } from './ports';

export interface DeadlineDeps {
  store: ExchangeStore;
  publisher: EventPublisher;
  policy: ExchangePolicy;
  /** The real clock: what events and reviews are stamped with. */
  clock: () => Date;
  /** Told when the outbox entries left behind cannot be published either; the next sweep tries again. */
  onPublishFailure?: (error: unknown, entries: readonly OutboxEntry[]) => void;
}

export interface SweepResult {
  escalated: Pick<DueItem, 'kind' | 'id' | 'caseId' | 'agency'>[];
  /** Outbox entries the outbox processor left unsettled (a failed batch), settled now. */
  republished: number;
}

/** Items escalated per urgency and kind in one sweep; the next sweep (a minute later) takes the rest. */
const BATCH = 500;
/** An outbox entry younger than this may still be on its way to the outbox processor. */
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
 * compliance review list and announced to the agency that must act (through the outbox) — one
 * transaction each. Then it publishes what the outbox processor left behind (a batch that failed).
 *
 * `now` is the time deadlines are judged at (a test passes its own); records are stamped by `deps.clock`.
 */
export async function sweepDeadlines(
  deps: DeadlineDeps,
  now: Date = deps.clock(),
  runId: string = randomUUID(),
): Promise<SweepResult> {
  const escalated: SweepResult['escalated'] = [];
  for (const kind of ['request', 'report'] as const) {
    for (const urgency of URGENCIES) {
      const createdBy = overdueIfCreatedBy(now, urgency, deps.policy);
      for (const item of await deps.store.listDue(kind, urgency, createdBy, BATCH)) {
        if (await escalateItem(deps, item, runId)) {
          escalated.push({ kind, id: item.id, caseId: item.caseId, agency: item.agency });
        }
      }
    }
  }
  const writtenBy = new Date(deps.clock().getTime() - OUTBOX_GRACE_MS).toISOString();
  const left = await deps.store.listUnpublished(writtenBy, BATCH);
  const republished = (await settleLeftBehind(deps, left)) ? left.length : 0;
  return { escalated, republished };
}

/**
 * Escalates one item; whether it was. An overdue request whose requester already has an open escalation
 * about the case joins it: it is marked and logged, and nobody is asked to review it again.
 */
async function escalateItem(deps: DeadlineDeps, item: DueItem, runId: string): Promise<boolean> {
  const at = deps.clock();
  const event = escalationEvent(item, at, runId);
  const latest = item.requester ? await deps.store.escalationOf(item.caseId, item.requester) : undefined;
  if (latest?.open) return deps.store.escalate(item, at.toISOString(), event, { joins: latest.reviewId });
  const deadline = dueAt(item.createdAt, item.urgency, deps.policy);
  const review: ReviewRecord = {
    reviewId: randomUUID(),
    kind: item.kind === 'request' ? 'overdue-request' : 'overdue-report',
    status: 'open',
    createdAt: at.toISOString(),
    caseId: item.caseId,
    agency: item.agency,
    ...(item.kind === 'request' ? { requestId: item.id } : {}),
    urgency: item.urgency,
    dueAt: deadline,
    auditEventId: event.eventId,
  };
  const notice = domainEvent(item.kind === 'request' ? 'request.overdue' : 'report.overdue', at, {
    caseId: item.caseId,
    recipients: [item.agency],
    ...(item.kind === 'request' ? { requestId: item.id } : {}),
    urgency: item.urgency,
    dueAt: deadline,
  });
  const escalation = { review, notices: [notice], replaces: latest?.reviewId };
  return deps.store.escalate(item, at.toISOString(), event, escalation);
}

async function settleLeftBehind(deps: DeadlineDeps, left: readonly OutboxEntry[]): Promise<boolean> {
  try {
    await publishOutbox(deps, left);
    return true;
  } catch (error) {
    deps.onPublishFailure?.(error, left);
    return false;
  }
}

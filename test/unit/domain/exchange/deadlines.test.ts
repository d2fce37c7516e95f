import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import type { Urgency } from '../../../../src/domain/cases/schemas';
import { type DeadlineDeps, sweepDeadlines } from '../../../../src/domain/exchange/deadlines';
import { type DomainEvent, DomainEventSchema, domainEvent } from '../../../../src/domain/exchange/events';
import { DEFAULT_POLICY } from '../../../../src/domain/exchange/policy';
import type { DueItem, EventPublisher, ExchangeStore } from '../../../../src/domain/exchange/ports';
import type { ReviewRecord } from '../../../../src/domain/reviews/ports';
import { ReviewViewSchema } from '../../../../src/domain/reviews/schemas';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const minutesBefore = (minutes: number, at = NOW) => new Date(at.getTime() - minutes * 60_000).toISOString();
const CASE_A = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const CASE_B = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const REQUEST_1 = '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11';
const REQUEST_2 = '6a0f6f0e-54c2-4c8e-8a51-d8d3c4f0b2aa';

function request(id: string, urgency: Urgency, minutesAgo: number): DueItem {
  return {
    kind: 'request',
    id,
    caseId: CASE_A,
    agency: 'cfpc',
    urgency,
    createdAt: minutesBefore(minutesAgo),
  };
}

function report(caseId: string, urgency: Urgency, minutesAgo: number): DueItem {
  return {
    kind: 'report',
    id: caseId,
    caseId,
    agency: 'cfpc',
    urgency,
    createdAt: minutesBefore(minutesAgo),
  };
}

interface Escalation {
  item: DueItem;
  at: string;
  event: AuditEvent;
  review: ReviewRecord;
  notices: DomainEvent[];
}

/**
 * The deadline side of the ExchangeStore in memory: items still awaiting action, escalated once each,
 * and an outbox of domain events with their publication time.
 */
class MemoryDeadlineStore implements ExchangeStore {
  readonly pending: DueItem[] = [];
  readonly escalations: Escalation[] = [];
  readonly outbox = new Map<string, { event: DomainEvent; publishedAt?: string }>();
  /** Items acted on by their agency between the listing and the escalation. */
  readonly actedOn = new Set<string>();

  async listDue(kind: DueItem['kind'], urgency: Urgency, createdBy: string, limit: number) {
    return this.pending
      .filter((item) => item.kind === kind && item.urgency === urgency && item.createdAt <= createdBy)
      .filter((item) => !this.escalations.some((e) => e.item.id === item.id))
      .slice(0, limit);
  }

  async escalate(item: DueItem, at: string, event: AuditEvent, review: ReviewRecord, notices: DomainEvent[]) {
    if (this.actedOn.has(item.id) || this.escalations.some((e) => e.item.id === item.id)) return false;
    this.escalations.push({ item, at, event, review, notices });
    for (const notice of notices) this.outbox.set(notice.eventId, { event: notice });
    return true;
  }

  async listUnpublished(writtenBy: string, limit: number) {
    return [...this.outbox.values()]
      .filter(({ event, publishedAt }) => publishedAt === undefined && event.time <= writtenBy)
      .map(({ event }) => event)
      .slice(0, limit);
  }

  async markPublished(eventIds: readonly string[], at: string) {
    for (const id of eventIds) {
      const entry = this.outbox.get(id);
      if (entry) entry.publishedAt = at;
    }
  }

  commit = () => Promise.reject(new Error('not used by the sweep'));
  agencyAccess = () => Promise.reject(new Error('not used by the sweep'));
  getRequest = () => Promise.reject(new Error('not used by the sweep'));
  listBox = () => Promise.reject(new Error('not used by the sweep'));
}

function setup(...items: DueItem[]) {
  const store = new MemoryDeadlineStore();
  store.pending.push(...items);
  const published: DomainEvent[][] = [];
  const publisher: EventPublisher = {
    publish: async (events) => {
      published.push([...events]);
    },
  };
  let now = NOW;
  const deps: DeadlineDeps = {
    store,
    publisher,
    policy: DEFAULT_POLICY,
    clock: () => now,
    onPublishFailure: vi.fn(),
  };
  return {
    store,
    deps,
    published,
    publisher,
    setNow: (at: Date) => {
      now = at;
    },
  };
}

const ids = (result: Awaited<ReturnType<typeof sweepDeadlines>>) => result.escalated.map((e) => e.id).sort();

describe('sweepDeadlines', () => {
  it('escalates nothing and publishes nothing when nothing is due', async () => {
    const { deps, published } = setup(request(REQUEST_1, 'critical', 59), report(CASE_B, 'high', 23 * 60));

    const result = await sweepDeadlines(deps);

    expect(result).toEqual({ escalated: [], republished: 0 });
    expect(published).toEqual([]);
  });

  it('escalates what its urgency’s deadline has passed: 1 h critical, 24 h high, 72 h medium, 7 days low', async () => {
    const { deps } = setup(
      request(REQUEST_1, 'critical', 60),
      request(REQUEST_2, 'high', 23 * 60 + 59),
      report(CASE_A, 'medium', 72 * 60 + 1),
      report(CASE_B, 'low', 6 * 24 * 60),
    );

    const result = await sweepDeadlines(deps);

    expect(ids(result)).toEqual([CASE_A, REQUEST_1].sort());
  });

  it('judges deadlines at the time given, and stamps what it writes with the clock', async () => {
    const { deps, store, setNow } = setup(request(REQUEST_1, 'critical', 30));
    const stamped = new Date('2026-12-01T10:00:07.000Z');
    setNow(stamped);

    const result = await sweepDeadlines(deps, new Date(NOW.getTime() + 30 * 60_000), 'run-1');

    expect(ids(result)).toEqual([REQUEST_1]);
    expect(store.escalations[0]?.at).toBe(stamped.toISOString());
    expect(store.escalations[0]?.review.createdAt).toBe(stamped.toISOString());
  });

  it('escalates an overdue request with its access-log event, an open review and a notice to the agency that must act', async () => {
    const item = request(REQUEST_1, 'critical', 90);
    const { deps, store } = setup(item);

    const result = await sweepDeadlines(deps, NOW, 'run-1');

    expect(result.escalated).toEqual([{ kind: 'request', id: REQUEST_1, caseId: CASE_A, agency: 'cfpc' }]);
    const [escalation] = store.escalations;
    expect(escalation?.event).toMatchObject({
      agency: null,
      user: null,
      clientId: 'himaya-deadlines',
      action: 'request.overdue',
      resource: `/v1/requests/${REQUEST_1}`,
      caseId: CASE_A,
      requestId: 'run-1',
      time: NOW.toISOString(),
    });
    expect(ReviewViewSchema.parse(escalation?.review)).toMatchObject({
      kind: 'overdue-request',
      status: 'open',
      caseId: CASE_A,
      agency: 'cfpc',
      requestId: REQUEST_1,
      urgency: 'critical',
      dueAt: minutesBefore(30),
      auditEventId: escalation?.event.eventId,
    });
    expect(escalation?.notices.map((notice) => DomainEventSchema.parse(notice))).toMatchObject([
      {
        type: 'request.overdue',
        caseId: CASE_A,
        recipients: ['cfpc'],
        requestId: REQUEST_1,
        dueAt: minutesBefore(30),
      },
    ]);
  });

  it('escalates a report its owner has not acted on as an overdue report about the case', async () => {
    const { deps, store } = setup(report(CASE_B, 'high', 25 * 60));

    await sweepDeadlines(deps);

    const [escalation] = store.escalations;
    expect(escalation?.event).toMatchObject({ action: 'report.overdue', resource: `/v1/cases/${CASE_B}` });
    expect(escalation?.review).toMatchObject({
      kind: 'overdue-report',
      caseId: CASE_B,
      dueAt: minutesBefore(60),
    });
    expect(escalation?.review.requestId).toBeUndefined();
    expect(escalation?.notices[0]).toMatchObject({ type: 'report.overdue', recipients: ['cfpc'] });
    expect(escalation?.notices[0]?.requestId).toBeUndefined();
  });

  it('escalates each item once, however often it sweeps', async () => {
    const { deps, store, published, setNow } = setup(request(REQUEST_1, 'critical', 90));

    const first = await sweepDeadlines(deps);
    setNow(new Date(NOW.getTime() + 60_000));
    const second = await sweepDeadlines(deps);
    setNow(new Date(NOW.getTime() + 10 * 60_000));
    const third = await sweepDeadlines(deps);

    expect(ids(first)).toEqual([REQUEST_1]);
    expect(second).toEqual({ escalated: [], republished: 0 });
    expect(third).toEqual({ escalated: [], republished: 0 });
    expect(store.escalations).toHaveLength(1);
    expect(published.flat()).toHaveLength(1);
  });

  it('leaves out an item acted on between listing and escalation, and announces nothing for it', async () => {
    const { deps, store, published } = setup(
      request(REQUEST_1, 'critical', 90),
      request(REQUEST_2, 'critical', 90),
    );
    store.actedOn.add(REQUEST_2);

    const result = await sweepDeadlines(deps);

    expect(ids(result)).toEqual([REQUEST_1]);
    expect(published.flat().map((event) => event.requestId)).toEqual([REQUEST_1]);
  });

  it('publishes the notices of its escalations and marks them published, without counting them as republished', async () => {
    const { deps, store, published } = setup(
      request(REQUEST_1, 'critical', 90),
      report(CASE_B, 'low', 8 * 24 * 60),
    );

    const result = await sweepDeadlines(deps);

    expect(published).toHaveLength(1);
    expect(published[0]?.map((event) => event.type).sort()).toEqual(['report.overdue', 'request.overdue']);
    expect([...store.outbox.values()].every((entry) => entry.publishedAt === NOW.toISOString())).toBe(true);
    expect(result.republished).toBe(0);
  });

  it('keeps its escalations when publishing fails, and a later sweep publishes their notices from the outbox', async () => {
    const { deps, store, published, publisher, setNow } = setup(request(REQUEST_1, 'critical', 90));
    const publish = vi.spyOn(publisher, 'publish').mockRejectedValueOnce(new Error('bus down'));

    const first = await sweepDeadlines(deps);
    setNow(new Date(NOW.getTime() + 2 * 60_000));
    const later = await sweepDeadlines(deps);

    expect(ids(first)).toEqual([REQUEST_1]);
    expect(first.republished).toBe(0);
    expect(deps.onPublishFailure).toHaveBeenCalledOnce();
    expect(later).toEqual({ escalated: [], republished: 1 });
    expect(publish).toHaveBeenCalledTimes(2);
    expect(published.flat().map((event) => event.eventId)).toEqual(
      store.escalations[0]?.notices.map((n) => n.eventId),
    );
    expect([...store.outbox.values()][0]?.publishedAt).toBe(
      new Date(NOW.getTime() + 2 * 60_000).toISOString(),
    );
  });

  it('republishes earlier requests’ unpublished events once they are a minute old, leaving younger ones to their request', async () => {
    const { deps, store, published } = setup();
    const old = domainEvent('share.created', new Date(NOW.getTime() - 61_000), {
      caseId: CASE_A,
      recipients: ['police'],
    });
    const young = domainEvent('share.created', new Date(NOW.getTime() - 30_000), {
      caseId: CASE_A,
      recipients: ['police'],
    });
    store.outbox.set(old.eventId, { event: old });
    store.outbox.set(young.eventId, { event: young });

    const result = await sweepDeadlines(deps);

    expect(result.republished).toBe(1);
    expect(published).toEqual([[old]]);
    expect(store.outbox.get(old.eventId)?.publishedAt).toBe(NOW.toISOString());
    expect(store.outbox.get(young.eventId)?.publishedAt).toBeUndefined();
  });

  it('counts nothing republished when publishing the outbox fails, and leaves it unpublished', async () => {
    const { deps, store, publisher } = setup();
    const old = domainEvent('request.created', new Date(NOW.getTime() - 5 * 60_000), {
      caseId: CASE_A,
      recipients: ['cfpc'],
    });
    store.outbox.set(old.eventId, { event: old });
    vi.spyOn(publisher, 'publish').mockRejectedValueOnce(new Error('bus down'));

    const result = await sweepDeadlines(deps);

    expect(result.republished).toBe(0);
    expect(store.outbox.get(old.eventId)?.publishedAt).toBeUndefined();
    expect(deps.onPublishFailure).toHaveBeenCalledWith(expect.any(Error), [old]);
  });
});

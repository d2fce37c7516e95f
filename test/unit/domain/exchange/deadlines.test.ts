import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import type { Urgency } from '../../../../src/domain/cases/schemas';
import { type DeadlineDeps, sweepDeadlines } from '../../../../src/domain/exchange/deadlines';
import { type DomainEvent, DomainEventSchema, domainEvent } from '../../../../src/domain/exchange/events';
import { DEFAULT_POLICY } from '../../../../src/domain/exchange/policy';
import type {
  DueItem,
  EventPublisher,
  ExchangeStore,
  Escalation as StoredEscalation,
} from '../../../../src/domain/exchange/ports';
import type { ReviewRecord } from '../../../../src/domain/reviews/ports';
import { ReviewViewSchema } from '../../../../src/domain/reviews/schemas';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const minutesBefore = (minutes: number, at = NOW) => new Date(at.getTime() - minutes * 60_000).toISOString();
const CASE_A = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const CASE_B = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const REQUEST_1 = '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11';
const REQUEST_2 = '6a0f6f0e-54c2-4c8e-8a51-d8d3c4f0b2aa';

function request(id: string, urgency: Urgency, minutesAgo: number, requester = 'police'): DueItem {
  return {
    kind: 'request',
    id,
    caseId: CASE_A,
    agency: 'cfpc',
    requester,
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
  /** Absent when it joined an open escalation (`joins`). */
  review?: ReviewRecord;
  notices: DomainEvent[];
  joins?: string;
}

/**
 * The deadline side of the ExchangeStore in memory: items still awaiting action, escalated once each,
 * and an outbox of domain events with their publication time.
 */
class MemoryDeadlineStore implements ExchangeStore {
  readonly pending: DueItem[] = [];
  readonly escalations: Escalation[] = [];
  readonly outbox = new Map<string, { event: DomainEvent; withheld?: boolean; publishedAt?: string }>();
  /** Items acted on by their agency between the listing and the escalation. */
  readonly actedOn = new Set<string>();
  /** Reviews compliance has closed. */
  readonly closedReviews = new Set<string>();

  async listDue(kind: DueItem['kind'], urgency: Urgency, createdBy: string, limit: number) {
    return this.pending
      .filter((item) => item.kind === kind && item.urgency === urgency && item.createdAt <= createdBy)
      .filter((item) => !this.escalations.some((e) => e.item.id === item.id))
      .slice(0, limit);
  }

  async escalate(item: DueItem, at: string, event: AuditEvent, escalation: StoredEscalation) {
    if (this.actedOn.has(item.id) || this.escalations.some((e) => e.item.id === item.id)) return false;
    if ('joins' in escalation) {
      if (this.closedReviews.has(escalation.joins)) return false;
      this.escalations.push({ item, at, event, notices: [], joins: escalation.joins });
      return true;
    }
    const { review, notices } = escalation;
    this.escalations.push({ item, at, event, review, notices });
    for (const notice of notices) this.outbox.set(notice.eventId, { event: notice });
    return true;
  }

  async escalationOf(caseId: string, requester: string) {
    const latest = this.escalations.findLast(
      (e) => e.review && e.item.caseId === caseId && e.item.requester === requester,
    )?.review;
    return latest && { reviewId: latest.reviewId, open: !this.closedReviews.has(latest.reviewId) };
  }

  async listUnpublished(writtenBy: string, limit: number) {
    return [...this.outbox.values()]
      .filter(({ event, publishedAt }) => publishedAt === undefined && event.time <= writtenBy)
      .map(({ event, withheld }) => ({ event, withheld: withheld === true }))
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
  findOpenRequest = () => Promise.reject(new Error('not used by the sweep'));
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
    expect(store.escalations[0]?.review?.createdAt).toBe(stamped.toISOString());
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
    expect(escalation?.review?.requestId).toBeUndefined();
    expect(escalation?.notices[0]).toMatchObject({ type: 'report.overdue', recipients: ['cfpc'] });
    expect(escalation?.notices[0]?.requestId).toBeUndefined();
  });

  it('escalates each item once, however often it sweeps', async () => {
    const { deps, store, setNow } = setup(request(REQUEST_1, 'critical', 90));

    const first = await sweepDeadlines(deps);
    setNow(new Date(NOW.getTime() + 60_000));
    const second = await sweepDeadlines(deps);
    setNow(new Date(NOW.getTime() + 10 * 60_000));
    const third = await sweepDeadlines(deps);

    expect(ids(first)).toEqual([REQUEST_1]);
    expect(second.escalated).toEqual([]);
    expect(third.escalated).toEqual([]);
    expect(store.escalations).toHaveLength(1);
    expect(store.outbox.size).toBe(1);
  });

  it('leaves out an item acted on between listing and escalation, and announces nothing for it', async () => {
    const { deps, store } = setup(request(REQUEST_1, 'critical', 90), request(REQUEST_2, 'critical', 90));
    store.actedOn.add(REQUEST_2);

    const result = await sweepDeadlines(deps);

    expect(ids(result)).toEqual([REQUEST_1]);
    expect([...store.outbox.values()].map(({ event }) => event.requestId)).toEqual([REQUEST_1]);
  });

  it('leaves the notices of its escalations in the outbox for the outbox processor', async () => {
    const { deps, store, published } = setup(
      request(REQUEST_1, 'critical', 90),
      report(CASE_B, 'low', 8 * 24 * 60),
    );

    const result = await sweepDeadlines(deps);

    expect(published).toEqual([]);
    expect([...store.outbox.values()].map(({ event }) => event.type).sort()).toEqual([
      'report.overdue',
      'request.overdue',
    ]);
    expect([...store.outbox.values()].every((entry) => entry.publishedAt === undefined)).toBe(true);
    expect(result.republished).toBe(0);
  });

  it('publishes escalation notices the outbox processor left behind once they are a minute old', async () => {
    const { deps, store, published, setNow } = setup(request(REQUEST_1, 'critical', 90));

    await sweepDeadlines(deps);
    setNow(new Date(NOW.getTime() + 2 * 60_000));
    const later = await sweepDeadlines(deps);

    expect(later).toEqual({ escalated: [], republished: 1 });
    expect(published.flat().map((event) => event.eventId)).toEqual(
      store.escalations[0]?.notices.map((n) => n.eventId),
    );
  });

  it('opens one escalation per case and requester at a time: further overdue requests join it', async () => {
    const REQUEST_3 = '3c1f5e0a-8a4b-4f7e-9d62-1b2c3d4e5f60';
    const { deps, store, setNow } = setup(
      request(REQUEST_1, 'critical', 95),
      request(REQUEST_2, 'critical', 90),
      request(REQUEST_3, 'critical', 90, 'moi'),
    );

    const first = await sweepDeadlines(deps);

    expect(ids(first)).toEqual([REQUEST_1, REQUEST_2, REQUEST_3].sort());
    const opened = store.escalations.filter((e) => e.review);
    expect(opened.map((e) => e.item.id).sort()).toEqual([REQUEST_1, REQUEST_3].sort());
    expect(store.escalations.find((e) => e.item.id === REQUEST_2)).toMatchObject({
      joins: opened.find((e) => e.item.id === REQUEST_1)?.review?.reviewId,
      notices: [],
    });
    expect(store.escalations.every((e) => e.event.action === 'request.overdue')).toBe(true);

    // Closed by compliance: the next overdue request of the same requester opens a new one.
    store.closedReviews.add(opened.find((e) => e.item.id === REQUEST_1)?.review?.reviewId as string);
    const REQUEST_4 = '4d2a6f1b-9b5c-4a8f-8e73-2c3d4e5f6071';
    store.pending.push(request(REQUEST_4, 'critical', 61));
    setNow(new Date(NOW.getTime() + 60_000));
    await sweepDeadlines(deps);
    expect(store.escalations.find((e) => e.item.id === REQUEST_4)?.review).toBeDefined();
  });

  it('settles withheld outbox entries without publishing them', async () => {
    const { deps, store, published } = setup();
    const withheld = domainEvent('request.created', new Date(NOW.getTime() - 5 * 60_000), {
      caseId: CASE_A,
      recipients: ['cfpc'],
    });
    store.outbox.set(withheld.eventId, { event: withheld, withheld: true });

    const result = await sweepDeadlines(deps);

    expect(result.republished).toBe(1);
    expect(published).toEqual([]);
    expect(store.outbox.get(withheld.eventId)?.publishedAt).toBe(NOW.toISOString());
  });

  it('republishes unpublished events once they are a minute old, leaving younger ones to the outbox processor', async () => {
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
    expect(deps.onPublishFailure).toHaveBeenCalledWith(expect.any(Error), [{ event: old, withheld: false }]);
  });
});

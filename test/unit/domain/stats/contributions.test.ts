import { describe, expect, it } from 'vitest';
import {
  type CaseFacts,
  contributionKey,
  contributions,
  type StatsEvent,
} from '../../../../src/domain/stats/contributions';
import { bucketOf } from '../../../../src/domain/stats/histogram';
import { MemoryStatsStore } from '../../../support/fakes/memory-stats-store';
import { seededRandom } from '../../../support/seeded-random';

const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const REQUEST_ID = '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11';
const facts: CaseFacts = {
  caseId: CASE_ID,
  ownerAgency: 'cfpc',
  category: 'neglect',
  urgency: 'high',
  status: 'received',
  emirate: 'sharjah',
  createdAt: '2026-11-30T23:30:00.000Z',
  version: 1,
};

const brief = (event: StatsEvent) =>
  contributions(event).map(
    (c) => `${c.table} ${c.month} ${c.agency} ${c.dims.join('/')} ${c.measure} ${c.value}`,
  );

describe('contributions of a change to the statistics', () => {
  it('counts a new case once in each report table, in the month (UTC) it was created', () => {
    expect(brief({ type: 'case.created', case: facts })).toEqual([
      'reports-by-month 2026-11 cfpc neglect count 1',
      'reports-by-emirate 2026-11 cfpc sharjah/neglect count 1',
      'reports-by-urgency-status 2026-11 cfpc high/received count 1',
    ]);
  });

  it('moves a case whose status changed from one cell to the other, and touches nothing else', () => {
    const after = { ...facts, status: 'intervention' as const, version: 2 };
    expect(brief({ type: 'case.changed', before: facts, after })).toEqual([
      'reports-by-urgency-status 2026-11 cfpc high/received count -1',
      'reports-by-urgency-status 2026-11 cfpc high/intervention count 1',
    ]);
  });

  it('counts a first action by its deadline as met, and its time in the histogram', () => {
    const event: StatsEvent = {
      type: 'report.first-action',
      caseId: CASE_ID,
      agency: 'cfpc',
      urgency: 'critical',
      createdAt: '2026-11-02T10:00:00.000Z',
      dueAt: '2026-11-02T11:00:00.000Z',
      actedAt: '2026-11-02T10:45:00.000Z',
      escalated: false,
    };
    expect(brief(event)).toEqual([
      `rapid-response 2026-11 cfpc critical h${bucketOf(45)} 1`,
      'rapid-response 2026-11 cfpc critical met 1',
    ]);
    expect(brief({ ...event, actedAt: '2026-11-02T11:00:01.000Z' })[1]).toContain('missed 1');
  });

  it('counts a missed deadline once: at the escalation, not again at the late first action', () => {
    const overdue: StatsEvent = {
      type: 'report.overdue',
      caseId: CASE_ID,
      agency: 'cfpc',
      urgency: 'critical',
      createdAt: '2026-11-02T10:00:00.000Z',
      at: '2026-12-01T00:00:00.000Z',
    };
    expect(brief(overdue)).toEqual([
      'rapid-response 2026-11 cfpc critical missed 1',
      'escalations 2026-12 cfpc critical/report count 1',
    ]);
    const late = brief({
      type: 'report.first-action',
      caseId: CASE_ID,
      agency: 'cfpc',
      urgency: 'critical',
      createdAt: '2026-11-02T10:00:00.000Z',
      dueAt: '2026-11-02T11:00:00.000Z',
      actedAt: '2026-11-03T10:00:00.000Z',
      escalated: true,
    });
    expect(late).toHaveLength(1);
  });

  it('moves a request from pending to its outcome at the agency asked, and times the decision', () => {
    const base = { requestId: REQUEST_ID, toAgency: 'police', urgency: 'medium' as const };
    const createdAt = '2026-10-31T20:00:00.000Z';
    expect(brief({ type: 'request.created', ...base, createdAt })).toEqual([
      'exchange-requests 2026-10 police medium/pending count 1',
    ]);
    expect(
      brief({
        type: 'request.decided',
        ...base,
        createdAt,
        decidedAt: '2026-11-01T04:00:00.000Z',
        decision: 'deny',
      }),
    ).toEqual([
      'exchange-requests 2026-10 police medium/pending count -1',
      'exchange-requests 2026-10 police medium/denied count 1',
      `exchange-decision-time 2026-10 police medium h${bucketOf(480)} 1`,
    ]);
  });

  it('keys every event by what happened to what, never by delivery, and keeps no id in a counter', () => {
    const events: StatsEvent[] = [
      { type: 'case.created', case: facts },
      { type: 'case.changed', before: facts, after: { ...facts, category: 'abuse', version: 2 } },
      { type: 'emergency-access.granted', requestId: REQUEST_ID, agency: 'police', at: facts.createdAt },
      {
        type: 'emergency-access.reviewed',
        requestId: REQUEST_ID,
        agency: 'police',
        grantedAt: facts.createdAt,
        outcome: 'justified',
      },
    ];
    expect(events.map(contributionKey)).toEqual([
      `case:${CASE_ID}:v1`,
      `case:${CASE_ID}:v2`,
      `request:${REQUEST_ID}:granted`,
      `request:${REQUEST_ID}:reviewed`,
    ]);
    const text = JSON.stringify(events.flatMap(contributions));
    expect(text).not.toContain(CASE_ID);
    expect(text).not.toContain(REQUEST_ID);
  });

  it('gives the same counters however often and in whatever order events are redelivered', async () => {
    // Prepare: a case's life, and a shuffled stream with every event delivered one to three times.
    const v2 = { ...facts, status: 'under-assessment' as const, version: 2 };
    const v3 = { ...v2, urgency: 'critical' as const, category: 'abuse' as const, version: 3 };
    const life: StatsEvent[] = [
      { type: 'case.created', case: facts },
      { type: 'case.changed', before: facts, after: v2 },
      { type: 'case.changed', before: v2, after: v3 },
    ];
    const random = seededRandom(5);
    const stream = life.flatMap((event) => Array.from({ length: random.int(1, 3) }, () => event));
    stream.sort(() => random.next() - 0.5);
    const once = new MemoryStatsStore();
    const redelivered = new MemoryStatsStore();
    // Act
    for (const event of life) await once.apply(contributionKey(event), contributions(event));
    for (const event of stream) await redelivered.apply(contributionKey(event), contributions(event));
    // Assess: the case is counted once, as it is now.
    const nonZero = (store: MemoryStatsStore) =>
      [...store.counters.values()]
        .filter((c) => c.value !== 0)
        .map((c) => `${c.table} ${c.dims.join('/')} ${c.value}`);
    expect(nonZero(redelivered)).toEqual(nonZero(once));
    expect(nonZero(once).sort()).toEqual([
      'reports-by-emirate sharjah/abuse 1',
      'reports-by-month abuse 1',
      'reports-by-urgency-status critical/under-assessment 1',
    ]);
  });
});

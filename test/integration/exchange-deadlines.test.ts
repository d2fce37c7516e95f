import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbAuditStore } from '../../src/adapters/dynamodb/audit-store';
import { outboxItem } from '../../src/adapters/dynamodb/cases-layout';
import { dynamoDbExchangeStore } from '../../src/adapters/dynamodb/exchange-store';
import { type DeadlineDeps, sweepDeadlines } from '../../src/domain/exchange/deadlines';
import { type DomainEvent, domainEvent } from '../../src/domain/exchange/events';
import { DEFAULT_POLICY } from '../../src/domain/exchange/policy';
import type { ExchangeStore } from '../../src/domain/exchange/ports';
import type { RequestView } from '../../src/domain/exchange/schemas';
import type { ReviewView } from '../../src/domain/reviews/schemas';
import { minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import {
  auditEventsOf,
  createCase,
  deliveredOutboxOf,
  localTables,
  MISSING_CASE,
  outboxOf,
} from '../support/exchange';
import { tokensFor } from '../support/tokens';

/**
 * Deadlines with a controllable clock: the sweep the schedule runs every minute is called here directly,
 * against the local stack's DynamoDB, at chosen times. Other test files share the tables and also leave
 * items due, so this file's sweeps see only its own items (a filter over the real store), and stamp
 * records with the real clock.
 */
const MINUTE = 60_000;

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

describe('response deadlines', () => {
  const mine = new Set<string>();
  const published: DomainEvent[] = [];
  let deps: DeadlineDeps;

  beforeAll(async () => {
    const tables = localTables();
    const real = dynamoDbExchangeStore(
      tables,
      stack.tables.Cases,
      dynamoDbAuditStore(tables, stack.tables.AuditLog),
    );
    const store: ExchangeStore = {
      ...real,
      listDue: async (kind, urgency, createdBy) =>
        (await real.listDue(kind, urgency, createdBy, 100_000)).filter((item) => mine.has(item.id)),
      listUnpublished: async (writtenBy) =>
        (await real.listUnpublished(writtenBy, 100_000)).filter(({ event }) => mine.has(event.caseId)),
    };
    deps = {
      store,
      publisher: { publish: async (events) => void published.push(...events) },
      policy: DEFAULT_POLICY,
      clock: () => new Date(),
    };
  });

  const ask = (caseId: string, urgency: string) =>
    askWith(caseId, urgency, 'Suspect arrested at the address');

  const askWith = async (caseId: string, urgency: string, justification: string) => {
    const response = await call('POST', '/v1/requests', {
      token: police,
      body: {
        caseId,
        agency: 'cfpc',
        sections: ['report'],
        purpose: 'criminal-investigation',
        legalBasis: 'Federal Law No. 3 of 2016, art. 44',
        urgency,
        justification,
      },
    });
    expect(response.status).toBe(201);
    mine.add(response.json.requestId as string);
    return response.json as unknown as RequestView;
  };

  it('escalates an undecided critical request and an untouched critical report at their deadline, once', async () => {
    // Prepare: a new critical report, a request about it, and a request about no case at all.
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'critical' }));
    mine.add(caseId);
    const request = await ask(caseId, 'critical');
    const undelivered = await ask(MISSING_CASE, 'critical');
    const due = Date.parse(request.dueAt as string);

    // Act
    const early = await sweepDeadlines(deps, new Date(due - MINUTE));
    const onTime = await sweepDeadlines(deps, new Date(due + 1000));
    const again = await sweepDeadlines(deps, new Date(due + 2 * MINUTE));

    // Assess
    expect(request).toMatchObject({ status: 'pending', overdue: false, urgency: 'critical' });
    expect(due - Date.parse(request.createdAt)).toBe(60 * MINUTE);
    expect(early.escalated).toEqual([]);
    expect(onTime.escalated).toEqual(
      expect.arrayContaining([
        { kind: 'request', id: request.requestId, caseId, agency: 'cfpc' },
        { kind: 'report', id: caseId, caseId, agency: 'cfpc' },
      ]),
    );
    expect(onTime.escalated).toHaveLength(2);
    expect(onTime.escalated.map((item) => item.id)).not.toContain(undelivered.requestId);
    expect(again.escalated).toEqual([]);

    const events = (await auditEventsOf(compliance, caseId)).filter((e) => e.action.endsWith('.overdue'));
    expect(events.map((e) => [e.action, e.agency, e.clientId, e.outcome]).sort()).toEqual([
      ['report.overdue', null, 'himaya-deadlines', 200],
      ['request.overdue', null, 'himaya-deadlines', 200],
    ]);
    expect(events.find((e) => e.action === 'request.overdue')?.resource).toBe(
      `/v1/requests/${request.requestId}`,
    );

    // The notices go out through the outbox processor, off the sweep's path.
    const outbox = await deliveredOutboxOf(caseId, 3);
    const notices = outbox.map(({ event }) => event).filter((event) => event.type.endsWith('.overdue'));
    expect(notices.map((event) => [event.type, event.recipients, event.dueAt]).sort()).toEqual([
      ['report.overdue', ['cfpc'], expect.any(String)],
      ['request.overdue', ['cfpc'], request.dueAt],
    ]);
    expect(outbox.every((entry) => entry.publishedAt !== undefined)).toBe(true);

    const reviews = await call('GET', '/v1/audit/reviews?limit=100', { token: compliance });
    const mineOpen = (reviews.json.items as ReviewView[]).filter((review) => review.caseId === caseId);
    expect(mineOpen.map((review) => [review.kind, review.agency, review.urgency]).sort()).toEqual([
      ['overdue-report', 'cfpc', 'critical'],
      ['overdue-request', 'cfpc', 'critical'],
    ]);
    expect(mineOpen.find((review) => review.kind === 'overdue-request')).toMatchObject({
      requestId: request.requestId,
      dueAt: request.dueAt,
      auditEventId: events.find((e) => e.action === 'request.overdue')?.eventId,
    });
  });

  it('leaves alone what was acted on in time: a decided request and a report its owner updated', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'high' }));
    mine.add(caseId);
    const request = await ask(caseId, 'high');
    await call('POST', `/v1/requests/${request.requestId}/decision`, {
      token: cfpc,
      body: { decision: 'deny', reason: 'Not for this investigation' },
    });
    const updated = await call('PATCH', `/v1/cases/${caseId}`, {
      token: cfpc,
      body: { status: 'under-assessment' },
      headers: { 'if-match': '"1"' },
    });

    const result = await sweepDeadlines(deps, new Date(Date.parse(request.dueAt as string) + MINUTE));

    expect(updated.status).toBe(200);
    expect(result.escalated.filter((item) => item.caseId === caseId)).toEqual([]);
  });

  it('leaves alone a request withdrawn before its deadline', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'critical' }));
    const request = await ask(caseId, 'critical');
    const withdrawn = await call('POST', `/v1/requests/${request.requestId}/withdraw`, { token: police });

    const result = await sweepDeadlines(deps, new Date(Date.parse(request.dueAt as string) + MINUTE));

    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(result.escalated.map((item) => item.id)).not.toContain(request.requestId);
    const events = await auditEventsOf(compliance, caseId);
    expect(events.map((e) => e.action)).not.toContain('request.overdue');
  });

  it('counts the owner’s note or share as its first action on a report', async () => {
    const noted = await createCase(cfpc, minimalCaseBody({ urgency: 'medium' }));
    const shared = await createCase(cfpc, minimalCaseBody({ urgency: 'medium' }));
    const byOther = await createCase(cfpc, minimalCaseBody({ urgency: 'medium' }));
    for (const id of [noted, shared, byOther]) mine.add(id);
    await call('POST', `/v1/cases/${noted}/notes`, { token: cfpc, body: { text: 'Called the school' } });
    await call('POST', `/v1/cases/${shared}/shares`, {
      token: cfpc,
      body: {
        agency: 'police',
        sections: ['report'],
        purpose: 'child-protection',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });

    const result = await sweepDeadlines(deps, new Date(Date.now() + 3 * 24 * 60 * MINUTE + MINUTE));

    expect(
      result.escalated.map((item) => item.id).filter((id) => [noted, shared, byOther].includes(id)),
    ).toEqual([byOther]);
  });

  it('opens one review for a requester’s overdue requests about a case; the others join it', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'low' }));
    mine.add(caseId);
    const first = await ask(caseId, 'critical');
    const second = await askWith(caseId, 'critical', 'A second line of inquiry');
    const due = Math.max(Date.parse(first.dueAt as string), Date.parse(second.dueAt as string));

    const result = await sweepDeadlines(deps, new Date(due + 1000));

    expect(result.escalated.map((item) => item.id).sort()).toEqual(
      [first.requestId, second.requestId].sort(),
    );
    const events = (await auditEventsOf(compliance, caseId)).filter((e) => e.action === 'request.overdue');
    expect(events).toHaveLength(2);
    const reviews = await call('GET', '/v1/audit/reviews?limit=100', { token: compliance });
    const open = (reviews.json.items as ReviewView[]).filter((review) => review.caseId === caseId);
    expect(open.map((review) => review.kind)).toEqual(['overdue-request']);
    const outbox = await deliveredOutboxOf(caseId, 3);
    expect(outbox.filter(({ event }) => event.type === 'request.overdue')).toHaveLength(1);
  });

  it('publishes what the outbox processor left behind', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'low' }));
    mine.add(caseId);
    const stranded = domainEvent('share.created', new Date(Date.now() - 5 * MINUTE), {
      caseId,
      actorAgency: 'cfpc',
      recipients: ['police'],
      sections: ['report'],
    });
    // As a batch the processor never settled: the outbox item arrives as a change, not as an insert.
    const key = { pk: `OUTBOX#${stranded.eventId}`, sk: 'OUTBOX' };
    await localTables().send(
      new PutCommand({ TableName: stack.tables.Cases, Item: { ...key, type: 'placeholder' } }),
    );
    await localTables().send(new PutCommand({ TableName: stack.tables.Cases, Item: outboxItem(stranded) }));

    const result = await sweepDeadlines(deps, new Date());

    expect(result.republished).toBe(1);
    expect(published.map((event) => event.eventId)).toContain(stranded.eventId);
    const entry = (await outboxOf(caseId)).find((e) => e.event.eventId === stranded.eventId);
    expect(entry?.publishedAt).toBeDefined();
  });

  it('shows the due time in the requester’s box and in the owner’s', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const request = await ask(caseId, 'medium');

    const outgoing = await call('GET', '/v1/requests?box=outgoing&status=pending&limit=100', {
      token: police,
    });
    const incoming = await call('GET', '/v1/requests?box=incoming&status=pending&limit=100', { token: cfpc });

    for (const page of [outgoing, incoming]) {
      const item = (page.json.items as RequestView[]).find((r) => r.requestId === request.requestId);
      expect(item).toMatchObject({ dueAt: request.dueAt, overdue: false });
    }
    expect(Date.parse(request.dueAt as string) - Date.parse(request.createdAt)).toBe(3 * 24 * 60 * MINUTE);
  });
});

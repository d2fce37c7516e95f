import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/event';
import { minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { auditEventsOf } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/** Every request that reaches a function leaves one event, allowed or denied; compliance reads them. */
describe('access log events', () => {
  it('records create, read, refused read, stale update, bad input and note, with who, what, why and outcome', async () => {
    const created = await call('POST', '/v1/cases', {
      token: cfpc,
      user: 'caseworker-7',
      body: minimalCaseBody(),
    });
    const caseId = created.json.caseId as string;
    const path = `/v1/cases/${caseId}`;

    await call('GET', path, { token: cfpc, user: 'caseworker-7', purpose: 'child-protection' });
    await call('GET', path, { token: police, user: 'officer-3', purpose: 'criminal-investigation' });
    await call('PATCH', path, {
      token: cfpc,
      user: 'caseworker-7',
      body: { status: 'closed' },
      headers: { 'if-match': '"9"' },
    });
    await call('PATCH', path, {
      token: cfpc,
      user: 'caseworker-7',
      body: { status: 'nonsense' },
      headers: { 'if-match': '"1"' },
    });
    await call('POST', `${path}/notes`, { token: cfpc, user: 'caseworker-7', body: { text: 'تمت الزيارة' } });

    const events = await auditEventsOf(compliance, caseId);
    const summary = events.map((e) => [e.action, e.agency, e.user, e.outcome, e.purpose ?? null]);
    expect(summary).toEqual([
      ['case.create', 'cfpc', 'caseworker-7', 201, null],
      ['case.read', 'cfpc', 'caseworker-7', 200, 'child-protection'],
      ['case.read', 'police', 'officer-3', 404, 'criminal-investigation'],
      ['case.update', 'cfpc', 'caseworker-7', 412, null],
      ['case.update', 'cfpc', 'caseworker-7', 400, null],
      ['case.note', 'cfpc', 'caseworker-7', 201, null],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        clientId: expect.any(String),
        resource: expect.stringContaining(caseId),
        caseId,
      });
      expect(event.requestId).toMatch(/^[\w-]{8,}$/);
      expect(event.sourceIp).toBeTruthy();
      expect(Date.parse(event.time)).not.toBeNaN();
    }
  });

  it('records a request without X-Himaya-User as refused, with no user', async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });

    const response = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: cfpc,
      user: null,
      purpose: 'child-protection',
    });

    expect(response.status).toBe(400);
    const events = await auditEventsOf(compliance, created.json.caseId as string);
    expect(events.at(-1)).toMatchObject({ action: 'case.read', outcome: 400, user: null, agency: 'cfpc' });
  });

  it('filters by agency, user, action and time, and pages with a cursor', async () => {
    const user = `pager-${Date.now()}`;
    const from = new Date().toISOString();
    for (let i = 0; i < 5; i++) await call('GET', '/v1/agencies', { token: police, user });

    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({
        agency: 'police',
        user,
        action: 'agency.list',
        from,
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const page = await call('GET', `/v1/audit/events?${query}`, { token: compliance, user: 'auditor-1' });
      expect(page.status).toBe(200);
      seen.push(...(page.json.items as AuditEvent[]));
      cursor = page.json.nextCursor as string | undefined;
    } while (cursor);

    expect(seen).toHaveLength(5);
    expect(seen.every((e) => e.user === user && e.action === 'agency.list' && e.outcome === 200)).toBe(true);
    expect(seen.map((e) => e.time)).toEqual([...seen.map((e) => e.time)].sort());
  });

  it('filters by outcome class: allowed (below 400), denied (4xx) or failed (5xx), across pages', async () => {
    // Prepare: one officer's allowed and refused calls (a case read without a purpose is refused)
    const user = `outcomes-${Date.now()}`;
    const from = new Date().toISOString();
    const created = await call('POST', '/v1/cases', { token: cfpc, user, body: minimalCaseBody() });
    await call('GET', `/v1/cases/${created.json.caseId}`, { token: cfpc, user });
    await call('GET', `/v1/cases/${created.json.caseId}`, { token: cfpc, user });
    await call('GET', '/v1/agencies', { token: cfpc, user });

    // Act
    const outcomesOf = async (outcome?: string) => {
      const query = new URLSearchParams({ user, from, limit: '1', ...(outcome ? { outcome } : {}) });
      const outcomes: number[] = [];
      let cursor: string | undefined;
      do {
        if (cursor) query.set('cursor', cursor);
        const page = await call('GET', `/v1/audit/events?${query}`, { token: compliance, user: 'auditor-1' });
        expect(page.status).toBe(200);
        outcomes.push(...(page.json.items as AuditEvent[]).map((e) => e.outcome));
        cursor = page.json.nextCursor as string | undefined;
      } while (cursor);
      return outcomes.sort();
    };
    const unknown = await call('GET', '/v1/audit/events?outcome=refused', {
      token: compliance,
      user: 'auditor-1',
    });

    // Assess
    expect(await outcomesOf()).toEqual([200, 201, 400, 400]);
    expect(await outcomesOf('allowed')).toEqual([200, 201]);
    expect(await outcomesOf('denied')).toEqual([400, 400]);
    expect(await outcomesOf('failed')).toEqual([]);
    expect(unknown.status).toBe(400);
  });

  it('is readable with audit.read only: agencies get 403, and the compliance reads are themselves logged', async () => {
    const denied = await call('GET', '/v1/audit/events', { token: cfpc });
    const user = `auditor-${Date.now()}`;
    await call('GET', '/v1/audit/events?limit=1', { token: compliance, user });

    const logged = await call('GET', `/v1/audit/events?user=${user}&action=audit.list`, {
      token: compliance,
      user,
    });

    expect(denied.status).toBe(403);
    expect((logged.json.items as AuditEvent[])[0]).toMatchObject({
      agency: 'compliance',
      user,
      outcome: 200,
    });
  });

  it('holds no case content in an event', async () => {
    const body = minimalCaseBody();
    const created = await call('POST', '/v1/cases', { token: cfpc, body });

    const events = await auditEventsOf(compliance, created.json.caseId as string);

    const narrative = (body.sections as { report: { narrative: string } }).report.narrative;
    expect(JSON.stringify(events)).not.toContain(narrative);
  });

  it('refuses a cursor that is not a key of the listing (400)', async () => {
    const forged = Buffer.from(
      JSON.stringify({ pk: 'EVENT#x', sk: 'EVENT', gsi1pk: 'OTHER', gsi1sk: 'z' }),
    ).toString('base64url');

    const response = await call('GET', `/v1/audit/events?cursor=${forged}`, {
      token: compliance,
      user: 'auditor-1',
    });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'query.cursor', message: 'invalid cursor' }]);
  });
});

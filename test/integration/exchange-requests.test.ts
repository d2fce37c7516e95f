import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/domain/exchange/schemas';
import { CANARIES, minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { auditEventsOf, createCase, hoursFromNow, MISSING_CASE, outboxOf, readAs } from '../support/exchange';
import { tokenFor, tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/**
 * Access requests: the police ask the Centre for what it holds, the Centre decides. A request about a case
 * the asked agency does not hold is answered exactly like one about a case it does.
 */
describe('requests for access and their decisions', () => {
  const ask = (caseId: string, overrides: Record<string, unknown> = {}) =>
    call('POST', '/v1/requests', {
      token: police,
      user: 'officer-3',
      body: {
        caseId,
        agency: 'cfpc',
        sections: ['identity', 'report', 'assessment'],
        purpose: 'criminal-investigation',
        legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 44',
        urgency: 'high',
        justification: 'Investigating a report of neglect at the same address',
        ...overrides,
      },
    });

  const decide = (requestId: string, body: Record<string, unknown>, token = cfpc) =>
    call('POST', `/v1/requests/${requestId}/decision`, { token, user: 'caseworker-7', body });

  const box = async (token: string, which: 'incoming' | 'outgoing', query = '') => {
    const response = await call('GET', `/v1/requests?box=${which}&limit=100${query}`, { token });
    expect(response.status).toBe(200);
    return response.json.items as RequestView[];
  };

  it('asks, the owner approves fewer sections than asked, and the requester reads exactly those', async () => {
    // Prepare
    const caseId = await createCase(cfpc);

    // Act
    const asked = await ask(caseId);
    const requestId = asked.json.requestId as string;
    const beforeDecision = await readAs(police, caseId);
    const incoming = await box(cfpc, 'incoming', '&status=pending');
    const approved = await decide(requestId, {
      decision: 'approve',
      sections: ['report', 'identity'],
      expiresAt: hoursFromNow(48),
      reason: 'Joint investigation agreed',
    });
    const read = await readAs(police, caseId);
    const outgoing = await box(police, 'outgoing');
    const again = await decide(requestId, { decision: 'deny', reason: 'changed our mind' });

    // Assess
    expect(asked.status, asked.text).toBe(201);
    expect(asked.headers.get('location')).toBe(`/v1/requests/${requestId}`);
    expect(asked.json).toMatchObject({
      kind: 'access-request',
      caseId,
      fromAgency: 'police',
      toAgency: 'cfpc',
      requestedBy: 'officer-3',
      sections: ['identity', 'report', 'assessment'],
      status: 'pending',
      overdue: false,
    });
    expect(Date.parse(asked.json.dueAt as string) - Date.parse(asked.json.createdAt as string)).toBe(
      24 * 3_600_000,
    );
    expect(beforeDecision.status).toBe(404);
    expect(incoming.map((r) => r.requestId)).toContain(requestId);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'approved',
      decision: { decision: 'approve', sections: ['identity', 'report'], decidedBy: 'caseworker-7' },
    });
    expect(read.status).toBe(200);
    expect(Object.keys(read.json.sections as object).sort()).toEqual(['identity', 'report']);
    expect(outgoing.find((r) => r.requestId === requestId)).toMatchObject({
      status: 'approved',
      overdue: false,
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('already-decided');

    const actions = (await auditEventsOf(compliance, caseId)).map((e) => [e.action, e.agency, e.outcome]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['request.create', 'police', 201],
        ['request.decide', 'cfpc', 200],
        ['request.decide', 'cfpc', 409],
        ['case.read', 'police', 200],
      ]),
    );
    const outbox = await outboxOf(caseId);
    expect(outbox.map(({ event }) => [event.type, event.recipients, event.decision ?? null])).toEqual([
      ['request.created', ['cfpc'], null],
      ['request.decided', ['police'], 'approve'],
    ]);
  });

  it('answers an identical pending request with the one made (200), and caps distinct pending ones (422)', async () => {
    // Prepare: a case the police ask about, whatever it holds.
    const caseId = await createCase(cfpc);
    const first = await ask(caseId);

    // Act: the same again, then different ones up to the cap (5) and one over it.
    const same = await ask(caseId);
    const others = [];
    for (let n = 1; n <= 4; n += 1) others.push(await ask(caseId, { justification: `Line of inquiry ${n}` }));
    const over = await ask(caseId, { justification: 'One request too many' });
    const withdrawn = await call('POST', `/v1/requests/${first.json.requestId}/withdraw`, { token: police });
    const afterWithdrawal = await ask(caseId, { justification: 'One request too many' });
    const sameAfterWithdrawal = await ask(caseId);

    // Assess
    expect(first.status, first.text).toBe(201);
    expect(same.status, same.text).toBe(200);
    expect(same.json).toEqual(first.json);
    expect(same.headers.get('location')).toBe(`/v1/requests/${first.json.requestId}`);
    expect(others.map((response) => response.status)).toEqual([201, 201, 201, 201]);
    expect(over.status, over.text).toBe(422);
    expect(over.json.code).toBe('open-request-limit-reached');
    expect(withdrawn.status).toBe(200);
    expect(afterWithdrawal.status, afterWithdrawal.text).toBe(201);
    // A withdrawn request no longer answers for an identical one: the cap is full again.
    expect(sameAfterWithdrawal.status).toBe(422);
    const incoming = (await box(cfpc, 'incoming', '&status=pending')).filter((r) => r.caseId === caseId);
    expect(incoming).toHaveLength(5);
  });

  it('counts requests about a case that does not exist at the agency named the same way', async () => {
    const caseId = randomUUID();
    const made = [];
    for (let n = 1; n <= 5; n += 1) made.push(await ask(caseId, { justification: `Inquiry ${n}` }));
    const same = await ask(caseId, { justification: 'Inquiry 1' });
    const over = await ask(caseId, { justification: 'Inquiry 6' });

    expect(made.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect(same.status).toBe(200);
    expect(same.json.requestId).toBe(made[0]?.json.requestId);
    expect(over.json.code).toBe('open-request-limit-reached');
  });

  it('denies with a reason: the case stays hidden', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const asked = await ask(caseId, { sections: ['report'] });

    const denied = await decide(asked.json.requestId as string, {
      decision: 'deny',
      reason: 'No legal basis given for this section',
    });
    const read = await readAs(police, caseId);
    const missing = await readAs(police, MISSING_CASE);

    expect(denied.status).toBe(200);
    expect(denied.json).toMatchObject({ status: 'denied', decision: { decision: 'deny' } });
    expect(read.status).toBe(404);
    expect(read.text).toBe(missing.text);
  });

  it('answers a request about a case the asked agency does not hold exactly like any other', async () => {
    // Prepare: one case the Centre holds, one the police hold themselves, one that does not exist.
    const held = await createCase(cfpc, minimalCaseBody());
    const policeOwn = await createCase(police, minimalCaseBody());

    // Act
    const answers = await Promise.all([ask(held), ask(policeOwn), ask(MISSING_CASE)]);
    const incoming = (await box(cfpc, 'incoming')).map((r) => r.requestId);
    const outgoing = await box(police, 'outgoing');
    const decisions = await Promise.all(
      answers.map((answer) => decide(answer.json.requestId as string, { decision: 'deny', reason: 'probe' })),
    );
    const unknown = await decide(crypto.randomUUID(), { decision: 'deny', reason: 'probe' });

    // Assess: the same status, headers and fields, but for ids and times.
    const shape = (json: Record<string, unknown>) => {
      const { requestId, caseId, createdAt, dueAt, ...rest } = json;
      return { ...rest, dueIn: Date.parse(dueAt as string) - Date.parse(createdAt as string) };
    };
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(shape(answers[1]?.json ?? {})).toEqual(shape(answers[0]?.json ?? {}));
    expect(shape(answers[2]?.json ?? {})).toEqual(shape(answers[0]?.json ?? {}));
    expect(new Set(answers.map((a) => [...a.headers.keys()].sort().join()))).toHaveProperty('size', 1);
    const mine = outgoing.filter((r) => answers.some((a) => a.json.requestId === r.requestId));
    expect(mine.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect(incoming).toContain(answers[0]?.json.requestId);
    expect(incoming).not.toContain(answers[1]?.json.requestId);
    expect(incoming).not.toContain(answers[2]?.json.requestId);
    expect(decisions.map((d) => d.status)).toEqual([200, 404, 404]);
    expect(decisions[1]?.text).toBe(unknown.text);
    expect(decisions[2]?.text).toBe(unknown.text);
    expect(await outboxOf(MISSING_CASE)).toEqual([]);
  });

  it('grants the reporter section on approval only when the owner names it', async () => {
    const caseId = await createCase(cfpc);
    const both = await ask(caseId, { sections: ['identity', 'reporter'] });
    const onlyReporter = await ask(caseId, { sections: ['reporter'] });

    const byDefault = await decide(both.json.requestId as string, { decision: 'approve', reason: 'ok' });
    const afterDefault = await readAs(police, caseId);
    const unnamed = await decide(onlyReporter.json.requestId as string, {
      decision: 'approve',
      reason: 'ok',
    });
    const named = await decide(onlyReporter.json.requestId as string, {
      decision: 'approve',
      sections: ['reporter'],
      reason: 'The reporter agreed to be contacted',
    });
    const afterNamed = await readAs(police, caseId);

    expect(byDefault.json).toMatchObject({ status: 'approved', decision: { sections: ['identity'] } });
    expect(Object.keys(afterDefault.json.sections as object)).toEqual(['identity']);
    expect(afterDefault.text).not.toContain(CANARIES.reporterName);
    expect(unnamed.status).toBe(422);
    expect(unnamed.json.code).toBe('reporter-not-named');
    expect(named.status).toBe(200);
    expect(Object.keys(afterNamed.json.sections as object).sort()).toEqual(['identity', 'reporter']);
  });

  it('lets only the agency asked decide: the requester gets 422, compliance 403, a stranger request 404', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const asked = await ask(caseId, { sections: ['report'] });
    const requestId = asked.json.requestId as string;

    const byRequester = await decide(requestId, { decision: 'approve', reason: 'self-service' }, police);
    const byCompliance = await decide(
      requestId,
      { decision: 'approve', reason: 'oversight' },
      await tokenFor('compliance'),
    );
    const moreThanAsked = await decide(requestId, {
      decision: 'approve',
      sections: ['report', 'police'],
      reason: 'x',
    });
    const denyWithSections = await decide(requestId, { decision: 'deny', sections: ['report'], reason: 'x' });
    const pastExpiry = await decide(requestId, {
      decision: 'approve',
      expiresAt: hoursFromNow(-1),
      reason: 'x',
    });
    const stillPending = (await box(police, 'outgoing', '&status=pending')).map((r) => r.requestId);

    expect(byRequester.status).toBe(422);
    expect(byRequester.json.code).toBe('not-owner');
    expect(byCompliance.status).toBe(403);
    expect(moreThanAsked.status).toBe(422);
    expect(moreThanAsked.json.code).toBe('sections-not-requested');
    expect(denyWithSections.status).toBe(400);
    expect(pastExpiry.status).toBe(422);
    expect(stillPending).toContain(requestId);
  });

  it('refuses requests naming the requester itself, an unknown agency or an unknown section (422)', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());

    const self = await ask(caseId, { agency: 'police' });
    const unknownAgency = await ask(caseId, { agency: 'ministry-of-x' });
    const unknownSection = await ask(caseId, { sections: ['bank-records'] });

    expect([self.status, unknownAgency.status, unknownSection.status]).toEqual([422, 422, 422]);
    expect([self.json.code, unknownAgency.json.code, unknownSection.json.code]).toEqual([
      'own-agency',
      'unknown-agency',
      'unknown-section',
    ]);
  });

  it('pages a box with a cursor and refuses a cursor of another box', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    for (let i = 0; i < 3; i++) await ask(caseId, { sections: ['report'], urgency: 'low' });

    const first = await call('GET', '/v1/requests?box=outgoing&limit=2', { token: police });
    const second = await call('GET', `/v1/requests?box=outgoing&limit=2&cursor=${first.json.nextCursor}`, {
      token: police,
    });
    const crossed = await call('GET', `/v1/requests?box=incoming&limit=2&cursor=${first.json.nextCursor}`, {
      token: police,
    });

    expect((first.json.items as unknown[]).length).toBe(2);
    expect(second.status).toBe(200);
    const ids = [...(first.json.items as RequestView[]), ...(second.json.items as RequestView[])].map(
      (r) => r.requestId,
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(crossed.status).toBe(400);
  });
});

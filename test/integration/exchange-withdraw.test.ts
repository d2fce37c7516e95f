import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/domain/exchange/schemas';
import { minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { auditEventsOf, createCase, MISSING_CASE, outboxOf, readAs } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/**
 * `POST /v1/requests/{requestId}/withdraw`: the agency that asked withdraws a pending request. It is no
 * longer due or decidable; the agency asked, if the request reached it, is told.
 */
describe('withdrawing a request', () => {
  const ask = (caseId: string) =>
    call('POST', '/v1/requests', {
      token: police,
      user: 'officer-3',
      body: {
        caseId,
        agency: 'cfpc',
        sections: ['identity', 'report'],
        purpose: 'criminal-investigation',
        legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 44',
        urgency: 'high',
        justification: 'Investigating a report at the same address',
      },
    });

  const withdraw = (requestId: string, token = police, headers: Record<string, string> = {}) =>
    call('POST', `/v1/requests/${requestId}/withdraw`, { token, user: 'officer-3', headers });

  const decide = (requestId: string) =>
    call('POST', `/v1/requests/${requestId}/decision`, {
      token: cfpc,
      user: 'caseworker-7',
      body: { decision: 'approve', sections: ['report'], reason: 'Joint investigation agreed' },
    });

  const incoming = async (query: string) => {
    const response = await call('GET', `/v1/requests?box=incoming&limit=100${query}`, { token: cfpc });
    expect(response.status).toBe(200);
    return (response.json.items as RequestView[]).map((r) => r.requestId);
  };

  it('withdraws a pending request: no longer decidable, the owner told, the access log written', async () => {
    // Prepare
    const caseId = await createCase(cfpc, minimalCaseBody());
    const requestId = (await ask(caseId)).json.requestId as string;

    // Act
    const withdrawn = await withdraw(requestId);
    const read = await call('GET', `/v1/requests/${requestId}`, { token: cfpc });
    const decided = await decide(requestId);
    const again = await withdraw(requestId);
    const stillPending = await incoming('&status=pending');
    const listedWithdrawn = await incoming('&status=withdrawn');
    const caseRead = await readAs(police, caseId);

    // Assess
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.json).toMatchObject({
      requestId,
      status: 'withdrawn',
      overdue: false,
      withdrawal: { withdrawnBy: 'officer-3' },
    });
    expect(read.json).toEqual(withdrawn.json);
    expect(decided.status).toBe(409);
    expect(decided.json.code).toBe('already-decided');
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('already-decided');
    expect(stillPending).not.toContain(requestId);
    expect(listedWithdrawn).toContain(requestId);
    expect(caseRead.status).toBe(404);

    const outbox = await outboxOf(caseId);
    expect(outbox.map(({ event }) => [event.type, event.recipients, event.requestId])).toEqual([
      ['request.created', ['cfpc'], requestId],
      ['request.withdrawn', ['cfpc'], requestId],
    ]);
    const events = (await auditEventsOf(compliance, caseId)).map((e) => [e.action, e.agency, e.outcome]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['request.withdraw', 'police', 200],
        ['request.decide', 'cfpc', 409],
        ['request.withdraw', 'police', 409],
      ]),
    );
  });

  it('refuses the owner asked (422 not-requester) and answers anyone else like an unknown id', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const delivered = (await ask(caseId)).json.requestId as string;
    const policeOwn = await createCase(police, minimalCaseBody());
    const misdirected = (await ask(policeOwn)).json.requestId as string;
    const aboutNothing = (await ask(MISSING_CASE)).json.requestId as string;

    const byOwner = await withdraw(delivered, cfpc);
    const byNamed = await Promise.all([withdraw(misdirected, cfpc), withdraw(aboutNothing, cfpc)]);
    const unknown = await withdraw(crypto.randomUUID(), cfpc);
    const byCompliance = await withdraw(delivered, compliance);
    const undeliveredByRequester = await withdraw(aboutNothing);

    expect(byOwner.status).toBe(422);
    expect(byOwner.json.code).toBe('not-requester');
    expect(unknown.status).toBe(404);
    for (const answer of byNamed) expect(answer.text).toBe(unknown.text);
    expect(byCompliance.status).toBe(403);
    expect(undeliveredByRequester.status).toBe(200);
    expect(await outboxOf(MISSING_CASE)).toEqual([]);
    expect((await outboxOf(policeOwn)).map(({ event }) => event.type)).not.toContain('request.withdrawn');
  });

  it('refuses to withdraw an emergency access: it was never pending (the owner revokes it)', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const granted = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: police,
      purpose: 'emergency',
      body: { justification: 'Child reported missing tonight', sections: ['report'] },
    });

    const withdrawn = await withdraw(granted.json.requestId as string);
    const stillReads = await readAs(police, caseId, 'emergency');

    expect(withdrawn.status).toBe(409);
    expect(withdrawn.json.code).toBe('already-decided');
    expect(stillReads.status).toBe(200);
  });

  it('lets exactly one of a withdrawal and a decision made at the same moment stand', async () => {
    // Prepare: six requests, each about a case of its own, each withdrawn and approved at once.
    const caseIds = await Promise.all(Array.from({ length: 6 }, () => createCase(cfpc, minimalCaseBody())));
    const requestIds = await Promise.all(
      caseIds.map(async (caseId) => (await ask(caseId)).json.requestId as string),
    );

    // Act
    const races = await Promise.all(requestIds.map((id) => Promise.all([withdraw(id), decide(id)])));

    // Assess: one 200 and one 409 each, and the request and the case are what the winner made them.
    for (const [index, [withdrawal, decision]] of races.entries()) {
      const statuses = [withdrawal.status, decision.status].sort();
      expect(statuses, `${withdrawal.text} ${decision.text}`).toEqual([200, 409]);
      const loser = withdrawal.status === 200 ? decision : withdrawal;
      expect(loser.json.code).toBe('already-decided');
      const read = await call('GET', `/v1/requests/${requestIds[index]}`, { token: police });
      expect(read.json.status).toBe(withdrawal.status === 200 ? 'withdrawn' : 'approved');
      const grants = await call('GET', `/v1/cases/${caseIds[index]}/shares`, { token: cfpc });
      expect((grants.json.items as unknown[]).length).toBe(decision.status === 200 ? 1 : 0);
    }
  });

  it('replays a retried withdrawal with the same Idempotency-Key', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const requestId = (await ask(caseId)).json.requestId as string;
    const key = `withdraw-${crypto.randomUUID()}`;

    const first = await withdraw(requestId, police, { 'idempotency-key': key });
    const retry = await withdraw(requestId, police, { 'idempotency-key': key });
    const withoutKey = await withdraw(requestId);

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(withoutKey.status).toBe(409);
  });
});

import { describe, expect, it } from 'vitest';
import { fullCaseBody, minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { auditEventsOf, createCase, MISSING_CASE } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/**
 * `GET /v1/requests/{requestId}`: a request to the agency that made it and to the agency asked (once the
 * request reached it); to anyone else the same 404 as an unknown id. And every 201 that sends `Location`
 * points at a route that answers.
 */
describe('reading one request', () => {
  const ask = (caseId: string, agency = 'cfpc') =>
    call('POST', '/v1/requests', {
      token: police,
      user: 'officer-3',
      body: {
        caseId,
        agency,
        sections: ['report'],
        purpose: 'criminal-investigation',
        legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 44',
        urgency: 'medium',
        justification: 'Investigating a report at the same address',
      },
    });

  const read = (requestId: string, token: string) =>
    call('GET', `/v1/requests/${requestId}`, { token, user: 'officer-3' });

  it('shows the request to the requester and the owner asked, as the boxes do', async () => {
    // Prepare
    const caseId = await createCase(cfpc, minimalCaseBody());
    const asked = await ask(caseId);
    const requestId = asked.json.requestId as string;

    // Act
    const byRequester = await read(requestId, police);
    const byOwner = await read(requestId, cfpc);
    const outgoing = await call('GET', '/v1/requests?box=outgoing&limit=100', { token: police });

    // Assess
    expect(byRequester.status, byRequester.text).toBe(200);
    expect(byRequester.json).toEqual(asked.json);
    expect(byOwner.status).toBe(200);
    expect(byOwner.json).toEqual(asked.json);
    const listed = (outgoing.json.items as { requestId: string }[]).find((r) => r.requestId === requestId);
    expect(listed).toEqual(byRequester.json);
    const events = (await auditEventsOf(compliance, caseId)).filter((e) => e.action === 'request.read');
    expect(events.map((e) => [e.agency, e.outcome, e.resource])).toEqual(
      expect.arrayContaining([
        ['police', 200, `/v1/requests/${requestId}`],
        ['cfpc', 200, `/v1/requests/${requestId}`],
      ]),
    );
  });

  it('answers the agency named in a request that never reached it exactly like an unknown id', async () => {
    // The police ask the Centre about a case the police hold themselves, and about no case at all.
    const policeOwn = await createCase(police, minimalCaseBody());
    const misdirected = await ask(policeOwn);
    const aboutNothing = await ask(MISSING_CASE);

    const answers = await Promise.all([
      read(misdirected.json.requestId as string, cfpc),
      read(aboutNothing.json.requestId as string, cfpc),
    ]);
    const unknown = await read(crypto.randomUUID(), cfpc);
    const byRequester = await read(aboutNothing.json.requestId as string, police);
    const byCompliance = await read(misdirected.json.requestId as string, compliance);

    expect(unknown.status).toBe(404);
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.text).toBe(unknown.text);
    }
    expect(byRequester.status).toBe(200);
    expect(byRequester.json).toMatchObject({ status: 'pending', caseId: MISSING_CASE });
    expect(byCompliance.status).toBe(403);
  });

  it('shows an emergency access to the agency that used it and to the owner', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const granted = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: police,
      user: 'officer-9',
      purpose: 'emergency',
      body: { justification: 'Child reported missing tonight', sections: ['report'] },
    });
    const accessId = granted.json.requestId as string;

    const byUser = await read(accessId, police);
    const byOwner = await read(accessId, cfpc);

    expect(granted.status, granted.text).toBe(201);
    expect(byUser.status).toBe(200);
    expect(byUser.json).toEqual(granted.json);
    expect(byOwner.json).toEqual(granted.json);
  });

  it('sends Location only on a 201 whose resource has a route, and that route answers', async () => {
    // Prepare and act: every 201 of the API.
    const created = await call('POST', '/v1/cases', {
      token: cfpc,
      user: 'caseworker-7',
      body: fullCaseBody(),
    });
    const caseId = created.json.caseId as string;
    const note = await call('POST', `/v1/cases/${caseId}/notes`, { token: cfpc, body: { text: 'Visited' } });
    const shared = await call('POST', `/v1/cases/${caseId}/shares`, {
      token: cfpc,
      body: {
        agency: 'police',
        sections: ['report'],
        purpose: 'child-protection',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const asked = await ask(caseId);
    const other = await createCase(cfpc, minimalCaseBody());
    const emergency = await call('POST', `/v1/cases/${other}/emergency-access`, {
      token: police,
      purpose: 'emergency',
      body: { justification: 'Child reported missing tonight', sections: ['report'] },
    });

    // Assess
    const located = [
      { response: created, token: cfpc, path: `/v1/cases/${caseId}` },
      { response: asked, token: police, path: `/v1/requests/${asked.json.requestId}` },
      { response: emergency, token: police, path: `/v1/requests/${emergency.json.requestId}` },
    ];
    for (const { response, token, path } of located) {
      expect(response.status, response.text).toBe(201);
      expect(response.headers.get('location')).toBe(path);
      const followed = await call('GET', path, { token, purpose: 'child-protection' });
      expect(followed.status, `${path}: ${followed.text}`).toBe(200);
    }
    for (const unlocated of [note, shared]) {
      expect(unlocated.status, unlocated.text).toBe(201);
      expect(unlocated.headers.get('location')).toBeNull();
    }
  });
});

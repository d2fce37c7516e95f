import { describe, expect, it } from 'vitest';
import { minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { tokensFor } from '../support/tokens';

/**
 * Object-level access: every case route × {owner, another agency, the compliance client}. Another
 * agency must not learn that the case exists: its 404 is byte-identical to a missing case's.
 */
const MISSING_CASE = '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11';

type Caller = 'owner' | 'otherAgency' | 'compliance';

interface CaseRoute {
  name: string;
  request(caseId: string, token: string): ReturnType<typeof call>;
  expected: Record<Caller, number>;
}

const routes: CaseRoute[] = [
  {
    name: 'GET /v1/cases/{caseId}',
    request: (caseId, token) => call('GET', `/v1/cases/${caseId}`, { token, purpose: 'child-protection' }),
    expected: { owner: 200, otherAgency: 404, compliance: 403 },
  },
  {
    name: 'PATCH /v1/cases/{caseId}',
    request: (caseId, token) =>
      call('PATCH', `/v1/cases/${caseId}`, {
        token,
        body: { urgency: 'medium' },
        headers: { 'if-match': '"1"' },
      }),
    expected: { owner: 200, otherAgency: 404, compliance: 403 },
  },
  {
    name: 'POST /v1/cases/{caseId}/notes',
    request: (caseId, token) =>
      call('POST', `/v1/cases/${caseId}/notes`, { token, body: { text: 'متابعة' } }),
    expected: { owner: 201, otherAgency: 404, compliance: 403 },
  },
];

const [owner, otherAgency, compliance] = await tokensFor('cfpc', 'police', 'compliance');

describe('case access matrix', () => {
  const tokens: Record<Caller, string> = { owner, otherAgency, compliance };

  for (const route of routes) {
    for (const caller of ['owner', 'otherAgency', 'compliance'] as const) {
      it(`${route.name} as ${caller} → ${route.expected[caller]}`, async () => {
        const created = await call('POST', '/v1/cases', { token: tokens.owner, body: minimalCaseBody() });
        const caseId = created.json.caseId as string;

        const response = await route.request(caseId, tokens[caller]);

        expect(response.status).toBe(route.expected[caller]);
        if (response.status === 404) {
          const missing = await route.request(MISSING_CASE, tokens[caller]);
          expect(missing.status).toBe(404);
          expect(response.text).toBe(missing.text);
          expect(response.headers.get('content-type')).toBe(missing.headers.get('content-type'));
        }
      });
    }
  }

  it('lists a case to its owner only; the compliance client may not list cases', async () => {
    const created = await call('POST', '/v1/cases', {
      token: tokens.owner,
      body: minimalCaseBody({ urgency: 'low' }),
    });
    const caseId = created.json.caseId as string;

    const asOwner = await call('GET', '/v1/cases?urgency=low&limit=100', { token: tokens.owner });
    const asOther = await call('GET', '/v1/cases?limit=100', { token: tokens.otherAgency });
    const asCompliance = await call('GET', '/v1/cases', { token: tokens.compliance });

    expect((asOwner.json.items as { caseId: string }[]).map((c) => c.caseId)).toContain(caseId);
    expect(asOther.status).toBe(200);
    // Other files share cases with the police meanwhile; this one was shared with no one.
    expect((asOther.json.items as { caseId: string }[]).map((c) => c.caseId)).not.toContain(caseId);
    expect(asCompliance.status).toBe(403);
  });

  it('lets another agency create its own cases, which the first cannot see', async () => {
    const created = await call('POST', '/v1/cases', { token: tokens.otherAgency, body: minimalCaseBody() });

    const asCreator = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: tokens.otherAgency,
      purpose: 'criminal-investigation',
    });
    const asFirst = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: tokens.owner,
      purpose: 'child-protection',
    });

    expect(created.status).toBe(201);
    expect(created.json.ownerAgency).toBe('police');
    expect(asCreator.status).toBe(200);
    expect(asFirst.status).toBe(404);
  });
});

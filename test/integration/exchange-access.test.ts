import { describe, expect, it } from 'vitest';
import { minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { createCase, hoursFromNow, MISSING_CASE, share } from '../support/exchange';
import { tokensFor } from '../support/tokens';

/**
 * Only the owner shares, revokes and decides; the owner and a grantee list grants. Callers: the owner (`cfpc`), an agency that sees the case
 * through a share (the grantee), an agency that cannot see it (a stranger: 404, the same bytes as a case
 * that does not exist), and the compliance client (no `exchange` scope: 403).
 */
type Caller = 'owner' | 'grantee' | 'stranger' | 'compliance';

interface ExchangeRoute {
  name: string;
  /** `other`: the agency other than the caller's, as a well-formed request names it. */
  request(caseId: string, token: string, other: string): ReturnType<typeof call>;
  expected: Record<Caller, number>;
}

const routes: ExchangeRoute[] = [
  {
    name: 'POST /v1/cases/{caseId}/shares',
    request: (caseId, token, other) =>
      call('POST', `/v1/cases/${caseId}/shares`, {
        token,
        body: {
          agency: other,
          sections: ['report'],
          purpose: 'child-protection',
          expiresAt: hoursFromNow(2),
        },
      }),
    expected: { owner: 201, grantee: 422, stranger: 404, compliance: 403 },
  },
  {
    name: 'DELETE /v1/cases/{caseId}/shares/{agency}',
    request: (caseId, token) => call('DELETE', `/v1/cases/${caseId}/shares/police`, { token }),
    expected: { owner: 204, grantee: 422, stranger: 404, compliance: 403 },
  },
  {
    name: 'GET /v1/cases/{caseId}/shares',
    request: (caseId, token) => call('GET', `/v1/cases/${caseId}/shares`, { token }),
    expected: { owner: 200, grantee: 200, stranger: 404, compliance: 403 },
  },
];

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

describe('exchange access matrix', () => {
  const tokens = { cfpc, police, compliance };

  /**
   * A case as the caller meets it: the Centre's case shared with the police (owner: the Centre; grantee:
   * the police), or a police case nobody shared (stranger: the Centre).
   */
  async function caseFor(caller: Caller) {
    if (caller === 'stranger') {
      const caseId = await createCase(tokens.police, minimalCaseBody());
      return { caseId, token: tokens.cfpc, other: 'police' };
    }
    const caseId = await createCase(tokens.cfpc, minimalCaseBody());
    await share(tokens.cfpc, caseId, { sections: ['report'] });
    if (caller === 'owner') return { caseId, token: tokens.cfpc, other: 'police' };
    if (caller === 'grantee') return { caseId, token: tokens.police, other: 'cfpc' };
    return { caseId, token: tokens.compliance, other: 'police' };
  }

  for (const route of routes) {
    for (const caller of ['owner', 'grantee', 'stranger', 'compliance'] as const) {
      it(`${route.name} as ${caller} → ${route.expected[caller]}`, async () => {
        const { caseId, token, other } = await caseFor(caller);

        const response = await route.request(caseId, token, other);

        expect(response.status, response.text).toBe(route.expected[caller]);
        if (response.status === 404) {
          const missing = await route.request(MISSING_CASE, token, other);
          expect(missing.status).toBe(404);
          expect(response.text).toBe(missing.text);
        }
        if (response.status === 422 && caller === 'grantee') expect(response.json.code).toBe('not-owner');
      });
    }
  }
});

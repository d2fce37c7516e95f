import { describe, expect, it } from 'vitest';
import type { GrantView } from '../../src/domain/exchange/schemas';
import { CANARIES, fullCaseBody, minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { auditEventsOf, createCase, hoursFromNow, MISSING_CASE, share } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/**
 * `GET /v1/cases/{caseId}/shares`: the owner sees every grant of its case, live and past; an agency with a
 * live grant sees its own; anyone else gets the 404 of a case that does not exist. Never case content.
 */
describe('listing the grants of a case', () => {
  const list = (caseId: string, token: string) =>
    call('GET', `/v1/cases/${caseId}/shares`, { token, user: 'caseworker-7' });

  const items = (response: Awaited<ReturnType<typeof list>>) => response.json.items as GrantView[];

  it('shows the owner every grant, live and past, and the grantee its own, without content', async () => {
    // Prepare: a share revoked, a share live, an approval, and an emergency access.
    const caseId = await createCase(cfpc, fullCaseBody());
    const first = await share(cfpc, caseId, { sections: ['identity'] });
    await call('DELETE', `/v1/cases/${caseId}/shares/police`, { token: cfpc, user: 'caseworker-7' });
    const second = await share(cfpc, caseId, { sections: ['report'], expiresAt: hoursFromNow(48) });
    const emergency = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: police,
      user: 'officer-9',
      purpose: 'emergency',
      body: { justification: 'Child reported missing tonight', sections: ['identity', 'report'] },
    });

    // Act
    const byOwner = await list(caseId, cfpc);
    const byGrantee = await list(caseId, police);

    // Assess
    expect(byOwner.status, byOwner.text).toBe(200);
    expect(items(byOwner).map((g) => [g.grantId, g.kind, g.agency, g.live])).toEqual([
      [emergency.json.requestId, 'emergency', 'police', true],
      [second.json.grantId, 'share', 'police', true],
      [first.json.grantId, 'share', 'police', false],
    ]);
    expect(items(byOwner)[2]).toMatchObject({
      sections: ['identity'],
      purpose: 'criminal-investigation',
      grantedBy: 'caseworker-7',
      revokedBy: 'caseworker-7',
      revokedAt: expect.any(String),
    });
    expect(items(byOwner)[1]).toEqual({ ...second.json, live: true });
    expect(items(byOwner)[0]).toMatchObject({ readOnly: true, grantedBy: 'officer-9', purpose: 'emergency' });
    expect(byGrantee.status).toBe(200);
    expect(byGrantee.json).toEqual(byOwner.json);
    for (const canary of Object.values(CANARIES)) expect(byOwner.text).not.toContain(canary);

    const events = (await auditEventsOf(compliance, caseId)).filter((e) => e.action === 'share.list');
    expect(events.map((e) => [e.agency, e.outcome])).toEqual([
      ['cfpc', 200],
      ['police', 200],
    ]);
  });

  it('answers a stranger, a former grantee and compliance as for a case that does not exist (or 403)', async () => {
    const shared = await createCase(cfpc, minimalCaseBody());
    await share(cfpc, shared, { sections: ['report'] });
    await call('DELETE', `/v1/cases/${shared}/shares/police`, { token: cfpc });
    const policeOwn = await createCase(police, minimalCaseBody());

    const formerGrantee = await list(shared, police);
    const stranger = await list(policeOwn, cfpc);
    const missing = await list(MISSING_CASE, cfpc);
    const byCompliance = await list(shared, compliance);
    const ownerOfNone = await list(policeOwn, police);

    expect(missing.status).toBe(404);
    for (const refused of [formerGrantee, stranger]) {
      expect(refused.status).toBe(404);
      expect(refused.text).toBe(missing.text);
    }
    expect(byCompliance.status).toBe(403);
    expect(ownerOfNone.status).toBe(200);
    expect(ownerOfNone.json).toEqual({ items: [] });
  });
});

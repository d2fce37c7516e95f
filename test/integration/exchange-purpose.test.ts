import { describe, expect, it } from 'vitest';
import { fullCaseBody } from '../support/cases';
import { call } from '../support/client';
import { auditEventsOf, createCase, MISSING_CASE, readAs, share } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/** A grant is read only under the purpose it was made for (DESIGN §7), and the access log names it (§6). */
describe('purpose bound to the grant', () => {
  it('reads a share under its own purpose only, and logs the grant used', async () => {
    // Prepare
    const caseId = await createCase(cfpc, fullCaseBody());
    const shared = await share(cfpc, caseId, { sections: ['report'], purpose: 'child-protection' });
    const grantId = shared.json.grantId as string;

    // Act
    const allowed = await readAs(police, caseId, 'child-protection');
    const otherPurpose = await readAs(police, caseId, 'criminal-investigation');
    const emergency = await readAs(police, caseId, 'emergency');
    const owner = await readAs(cfpc, caseId, 'research');

    // Assess
    expect(allowed.status, allowed.text).toBe(200);
    expect(Object.keys(allowed.json.sections as object)).toEqual(['report']);
    for (const refused of [otherPurpose, emergency]) {
      expect(refused.status).toBe(403);
      expect(refused.json.code).toBe('purpose-not-permitted');
      expect(refused.text).not.toContain('sections');
    }
    expect(owner.status).toBe(200);
    const reads = (await auditEventsOf(compliance, caseId)).filter((e) => e.action === 'case.read');
    expect(reads.map((e) => [e.agency, e.purpose, e.outcome, e.grantIds ?? null])).toEqual(
      expect.arrayContaining([
        ['police', 'child-protection', 200, [grantId]],
        ['police', 'criminal-investigation', 403, null],
        ['cfpc', 'research', 200, null],
      ]),
    );
  });

  it('reads an emergency grant only for the purpose emergency', async () => {
    const caseId = await createCase(cfpc, fullCaseBody());
    const granted = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: police,
      purpose: 'emergency',
      body: { justification: 'Child reported missing tonight', sections: ['identity'] },
    });

    const asEmergency = await readAs(police, caseId, 'emergency');
    const asInvestigation = await readAs(police, caseId, 'criminal-investigation');

    expect(asEmergency.status).toBe(200);
    expect(asInvestigation.status).toBe(403);
    const read = (await auditEventsOf(compliance, caseId)).find(
      (e) => e.action === 'case.read' && e.outcome === 200,
    );
    expect(read?.grantIds).toEqual([granted.json.requestId]);
  });

  it('still answers an agency with no grant exactly as for a case that does not exist', async () => {
    const caseId = await createCase(cfpc, fullCaseBody());

    const hidden = await readAs(police, caseId, 'child-protection');
    const missing = await readAs(police, MISSING_CASE, 'child-protection');

    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(missing.text);
  });
});

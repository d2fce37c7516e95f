import { describe, expect, it } from 'vitest';
import type { ReviewView } from '../../src/domain/reviews/schemas';
import { fullCaseBody, minimalCaseBody } from '../support/cases';
import { type CallResult, call } from '../support/client';
import { createCase, outboxOf, readAs, share } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

const breakGlass = (caseId: string, sections = ['identity', 'report']) =>
  call('POST', `/v1/cases/${caseId}/emergency-access`, {
    token: police,
    user: 'officer-9',
    purpose: 'emergency',
    body: { justification: 'Child reported missing tonight', sections },
  });

const revoke = (caseId: string) => call('DELETE', `/v1/cases/${caseId}/shares/police`, { token: cfpc });

const statuses = (responses: CallResult[]) => responses.map((r) => r.status).sort();

/**
 * Emergency access cannot be stacked or used to outrun the owner: one live grant per case and agency,
 * held by a conditional write; the owner's updates never wait on another agency's access; emergency
 * access soon after a revocation is flagged for compliance at high priority.
 */
describe('emergency access limits', () => {
  it('gives exactly one grant to parallel calls; the others are told its id and expiry', async () => {
    // Prepare
    const caseId = await createCase(cfpc, minimalCaseBody());

    // Act
    const answers = await Promise.all(Array.from({ length: 8 }, () => breakGlass(caseId)));
    const later = await breakGlass(caseId, ['report']);
    const grants = await call('GET', `/v1/cases/${caseId}/shares`, { token: cfpc });

    // Assess
    const granted = answers.filter((answer) => answer.status === 201);
    const refused = [...answers.filter((answer) => answer.status !== 201), later];
    expect(granted, answers.map((a) => a.text).join('\n')).toHaveLength(1);
    const winner = granted[0]?.json ?? {};
    expect(refused.map((r) => r.status)).toEqual(Array(8).fill(409));
    for (const answer of refused) {
      expect(answer.json).toMatchObject({
        code: 'emergency-access-live',
        grantId: winner.requestId,
        expiresAt: winner.expiresAt,
      });
    }
    expect((grants.json.items as { kind: string }[]).filter((g) => g.kind === 'emergency')).toHaveLength(1);
  });

  it('never fails the owner’s updates while another agency’s access is granted and revoked', async () => {
    // Prepare
    const caseId = await createCase(cfpc, minimalCaseBody());
    const statusesSet = ['under-assessment', 'referred', 'under-assessment', 'referred', 'closed'];

    // Act: the owner updates version after version while access changes under it.
    const owner = (async () => {
      const answers: CallResult[] = [];
      for (const [index, status] of statusesSet.entries()) {
        answers.push(
          await call('PATCH', `/v1/cases/${caseId}`, {
            token: cfpc,
            headers: { 'if-match': `"${index + 1}"` },
            body: { status },
          }),
        );
      }
      return answers;
    })();
    const access = (async () => {
      const answers: CallResult[] = [];
      for (let round = 0; round < 3; round++) {
        answers.push(
          ...(await Promise.all([breakGlass(caseId), share(cfpc, caseId, { sections: ['report'] })])),
        );
        answers.push(await revoke(caseId));
      }
      return answers;
    })();
    const [updates, changes] = await Promise.all([owner, access]);
    const listed = await call('GET', '/v1/cases?limit=100', { token: cfpc });

    // Assess
    expect(
      updates.map((u) => u.status),
      updates.map((u) => u.text).join('\n'),
    ).toEqual(Array(5).fill(200));
    expect(updates.at(-1)?.json).toMatchObject({ version: 6, status: 'closed' });
    expect(
      statuses(changes).filter((status) => status >= 400),
      changes.map((c) => c.text).join('\n'),
    ).toEqual([]);
    expect(
      (listed.json.items as { caseId: string; version: number }[]).find((c) => c.caseId === caseId),
    ).toMatchObject({ version: 6 });
  });

  it('lets the owner’s latest update show in the grantee’s listing even when access changed meanwhile', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    await breakGlass(caseId);

    const [updated] = await Promise.all([
      call('PATCH', `/v1/cases/${caseId}`, {
        token: cfpc,
        headers: { 'if-match': '"1"' },
        body: { status: 'referred' },
      }),
      share(cfpc, caseId, { sections: ['report'] }),
    ]);
    const listed = await call('GET', '/v1/cases?limit=100', { token: police });

    expect(updated.status).toBe(200);
    expect(
      (listed.json.items as { caseId: string; status: string }[]).find((c) => c.caseId === caseId),
    ).toMatchObject({ status: 'referred', version: 2 });
  });

  it('flags emergency access soon after a revocation at high priority, and tells owner and oversight at once', async () => {
    // Prepare: the police had the report for a criminal investigation; the Centre revoked it.
    const caseId = await createCase(cfpc, fullCaseBody());
    expect((await share(cfpc, caseId, { sections: ['report'] })).status).toBe(201);
    expect((await revoke(caseId)).status).toBe(204);

    // Act
    const granted = await breakGlass(caseId, ['identity', 'report']);
    const read = await readAs(police, caseId, 'emergency');
    const high = await call('GET', '/v1/audit/reviews?priority=high&kind=emergency-access&limit=100', {
      token: compliance,
      user: 'auditor-1',
    });

    // Assess: given (a child may be in danger now), but not quietly.
    expect(granted.status, granted.text).toBe(201);
    expect(Object.keys(read.json.sections as object).sort()).toEqual(['identity', 'report']);
    const review = (high.json.items as ReviewView[]).find(
      (item) => item.requestId === granted.json.requestId,
    );
    expect(review).toMatchObject({ priority: 'high', flags: ['after-revocation'], agency: 'police' });
    const notices = (await outboxOf(caseId)).map(({ event }) => [event.type, event.recipients]);
    expect(notices).toEqual(
      expect.arrayContaining([
        ['emergency-access.granted', ['cfpc']],
        ['emergency-access.after-revocation', ['cfpc', 'compliance']],
      ]),
    );
  });

  it('puts an emergency access with no revocation before it at normal priority', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());

    const granted = await breakGlass(caseId, ['report']);
    const high = await call('GET', '/v1/audit/reviews?priority=high&limit=100', {
      token: compliance,
      user: 'auditor-1',
    });
    const all = await call('GET', '/v1/audit/reviews?kind=emergency-access&limit=100', {
      token: compliance,
      user: 'auditor-1',
    });

    expect(granted.status).toBe(201);
    const mine = (items: unknown) =>
      (items as ReviewView[]).filter((r) => r.requestId === granted.json.requestId);
    expect(mine(high.json.items)).toEqual([]);
    expect(mine(all.json.items)).toMatchObject([{ priority: 'normal' }]);
    expect((await outboxOf(caseId)).map(({ event }) => event.type)).toEqual(['emergency-access.granted']);
  });
});

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { grantItem, listingItem } from '../../src/adapters/dynamodb/cases-layout';
import type { CaseMetadata } from '../../src/domain/cases/schemas';
import { CANARIES, fullCaseBody, minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import {
  auditEventsOf,
  createCase,
  deliveredOutboxOf,
  hoursFromNow,
  listedCaseIds,
  localTables,
  MISSING_CASE,
  readAs,
  share,
} from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/**
 * Shares between the Child & Family Protection Centre (`cfpc`) and the police, over HTTP on the local
 * stack: what a share shows, to whom, for how long, and what each step leaves in the access log and the
 * event outbox.
 */
describe('sharing a case with another agency', () => {
  it('runs the Centre ↔ police story: share identity and report, read, list, note, revoke, gone', async () => {
    // Prepare
    const body = fullCaseBody();
    const caseId = await createCase(cfpc, body);
    const before = await readAs(police, caseId);

    // Act
    const shared = await share(cfpc, caseId, { sections: ['report', 'identity'] });
    const read = await readAs(police, caseId);
    const listed = await listedCaseIds(police);
    const note = await call('POST', `/v1/cases/${caseId}/notes`, {
      token: police,
      user: 'officer-3',
      body: { kind: 'police-response', text: 'Patrol visited the home; report PGC-2026-118' },
    });
    const ownerRead = await readAs(cfpc, caseId, 'child-protection');
    const revoked = await call('DELETE', `/v1/cases/${caseId}/shares/police`, {
      token: cfpc,
      user: 'caseworker-7',
    });
    const after = await readAs(police, caseId);
    const missing = await readAs(police, MISSING_CASE);
    const listedAfter = await listedCaseIds(police);
    const noteAfter = await call('POST', `/v1/cases/${caseId}/notes`, {
      token: police,
      user: 'officer-3',
      body: { text: 'one more' },
    });
    const revokedAgain = await call('DELETE', `/v1/cases/${caseId}/shares/police`, { token: cfpc });

    // Assess
    expect(before.status).toBe(404);
    expect(shared.status, shared.text).toBe(201);
    expect(shared.json).toMatchObject({
      caseId,
      agency: 'police',
      kind: 'share',
      sections: ['identity', 'report'],
      purpose: 'criminal-investigation',
      grantedBy: 'caseworker-7',
      readOnly: false,
    });
    expect(read.status).toBe(200);
    expect(Object.keys(read.json.sections as object).sort()).toEqual(['identity', 'report']);
    expect(read.json.sections).toEqual({ identity: body.sections.identity, report: body.sections.report });
    expect(read.text).not.toContain(CANARIES.reporterName);
    expect(read.text).not.toContain(CANARIES.assessment);
    expect(listed).toContain(caseId);
    expect(note.status).toBe(201);
    expect((ownerRead.json.notes as { agency: string }[]).map((n) => n.agency)).toEqual(['police']);
    expect(revoked.status).toBe(204);
    expect(after.status).toBe(404);
    expect(after.text).toBe(missing.text);
    expect(listedAfter).not.toContain(caseId);
    expect(noteAfter.status).toBe(404);
    expect(revokedAgain.status).toBe(404);

    const events = await auditEventsOf(compliance, caseId);
    expect(events.map((e) => [e.action, e.agency, e.outcome])).toEqual([
      ['case.create', 'cfpc', 201],
      ['case.read', 'police', 404],
      ['case.share', 'cfpc', 201],
      ['case.read', 'police', 200],
      ['case.note', 'police', 201],
      ['case.read', 'cfpc', 200],
      ['case.revoke', 'cfpc', 204],
      ['case.read', 'police', 404],
      ['case.note', 'police', 404],
      ['case.revoke', 'cfpc', 404],
    ]);
    // Published off the request path, by the outbox processor on the Cases stream: wait for it.
    const outbox = await deliveredOutboxOf(caseId, 2);
    expect(outbox.map(({ event }) => [event.type, event.recipients, event.actorAgency])).toEqual([
      ['share.created', ['police'], 'cfpc'],
      ['share.revoked', ['police'], 'cfpc'],
    ]);
    expect(outbox.every((entry) => entry.publishedAt !== undefined)).toBe(true);
    expect(outbox[0]?.event).toMatchObject({
      sections: ['identity', 'report'],
      grantId: shared.json.grantId,
    });
  });

  it('keeps the grantee’s listing in step with the owner’s updates', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'medium' }));
    await share(cfpc, caseId, { sections: ['report'] });

    const updated = await call('PATCH', `/v1/cases/${caseId}`, {
      token: cfpc,
      body: { status: 'intervention', urgency: 'high' },
      headers: { 'if-match': '"1"' },
    });
    const page = await call('GET', '/v1/cases?status=intervention&limit=100', { token: police });

    expect(updated.status).toBe(200);
    const item = (page.json.items as CaseMetadata[]).find((c) => c.caseId === caseId);
    expect(item).toMatchObject({ ownerAgency: 'cfpc', status: 'intervention', urgency: 'high', version: 2 });
  });

  it('never leaves the listing stale when shares and updates race', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody({ urgency: 'low' }));
    await share(cfpc, caseId, { sections: ['report'] });

    // Each update expects the version before it; shares race with every one of them.
    for (const [version, status] of [
      [1, 'under-assessment'],
      [2, 'intervention'],
      [3, 'referred'],
    ] as const) {
      const results = await Promise.all([
        call('PATCH', `/v1/cases/${caseId}`, {
          token: cfpc,
          body: { status },
          headers: { 'if-match': `"${version}"` },
        }),
        share(cfpc, caseId, { sections: ['report'] }),
        share(cfpc, caseId, { sections: ['identity'] }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 201, 201]);
    }
    const page = await call('GET', '/v1/cases?urgency=low&limit=100', { token: police });

    const item = (page.json.items as CaseMetadata[]).find((c) => c.caseId === caseId);
    expect(item).toMatchObject({ status: 'referred', version: 4 });
  });

  it('shares the reporter section only when it is named', async () => {
    const caseId = await createCase(cfpc);

    await share(cfpc, caseId, { sections: ['identity', 'assessment', 'police'] });
    const without = await readAs(police, caseId);
    await share(cfpc, caseId, { sections: ['reporter'] });
    const withReporter = await readAs(police, caseId);

    expect(Object.keys(without.json.sections as object).sort()).toEqual(['assessment', 'identity', 'police']);
    expect(without.text).not.toContain(CANARIES.reporterName);
    expect(Object.keys(withReporter.json.sections as object).sort()).toEqual([
      'assessment',
      'identity',
      'police',
      'reporter',
    ]);
  });

  it('ends a share at its expiry, on every read and in the listing, before any TTL', async () => {
    // Prepare: a grant that expired a minute ago, with its listing entry, as a past share leaves them.
    const created = await call('POST', '/v1/cases', { token: cfpc, body: fullCaseBody() });
    const meta = created.json as unknown as CaseMetadata;
    const caseId = meta.caseId;
    const expiredAt = new Date(Date.now() - 60_000).toISOString();
    const tables = localTables();
    await tables.send(
      new PutCommand({
        TableName: stack.tables.Cases,
        Item: grantItem({
          grantId: crypto.randomUUID(),
          caseId,
          agency: 'police',
          kind: 'share',
          sections: ['identity', 'report'],
          purpose: 'criminal-investigation',
          expiresAt: expiredAt,
          grantedAt: new Date(Date.now() - 3_600_000).toISOString(),
          grantedBy: 'caseworker-7',
          readOnly: false,
        }),
      }),
    );
    await tables.send(
      new PutCommand({ TableName: stack.tables.Cases, Item: listingItem(meta, 'police', expiredAt) }),
    );

    // Act
    const read = await readAs(police, caseId);
    const missing = await readAs(police, MISSING_CASE);
    const listed = await listedCaseIds(police);
    const note = await call('POST', `/v1/cases/${caseId}/notes`, { token: police, body: { text: 'late' } });
    const revoke = await call('DELETE', `/v1/cases/${caseId}/shares/police`, { token: cfpc });

    // Assess
    expect(read.status).toBe(404);
    expect(read.text).toBe(missing.text);
    expect(listed).not.toContain(caseId);
    expect(note.status).toBe(404);
    expect(revoke.status).toBe(404);
  });

  it('refuses a share with yourself, an unknown agency, an unknown section or a bad expiry (422)', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());

    const cases = [
      [{ agency: 'cfpc', sections: ['report'] }, 'own-agency', 'body.agency'],
      [{ agency: 'compliance', sections: ['report'] }, 'unknown-agency', 'body.agency'],
      [{ agency: 'health-authority', sections: ['report'] }, 'unknown-agency', 'body.agency'],
      [{ sections: ['report', 'finances'] }, 'unknown-section', 'body.sections'],
      [{ sections: ['report'], expiresAt: hoursFromNow(-1) }, 'expiry-not-in-future', 'body.expiresAt'],
      [{ sections: ['report'], expiresAt: hoursFromNow(24 * 400) }, 'expiry-too-late', 'body.expiresAt'],
    ] as const;
    for (const [body, code, path] of cases) {
      const response = await share(cfpc, caseId, { ...body, sections: [...body.sections] });
      expect(response.status, code).toBe(422);
      expect(response.json).toMatchObject({ code, errors: [expect.objectContaining({ path })] });
    }
    const read = await readAs(police, caseId);
    expect(read.status).toBe(404);
  });

  it('refuses malformed share bodies with 400', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());

    const responses = await Promise.all(
      [
        { agency: 'police', sections: [], purpose: 'research', expiresAt: hoursFromNow(1) },
        { agency: 'police', sections: ['Report'], purpose: 'research', expiresAt: hoursFromNow(1) },
        { agency: 'police', sections: ['report'], purpose: 'curiosity', expiresAt: hoursFromNow(1) },
        { agency: 'police', sections: ['report'], purpose: 'research', expiresAt: 'tomorrow' },
        { agency: 'police', sections: ['report'], purpose: 'research' },
        { agency: 'police', sections: ['report'], purpose: 'research', expiresAt: hoursFromNow(1), x: 1 },
      ].map((body) => call('POST', `/v1/cases/${caseId}/shares`, { token: cfpc, body })),
    );

    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
  });
});

import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/domain/exchange/schemas';
import type { ReviewView } from '../../src/domain/reviews/schemas';
import { CANARIES, fullCaseBody, minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import {
  auditEventsOf,
  createCase,
  listedCaseIds,
  MISSING_CASE,
  outboxOf,
  readAs,
} from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/** Break-glass access: immediate, short, read-only, and on the compliance review list until closed. */
describe('emergency access and its review', () => {
  const breakGlass = (
    caseId: string,
    options: { purpose?: string; sections?: string[]; token?: string } = {},
  ) =>
    call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: options.token ?? police,
      user: 'officer-9',
      ...(options.purpose === '' ? {} : { purpose: options.purpose ?? 'emergency' }),
      body: {
        justification: 'Child reported missing tonight; need the family address and the report',
        sections: options.sections ?? ['identity', 'report'],
      },
    });

  const reviews = async (query = '') => {
    const response = await call('GET', `/v1/audit/reviews?limit=100${query}`, {
      token: compliance,
      user: 'auditor-1',
    });
    expect(response.status).toBe(200);
    return response.json.items as ReviewView[];
  };

  it('reads at once, read-only, is listed for compliance, and is closed with a finding', async () => {
    // Prepare
    const body = fullCaseBody();
    const caseId = await createCase(cfpc, body);

    // Act
    const granted = await breakGlass(caseId);
    const accessId = granted.json.requestId as string;
    const read = await readAs(police, caseId, 'emergency');
    const note = await call('POST', `/v1/cases/${caseId}/notes`, { token: police, body: { text: 'found' } });
    const listed = await listedCaseIds(police);
    const ownerBox = await call('GET', '/v1/requests?box=incoming&kind=emergency-access&limit=100', {
      token: cfpc,
    });
    const open = await reviews('&kind=emergency-access');
    const review = open.find((item) => item.requestId === accessId);
    const closed = await call('POST', `/v1/audit/reviews/${review?.reviewId}`, {
      token: compliance,
      user: 'auditor-1',
      body: { outcome: 'justified', finding: 'Missing-child report confirmed by the duty officer' },
    });
    const closedAgain = await call('POST', `/v1/audit/reviews/${review?.reviewId}`, {
      token: compliance,
      user: 'auditor-1',
      body: { outcome: 'not-justified', finding: 'second thoughts' },
    });
    const stillOpen = (await reviews()).map((item) => item.reviewId);
    const closedList = (await reviews('&status=closed')).map((item) => item.reviewId);

    // Assess
    expect(granted.status, granted.text).toBe(201);
    expect(granted.json).toMatchObject({
      kind: 'emergency-access',
      caseId,
      fromAgency: 'police',
      toAgency: 'cfpc',
      requestedBy: 'officer-9',
      purpose: 'emergency',
      status: 'granted',
      sections: ['identity', 'report'],
    });
    const lasts = Date.parse(granted.json.expiresAt as string) - Date.parse(granted.json.createdAt as string);
    expect(lasts).toBe(4 * 3_600_000);
    expect(read.status).toBe(200);
    expect(Object.keys(read.json.sections as object).sort()).toEqual(['identity', 'report']);
    expect(read.text).not.toContain(CANARIES.reporterName);
    expect(note.status).toBe(422);
    expect(note.json.code).toBe('read-only-access');
    expect(listed).toContain(caseId);
    expect((ownerBox.json.items as RequestView[]).map((r) => r.requestId)).toContain(accessId);
    expect(review).toMatchObject({
      kind: 'emergency-access',
      status: 'open',
      caseId,
      agency: 'police',
      user: 'officer-9',
      sections: ['identity', 'report'],
      justification: expect.stringContaining('missing'),
    });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.json).toMatchObject({
      status: 'closed',
      closure: { outcome: 'justified', closedBy: 'auditor-1' },
    });
    expect(closedAgain.status).toBe(409);
    expect(stillOpen).not.toContain(review?.reviewId);
    expect(closedList).toContain(review?.reviewId);

    const events = await auditEventsOf(compliance, caseId);
    const emergency = events.find((e) => e.action === 'case.emergency-access');
    expect(emergency).toMatchObject({
      agency: 'police',
      user: 'officer-9',
      purpose: 'emergency',
      outcome: 201,
    });
    expect(review?.auditEventId).toBe(emergency?.eventId);
    expect(events.map((e) => [e.action, e.agency, e.outcome, e.purpose ?? null])).toEqual(
      expect.arrayContaining([
        ['case.read', 'police', 200, 'emergency'],
        ['case.note', 'police', 422, null],
        ['review.close', 'compliance', 200, null],
        ['review.close', 'compliance', 409, null],
      ]),
    );
    expect((await outboxOf(caseId)).map(({ event }) => [event.type, event.recipients])).toEqual([
      ['emergency-access.granted', ['cfpc']],
    ]);
  });

  it('needs the purpose emergency, never opens the reporter, and is not for the owner', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());

    const noPurpose = await breakGlass(caseId, { purpose: '' });
    const otherPurpose = await breakGlass(caseId, { purpose: 'criminal-investigation' });
    const reporter = await breakGlass(caseId, { sections: ['report', 'reporter'] });
    const owner = await breakGlass(caseId, { token: cfpc });
    const missing = await breakGlass(MISSING_CASE);
    const read = await readAs(police, caseId, 'emergency');

    expect(noPurpose.status).toBe(400);
    expect(otherPurpose.status).toBe(422);
    expect(otherPurpose.json.code).toBe('emergency-purpose-required');
    expect(reporter.status).toBe(422);
    expect(reporter.json.code).toBe('reporter-sealed');
    expect(owner.status).toBe(422);
    expect(missing.status).toBe(404);
    expect(read.status).toBe(404);
  });

  it('ends when the owner revokes the agency’s access', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    await breakGlass(caseId, { sections: ['report'] });

    const revoked = await call('DELETE', `/v1/cases/${caseId}/shares/police`, { token: cfpc });
    const read = await readAs(police, caseId, 'emergency');

    expect(revoked.status).toBe(204);
    expect(read.status).toBe(404);
    expect(await listedCaseIds(police)).not.toContain(caseId);
  });

  it('closes a review once per Idempotency-Key: a retry gets the first answer, another body 422', async () => {
    // Prepare
    const caseId = await createCase(cfpc, minimalCaseBody());
    const accessId = (await breakGlass(caseId, { sections: ['report'] })).json.requestId as string;
    const review = (await reviews('&kind=emergency-access')).find((item) => item.requestId === accessId);
    const key = `close-${crypto.randomUUID()}`;
    const close = (
      body: Record<string, unknown>,
      headers: Record<string, string> = { 'idempotency-key': key },
    ) =>
      call('POST', `/v1/audit/reviews/${review?.reviewId}`, {
        token: compliance,
        user: 'auditor-1',
        body,
        headers,
      });
    const finding = { outcome: 'justified', finding: 'Missing-child report confirmed by the duty officer' };

    // Act
    const first = await close(finding);
    const retry = await close(finding);
    const reused = await close({ ...finding, outcome: 'not-justified' });
    const withoutKey = await close(finding, {});

    // Assess
    expect(first.status, first.text).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe('idempotency-key-reused');
    expect(withoutKey.status).toBe(409);
    expect(withoutKey.json.code).toBe('already-closed');
    // Closed once: the replay and the refused body ran no operation, so their events name no case.
    const closures = (await auditEventsOf(compliance, caseId)).filter((e) => e.action === 'review.close');
    expect(closures.map((e) => e.outcome).sort()).toEqual([200, 409]);
  });

  it('keeps the review list to compliance: agencies get 403, an unknown review 404', async () => {
    const asAgency = await call('GET', '/v1/audit/reviews', { token: cfpc });
    const closeAsAgency = await call('POST', `/v1/audit/reviews/${crypto.randomUUID()}`, {
      token: police,
      body: { outcome: 'justified', finding: 'mine' },
    });
    const unknown = await call('POST', `/v1/audit/reviews/${crypto.randomUUID()}`, {
      token: compliance,
      body: { outcome: 'justified', finding: 'nothing' },
    });

    expect(asAgency.status).toBe(403);
    expect(closeAsAgency.status).toBe(403);
    expect(unknown.status).toBe(404);
  });
});

import { describe, expect, it } from 'vitest';
import { fullCaseBody, minimalCaseBody } from '../support/cases';
import { call } from '../support/client';
import { tokensFor } from '../support/tokens';

const [cfpc, police] = await tokensFor('cfpc', 'police');

describe('case records over HTTP', () => {
  it('creates a case and reads it back whole, Arabic and Latin text byte for byte', async () => {
    const body = fullCaseBody();

    const created = await call('POST', '/v1/cases', { token: cfpc, body });
    const read = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: cfpc,
      purpose: 'child-protection',
    });

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/cases/${created.json.caseId}`);
    expect(created.json).toMatchObject({
      ownerAgency: 'cfpc',
      category: 'neglect',
      urgency: 'high',
      status: 'received',
      version: 1,
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    const expectedSections = structuredClone(body.sections) as Record<string, Record<string, unknown>>;
    expect(read.json.sections).toEqual(expectedSections);
    expect(read.json.notes).toEqual([]);
  });

  it('updates with If-Match, refuses without it (428) and with a stale version (412)', async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });
    const path = `/v1/cases/${created.json.caseId}`;

    const missing = await call('PATCH', path, { token: cfpc, body: { status: 'under-assessment' } });
    const updated = await call('PATCH', path, {
      token: cfpc,
      body: { status: 'under-assessment' },
      headers: { 'if-match': '"1"' },
    });
    const stale = await call('PATCH', path, {
      token: cfpc,
      body: { status: 'closed' },
      headers: { 'if-match': '"1"' },
    });

    expect(missing.status).toBe(428);
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(updated.json).toMatchObject({ status: 'under-assessment', version: 2 });
    expect(stale.status).toBe(412);
  });

  it('hides a case from another agency: 404 identical to a case that does not exist', async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });

    const other = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: police,
      purpose: 'criminal-investigation',
    });
    const missing = await call('GET', '/v1/cases/2b7e1516-28ae-4d2a-abf7-158809cf4f3c', {
      token: police,
      purpose: 'criminal-investigation',
    });

    expect(other.status).toBe(404);
    expect(other.text).toBe(missing.text);
  });

  it('adds a note and shows it to the owner', async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });
    const path = `/v1/cases/${created.json.caseId}`;

    const note = await call('POST', `${path}/notes`, {
      token: cfpc,
      body: { kind: 'update', text: 'زيارة منزلية اليوم' },
    });
    const read = await call('GET', path, { token: cfpc, purpose: 'child-protection' });

    expect(note.status).toBe(201);
    expect(read.json.notes).toEqual([
      expect.objectContaining({ agency: 'cfpc', text: 'زيارة منزلية اليوم', kind: 'update' }),
    ]);
  });

  it('lists newest first with filters and cursor paging, metadata only', async () => {
    const region = { emirate: 'fujairah', city: `paging-${Date.now()}` };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await call('POST', '/v1/cases', {
        token: police,
        body: minimalCaseBody({ urgency: 'medium', region }),
      });
      ids.push(created.json.caseId as string);
    }
    const since = (
      await call('GET', `/v1/cases/${ids[0]}`, { token: police, purpose: 'criminal-investigation' })
    ).json.updatedAt;

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({
        urgency: 'medium',
        updatedSince: String(since),
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const page = await call('GET', `/v1/cases?${query}`, { token: police });
      expect(page.status).toBe(200);
      const items = page.json.items as Record<string, unknown>[];
      expect(items.length).toBeLessThanOrEqual(2);
      for (const item of items) {
        expect(item).not.toHaveProperty('sections');
        expect(item.urgency).toBe('medium');
        seen.push(item.caseId as string);
      }
      cursor = page.json.nextCursor as string | undefined;
      pages += 1;
    } while (cursor && pages < 20);

    const ours = seen.filter((id) => ids.includes(id));
    expect(ours).toEqual([...ids].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('refuses a cursor that does not belong to the caller (400)', async () => {
    const forged = Buffer.from(
      JSON.stringify({ pk: 'CASE#x', sk: 'CASE', gsi1pk: 'ACCESS#cfpc', gsi1sk: 'z' }),
    ).toString('base64url');

    const response = await call('GET', `/v1/cases?cursor=${forged}`, { token: police });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'query.cursor', message: 'invalid cursor' }]);
  });

  it('refuses unknown keys, missing fields and oversized strings with 400 naming each path', async () => {
    const body = minimalCaseBody({ extra: true, urgency: 'someday' }) as Record<string, unknown>;
    (body.sections as { report: Record<string, unknown> }).report.narrative = 'x'.repeat(20_001);

    const response = await call('POST', '/v1/cases', { token: cfpc, body });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const paths = (response.json.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body', 'body.urgency', 'body.sections.report.narrative']));
  });

  it('needs X-Himaya-Purpose to read case content', async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });

    const response = await call('GET', `/v1/cases/${created.json.caseId}`, { token: cfpc });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'headers.x-himaya-purpose', message: 'required' }]);
    expect(response.text).not.toContain('بلاغ');
  });

  it('replays a retried create with the same Idempotency-Key and refuses the key with another body', async () => {
    const key = `create-${crypto.randomUUID()}`;
    const body = minimalCaseBody();

    const first = await call('POST', '/v1/cases', { token: cfpc, body, headers: { 'idempotency-key': key } });
    const retry = await call('POST', '/v1/cases', { token: cfpc, body, headers: { 'idempotency-key': key } });
    const reused = await call('POST', '/v1/cases', {
      token: cfpc,
      body: minimalCaseBody({ urgency: 'low' }),
      headers: { 'idempotency-key': key },
    });
    const otherClient = await call('POST', '/v1/cases', {
      token: police,
      body,
      headers: { 'idempotency-key': key },
    });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe('idempotency-key-reused');
    expect(otherClient.status).toBe(201);
    expect(otherClient.json.caseId).not.toBe(first.json.caseId);
  });

  it('lets exactly one of 20 concurrent PATCHes with the same If-Match win', async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });
    const path = `/v1/cases/${created.json.caseId}`;

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('PATCH', path, {
          token: cfpc,
          body: { status: i % 2 ? 'intervention' : 'referred' },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const read = await call('GET', path, { token: cfpc, purpose: 'child-protection' });
    expect(read.json.version).toBe(2);
  });

  it('removes a section with null and replaces another, leaving the rest untouched', async () => {
    const body = fullCaseBody();
    const created = await call('POST', '/v1/cases', { token: cfpc, body });
    const path = `/v1/cases/${created.json.caseId}`;
    const assessment = { riskLevel: 'critical', summary: 'خطر مرتفع', findings: [] };

    const updated = await call('PATCH', path, {
      token: cfpc,
      body: { sections: { reporter: null, assessment } },
      headers: { 'if-match': created.headers.get('etag') ?? '' },
    });
    const read = await call('GET', path, { token: cfpc, purpose: 'child-protection' });

    expect(updated.status).toBe(200);
    const sections = read.json.sections as Record<string, unknown>;
    expect(sections).not.toHaveProperty('reporter');
    expect(sections.assessment).toEqual(assessment);
    expect(sections.identity).toEqual(body.sections.identity);
  });

  it('keeps Arabic text in NFC byte for byte', async () => {
    const nfc = 'إبلاغ عن طفلٍ مُهمَل في الشارقة'.normalize('NFC');
    const body = minimalCaseBody();
    (body.sections as { report: Record<string, unknown> }).report.narrative = nfc;

    const created = await call('POST', '/v1/cases', { token: cfpc, body });
    const read = await call('GET', `/v1/cases/${created.json.caseId}`, {
      token: cfpc,
      purpose: 'child-protection',
    });

    const narrative = (read.json.sections as { report: { narrative: string } }).report.narrative;
    expect(Buffer.from(narrative, 'utf8').equals(Buffer.from(nfc, 'utf8'))).toBe(true);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { fullCaseBody, minimalCaseBody } from '../support/cases';
import { call, tokenFor } from '../support/client';

describe('case records over HTTP', () => {
  let cfpc: string;
  let police: string;

  beforeAll(async () => {
    [cfpc, police] = await Promise.all([tokenFor('cfpc'), tokenFor('police')]);
  });

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
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '../../lib/function-bundles';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { fetchChecked } from '../support/contract';

/**
 * What deploys is what is tested: a stack of its own serves the API from the functions' bundles (the
 * files CDK uploads, lib/function-bundles.ts), and the README's quick start and exchange story run
 * through them.
 */
describe('the README flows through the built bundles', () => {
  let local: LocalStack;
  let dataDir: string;
  let tokens: Record<'cfpc' | 'police', string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'himaya-bundles-'));
    local = await startLocalStack({ dataDir, inMemory: true, port: 0, bundles: true, sealer: false });
    tokens = { cfpc: await local.issuer.issue('cfpc'), police: await local.issuer.issue('police') };
  });
  afterAll(async () => {
    await local?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const send = async (
    agency: 'cfpc' | 'police' | null,
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { 'x-himaya-user': 'officer-3', ...options.headers };
    if (agency) headers.authorization = `Bearer ${tokens[agency]}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetchChecked(`${local.endpoints.gateway}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
  const purpose = (value: string) => ({ headers: { 'x-himaya-purpose': value } });

  it('loads every function from its bundle', () => {
    for (const fn of LAMBDA_FUNCTIONS) {
      expect(local.functionModule(fn)).toMatch(new RegExp(`/bundles/${fn}/index\\.mjs$`));
    }
  });

  it('quick start: health, agencies, 401 without a token, create, read, update, 404 to another agency', async () => {
    expect((await send(null, 'GET', '/v1/health')).json).toEqual({ status: 'ok' });
    expect((await send('police', 'GET', '/v1/agencies')).status).toBe(200);
    expect((await send(null, 'GET', '/v1/agencies')).status).toBe(401);
    const created = await send('cfpc', 'POST', '/v1/cases', {
      headers: { 'idempotency-key': 'report-2026-0001' },
      body: {
        category: 'neglect',
        urgency: 'high',
        region: { emirate: 'sharjah', city: 'Khor Fakkan' },
        sections: {
          identity: {
            children: [{ name: { ar: 'مريم أحمد', en: 'Maryam Ahmed' }, dateOfBirth: '2015-03-02' }],
          },
          report: {
            receivedAt: '2026-11-20T08:15:00Z',
            channel: 'school',
            narrative: 'غياب متكرر عن المدرسة',
          },
        },
      },
    });
    expect(created.status).toBe(201);
    const caseId = created.json.caseId as string;
    const read = await send('cfpc', 'GET', `/v1/cases/${caseId}`, purpose('child-protection'));
    expect(read.json.sections.identity.children[0].name.ar).toBe('مريم أحمد');
    const updated = await send('cfpc', 'PATCH', `/v1/cases/${caseId}`, {
      headers: { 'if-match': '"1"' },
      body: { status: 'under-assessment' },
    });
    expect(updated.json.status).toBe('under-assessment');
    expect((await send('police', 'GET', `/v1/cases/${caseId}`, purpose('child-protection'))).status).toBe(
      404,
    );
  });

  it('exchange: a match finds the case, share two sections, the police read exactly those, revoke, 404 again', async () => {
    const created = await send('cfpc', 'POST', '/v1/cases', {
      body: {
        category: 'neglect',
        urgency: 'high',
        region: { emirate: 'sharjah' },
        sections: {
          identity: { children: [{ name: { en: 'Maryam Ahmed' }, dateOfBirth: '2015-03-02' }] },
          report: { receivedAt: '2026-11-20T08:15:00Z', channel: 'school', narrative: 'Repeated absence' },
          assessment: { riskLevel: 'high', summary: 'Home visit needed' },
        },
      },
    });
    const caseId = created.json.caseId as string;
    const found = await send('police', 'POST', '/v1/matches', {
      body: { name: { ar: 'مَريم احمد' }, dateOfBirth: '2015-03-02' },
      ...purpose('criminal-investigation'),
    });
    expect(found.status).toBe(200);
    expect(found.json.matches).toContainEqual({ agency: 'cfpc', caseId, strength: 'name-dob' });
    const shared = await send('cfpc', 'POST', `/v1/cases/${caseId}/shares`, {
      body: {
        agency: 'police',
        sections: ['identity', 'report'],
        purpose: 'criminal-investigation',
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      },
    });
    expect(shared.status).toBe(201);
    const seen = await send('police', 'GET', `/v1/cases/${caseId}`, purpose('criminal-investigation'));
    expect(Object.keys(seen.json.sections).sort()).toEqual(['identity', 'report']);
    expect((await send('cfpc', 'DELETE', `/v1/cases/${caseId}/shares/police`)).status).toBe(204);
    expect(
      (await send('police', 'GET', `/v1/cases/${caseId}`, purpose('criminal-investigation'))).status,
    ).toBe(404);
  });
});

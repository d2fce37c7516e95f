import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../local/gateway';
import { openIssuer } from '../../local/issuer';
import { refusalLog } from '../../local/refusal-log';
import { readDirectoryFile } from '../../local/stack';
import { dynamoDbAuditStore } from '../../src/adapters/dynamodb/audit-store';
import type { AuditEvent } from '../../src/domain/audit/event';
import { refusalEvent } from '../../src/http/gateway-refusal';
import { waitFor } from '../support/audit-log';
import { type CallOptions, call, stack } from '../support/client';
import { fetchChecked } from '../support/contract';
import { auditEventsOf, localTables } from '../support/exchange';
import { tokensFor } from '../support/tokens';

const [cfpc, compliance] = await tokensFor('cfpc', 'compliance');

/** The access-log events of a case id no one else uses, once `count` of them are listed. */
async function eventsAbout(caseId: string, count: number): Promise<AuditEvent[]> {
  return waitFor(`${count} events about ${caseId}`, async () => {
    const events = await auditEventsOf(compliance, caseId);
    return events.length >= count ? events : undefined;
  });
}

/** `%3x` for the first character of an id: the same resource, spelled another way. */
const encodedFirst = (id: string) => `%${id.charCodeAt(0).toString(16)}${id.slice(1)}`;

describe('requests refused before any function runs are in the access log', () => {
  const kinds: [string, number, (id: string) => [string, string, CallOptions], Partial<AuditEvent>][] = [
    [
      'no token (401), the path percent-encoded',
      401,
      (id) => ['GET', `/v1/cases/${encodedFirst(id)}`, {}],
      { agency: null, clientId: null, action: 'case.read' },
    ],
    [
      'a verified token without the scope (403), with its client',
      403,
      (id) => ['GET', `/v1/cases/${id}`, { token: compliance, purpose: 'child-protection' }],
      { agency: 'compliance', clientId: 'compliance', action: 'case.read' },
    ],
    ['no such route (404)', 404, (id) => ['GET', `/v1/cases/${id}/nothing`, { token: cfpc }], {}],
    ['no such method (405)', 405, (id) => ['PUT', `/v1/cases/${id}`, { token: cfpc }], {}],
    [
      'a body over the limit (413)',
      413,
      (id) => [
        'POST',
        `/v1/cases/${id}/notes`,
        { token: cfpc, rawBody: 'x'.repeat(300 * 1024), headers: { 'content-type': 'application/json' } },
      ],
      // Refused before its route is looked up, as API Gateway does.
      { agency: null, action: 'request.refused' },
    ],
    [
      'a body that is not JSON (415)',
      415,
      (id) => [
        'POST',
        `/v1/cases/${id}/notes`,
        { token: cfpc, rawBody: 'text', headers: { 'content-type': 'text/plain' } },
      ],
      { agency: 'cfpc', action: 'case.note' },
    ],
  ];

  it.each(kinds)('logs %s as exactly one event with its outcome', async (_, status, request, expected) => {
    const caseId = randomUUID();
    const [method, path, options] = request(caseId);

    const response = await call(method, path, options);

    expect(response.status).toBe(status);
    const events = await eventsAbout(caseId, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: status,
      caseId,
      requestId: response.headers.get('x-amzn-requestid'),
      ...expected,
    });
    expect(events[0]?.resource.startsWith(`/v1/cases/${caseId}`)).toBe(true);
  });
});

describe('the access log of AWS, delivered again', () => {
  it('keeps one event for a refusal written twice', async () => {
    const caseId = randomUUID();
    const store = dynamoDbAuditStore(localTables(), stack.tables.AuditLog);
    const refusal = {
      method: 'GET',
      path: `/v1/cases/${caseId}`,
      resourcePath: '/v1/cases/{caseId}',
      status: 401,
      requestId: randomUUID(),
      sourceIp: '203.0.113.7',
      time: new Date(),
    };
    const directory = await readDirectoryFile();

    await store.recordOnce(refusalEvent(refusal, directory));
    await store.recordOnce(refusalEvent(refusal, directory));

    const events = await eventsAbout(caseId, 1);
    expect(events.map((event) => event.requestId)).toEqual([refusal.requestId]);
  });
});

describe('a flood of requests without a valid token', () => {
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'himaya-refusals-'));
    const directory = await readDirectoryFile();
    gateway = await startGateway({
      port: 0,
      issuer: await openIssuer(join(dataDir, 'issuer-key.json'), directory),
      loadHandler: async () => {
        throw new Error('no function may run for a refused request');
      },
      refusals: refusalLog({
        recorder: dynamoDbAuditStore(localTables(), stack.tables.AuditLog),
        directory,
        max: 3,
        windowMs: 10 * 60_000,
      }),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is answered 429 past the budget of its address, and adds one event for all the 429s', async () => {
    const caseId = randomUUID();

    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await fetchChecked(`${gateway.url}/v1/cases/${caseId}`, {
        headers: { authorization: 'Bearer not.a.token', 'x-himaya-user': 'u1' },
      });
      statuses.push(response.status);
    }

    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
    const events = await eventsAbout(caseId, 4);
    expect(events.map((event) => event.outcome).sort()).toEqual([401, 401, 401, 429]);
  });
});

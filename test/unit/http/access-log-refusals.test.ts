import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/domain/directory';
import { refusalsInAccessLog } from '../../../src/http/access-log-refusals';
import { refusalEvent } from '../../../src/http/gateway-refusal';

const batch = JSON.parse(
  readFileSync(new URL('../../events/api-gateway-access-log.json', import.meta.url), 'utf8'),
) as { logEvents: { message: string }[] };
const directory = {
  agencies: [{ id: 'police', name: { en: 'Police', ar: 'الشرطة' }, kind: 'police' }],
  clients: [
    { id: '5r1a7b3c9d0e2f4g6h8i0j1k2l', agency: 'police', scopes: ['cases.read'] },
    { id: '7c0nso1e2a3b4c5d6e7f8g9h0i', agency: 'compliance', scopes: ['audit.read'], kind: 'people' },
  ],
  oversight: [{ id: 'compliance', name: { en: 'Compliance', ar: 'الامتثال' } }],
} as unknown as Directory;

describe('refusalsInAccessLog', () => {
  it('finds the requests API Gateway answered itself, not those a function or WAF answered', () => {
    const refusals = refusalsInAccessLog(batch);

    expect(refusals.map((refusal) => [refusal.status, refusal.requestId])).toEqual([
      [401, 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'],
      [403, 'd7b0ab07-7b61-11e6-9a41-93e8deadbeef'],
      [404, '0ae3de3a-7b62-11e6-9a41-93e8deadbeef'],
    ]);
  });

  it('makes each an event: the path without the stage and normalised, the client only if verified', () => {
    const [unauthorized, forbidden, unrouted] = refusalsInAccessLog(batch).map((refusal) =>
      refusalEvent(refusal, directory),
    );

    expect(unauthorized).toMatchObject({
      time: '2026-12-01T02:00:00.000Z',
      agency: null,
      clientId: null,
      user: null,
      action: 'case.read',
      resource: '/v1/cases/0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
      caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
      outcome: 401,
      sourceIp: '203.0.113.7',
    });
    expect(forbidden).toMatchObject({
      agency: 'police',
      clientId: '5r1a7b3c9d0e2f4g6h8i0j1k2l',
      action: 'case.create',
      resource: '/v1/cases',
      outcome: 403,
    });
    expect(unrouted).toMatchObject({ action: 'request.refused', resource: '/v1/nothing-here', outcome: 404 });
  });

  it('gives a refusal delivered twice one event id, and each refusal its own', () => {
    const ids = (delivery: unknown) =>
      refusalsInAccessLog(delivery).map((refusal) => refusalEvent(refusal, directory).eventId);

    const first = ids(batch);

    expect(ids(structuredClone(batch))).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) expect(id).toMatch(/^[0-9a-z]{10}[0-9a-f]{20}$/);
  });

  it('names the signed-in officer a verified console token carries, and nobody for a machine client', () => {
    const forbiddenLine = batch.logEvents
      .map((logEvent) => JSON.parse(logEvent.message) as Record<string, unknown>)
      .find((fields) => String(fields.status) === '403' && fields.integrationStatus === '-');
    const line = (clientId: string, username: string) => ({
      messageType: 'DATA_MESSAGE',
      logEvents: [
        {
          message: JSON.stringify({
            ...forbiddenLine,
            clientId,
            username,
          }),
        },
      ],
    });
    const eventOf = (clientId: string, username: string) =>
      refusalsInAccessLog(line(clientId, username)).map((refusal) => refusalEvent(refusal, directory))[0];

    expect(eventOf('7c0nso1e2a3b4c5d6e7f8g9h0i', 'amal.officer')).toMatchObject({
      agency: 'compliance',
      user: 'amal.officer',
      outcome: 403,
    });
    expect(eventOf('5r1a7b3c9d0e2f4g6h8i0j1k2l', 'amal.officer')?.user).toBeNull();
    expect(eventOf('7c0nso1e2a3b4c5d6e7f8g9h0i', 'not a name')?.user).toBeNull();
    expect(eventOf('7c0nso1e2a3b4c5d6e7f8g9h0i', '-')?.user).toBeNull();
  });

  it('gives nothing for a control message, a malformed line or a line off its shape', () => {
    const line = (message: string) => ({ messageType: 'DATA_MESSAGE', logEvents: [{ message }] });

    expect(refusalsInAccessLog({ messageType: 'CONTROL_MESSAGE', logEvents: batch.logEvents })).toEqual([]);
    expect(refusalsInAccessLog(line('not json'))).toEqual([]);
    expect(refusalsInAccessLog(line('{"status":"401"}'))).toEqual([]);
    expect(refusalsInAccessLog(undefined)).toEqual([]);
  });
});

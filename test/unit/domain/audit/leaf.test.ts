import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import { eventLeafHash, eventLeafInput, orderForSealing } from '../../../../src/domain/audit/leaf';

/** The example of docs/audit-log.md. */
const EVENT: AuditEvent = {
  eventId: '00mx1n6hp8cb9cdb6bbf4e7ff501cd',
  time: '2026-11-29T09:33:47.420Z',
  agency: 'police',
  clientId: 'police',
  user: 'officer-1',
  action: 'case.read',
  resource: '/v1/cases/62224dff-cf83-47b0-a277-e66ac42d830a',
  caseId: '62224dff-cf83-47b0-a277-e66ac42d830a',
  purpose: 'criminal-investigation',
  outcome: 200,
  requestId: '6ed02f9e-acc1-46a5-b514-d128ee41da3c',
  sourceIp: '10.20.30.40',
  leafIndex: 2,
};

describe('the leaf of an audit event', () => {
  it('is the canonical JSON of the event without leafIndex, and hashes as documented', () => {
    const input = new TextDecoder().decode(eventLeafInput(EVENT));

    expect(input).toBe(
      '{"action":"case.read","agency":"police","caseId":"62224dff-cf83-47b0-a277-e66ac42d830a","clientId":"police","eventId":"00mx1n6hp8cb9cdb6bbf4e7ff501cd","outcome":200,"purpose":"criminal-investigation","requestId":"6ed02f9e-acc1-46a5-b514-d128ee41da3c","resource":"/v1/cases/62224dff-cf83-47b0-a277-e66ac42d830a","sourceIp":"10.20.30.40","time":"2026-11-29T09:33:47.420Z","user":"officer-1"}',
    );
    expect(Buffer.from(eventLeafHash(EVENT)).toString('hex')).toBe(
      '1e99aa3dbc975ecc891b3f31e7618e70c45475ade208792062d7ffe165cdc0d1',
    );
  });

  it('writes null members, leaves absent ones out, and keeps Arabic text as UTF-8', () => {
    const { caseId: _caseId, purpose: _purpose, ...rest } = EVENT;
    const refused = { ...rest, agency: null, clientId: null, user: 'ضابط-٣', outcome: 401 };

    const input = new TextDecoder().decode(eventLeafInput(refused));

    expect(input).toContain('"agency":null,"clientId":null');
    expect(input).not.toContain('caseId');
    expect(input).toContain('"user":"ضابط-٣"');
  });

  it('binds the grants a read used into the leaf, and leaves events without them as they were', () => {
    const withGrant = { ...EVENT, grantIds: ['9a3c1e52-5d2b-4f0a-8c1d-2e3f4a5b6c7d'] };

    const input = new TextDecoder().decode(eventLeafInput(withGrant));

    expect(input).toContain('"clientId":"police","eventId":"00mx1n6hp8cb9cdb6bbf4e7ff501cd","grantIds":[');
    expect(Buffer.from(eventLeafHash(withGrant)).toString('hex')).not.toBe(
      Buffer.from(eventLeafHash(EVENT)).toString('hex'),
    );
    expect(Buffer.from(eventLeafHash({ ...EVENT, grantIds: undefined })).toString('hex')).toBe(
      '1e99aa3dbc975ecc891b3f31e7618e70c45475ade208792062d7ffe165cdc0d1',
    );
  });

  it('orders a batch by time, then event id, keeping one copy of each event', () => {
    const at = (time: string, eventId: string) => ({ ...EVENT, time, eventId });
    const batch = [
      at('2026-11-29T09:00:01.000Z', 'b'),
      at('2026-11-29T09:00:00.000Z', 'z'),
      at('2026-11-29T09:00:01.000Z', 'a'),
      at('2026-11-29T09:00:01.000Z', 'b'),
    ];

    expect(orderForSealing(batch).map((e) => e.eventId)).toEqual(['z', 'a', 'b']);
  });
});

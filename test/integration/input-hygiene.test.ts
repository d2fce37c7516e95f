import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { minimalCaseBody } from '../support/cases';
import { type CallResult, call } from '../support/client';
import { tokensFor } from '../support/tokens';

/**
 * Input a well-meaning client would never send, from one that knows the system: look-alike officer ids,
 * invisible text, numbers in other notations, header and query names that are JavaScript property names,
 * and JSON under another media type. Each is answered with a documented 4xx, never a 5xx.
 */
const [cfpc, compliance] = await tokensFor('cfpc', 'compliance');
const INVISIBLE =
  '\u200B\u200C\u200D\u2060\uFEFF\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069';
const PROPERTY_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
];
let caseId: string;

/** A header value as a client sends UTF-8 text: its bytes, one character each (fetch sends them as is). */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

const refusedAs = (response: CallResult, status: number, code: string) => {
  expect({ status: response.status, code: response.json?.code }).toEqual({ status, code });
};

describe('input hygiene', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });
    caseId = created.json.caseId as string;
  });

  it('takes only ASCII officer ids, and only the listed purposes', async () => {
    const lookalike = await call('GET', '/v1/cases', { token: cfpc, user: utf8Bytes('\u043efficer-1') });
    const accented = await call('GET', '/v1/cases', { token: cfpc, user: utf8Bytes('offîcer-1') });
    const ascii = await call('GET', '/v1/cases', { token: cfpc, user: 'officer-1' });
    const purpose = await call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose: 'child protection' });

    refusedAs(lookalike, 400, 'invalid-request');
    refusedAs(accented, 400, 'invalid-request');
    expect(ascii.status).toBe(200);
    refusedAs(purpose, 400, 'invalid-request');
  });

  it('refuses text made only of invisible characters as blank', async () => {
    const note = await call('POST', `/v1/cases/${caseId}/notes`, { token: cfpc, body: { text: INVISIBLE } });
    const emergency = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: cfpc,
      body: { justification: ` ${INVISIBLE} `, sections: ['report'] },
    });
    const finding = await call('POST', `/v1/audit/reviews/${randomUUID()}`, {
      token: compliance,
      body: { outcome: 'justified', finding: INVISIBLE },
    });
    const visible = await call('POST', `/v1/cases/${caseId}/notes`, {
      token: cfpc,
      body: { text: `seen${INVISIBLE}` },
    });

    for (const response of [note, emergency, finding]) refusedAs(response, 400, 'invalid-request');
    expect(visible.status).toBe(201);
  });

  it('reads query numbers in decimal digits only', async () => {
    const paths = (value: string) => [
      `/v1/cases?limit=${value}`,
      `/v1/audit/events?limit=${value}`,
      `/v1/audit/proofs/consistency?from=${value}`,
      `/v1/audit/proofs/consistency?from=1&to=${value}`,
      `/v1/audit/proofs/inclusion?eventId=${'0'.repeat(10)}${'a'.repeat(20)}&treeSize=${value}`,
    ];
    for (const value of ['1e2', '0x10', '%205', '5%20', '%2B5', '1.0']) {
      for (const path of paths(value)) {
        const token = path.startsWith('/v1/audit') ? compliance : cfpc;
        refusedAs(await call('GET', path, { token }), 400, 'invalid-request');
      }
    }
    expect((await call('GET', '/v1/cases?limit=10', { token: cfpc })).status).toBe(200);
  });

  it('answers any header or query name, JavaScript property names included', async () => {
    const purpose = 'child-protection';
    for (const name of PROPERTY_NAMES) {
      const asHeader = { headers: { [name]: '1' } };
      const query = `?${encodeURIComponent(name)}=1`;
      expect((await call('GET', '/v1/health', asHeader)).status).toBe(200);
      expect((await call('GET', `/v1/health${query}`)).status).toBe(200);
      expect((await call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose, ...asHeader })).status).toBe(
        200,
      );
      refusedAs(await call('GET', `/v1/cases${query}`, { token: cfpc }), 400, 'invalid-request');
      refusedAs(await call('GET', `/v1/cases/${caseId}${query}`, { token: cfpc }), 400, 'invalid-request');
    }
  });

  it('takes JSON only as application/json, with an optional UTF-8 charset', async () => {
    const send = (contentType: string) =>
      call('POST', `/v1/cases/${caseId}/notes`, {
        token: cfpc,
        body: { text: 'checked' },
        headers: { 'content-type': contentType },
      });

    for (const type of [
      'application/foo+json',
      'application/problem+json',
      'application/json; charset=latin1',
    ]) {
      refusedAs(await send(type), 415, 'unsupported-media-type');
    }
    for (const type of ['application/json', 'Application/JSON', 'application/json; charset=UTF-8']) {
      expect((await send(type)).status).toBe(201);
    }
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTable } from '../support/audit-log';
import { minimalCaseBody } from '../support/cases';
import { type CallOptions, type CallResult, call, stack } from '../support/client';
import { localTables } from '../support/exchange';
import { scanItems } from '../support/local-dynamodb';
import { tokensFor } from '../support/tokens';

/**
 * A lone UTF-16 surrogate (`\ud800` in JSON text) is a string JavaScript holds but UTF-8 cannot encode:
 * the access log's canonical JSON and the idempotency digest refuse it. Anywhere in the input, it is
 * refused as bad input (400) before anything runs, stores nothing, and the refusal itself is logged.
 */
const [cfpc, police] = await tokensFor('cfpc', 'police');
/** One officer id for this file's requests, so that the tables can be searched for what it caused. */
const USER = `surrogate-${randomBytes(4).toString('hex')}`;
/** The six characters `\ud800`: JSON.stringify would never send them, so bodies are sent as raw text. */
const LONE = '\\ud800';
let caseId: string;
const audit = auditTable(stack, stack.tables.AuditLog);

/** A JSON body with `LONE` standing in for the value of one string (`"<lone>"` in `json`). */
const withLone = (body: unknown) => JSON.stringify(body).replaceAll('<lone>', LONE);

function send(method: string, path: string, rawBody: string, options: CallOptions = {}) {
  return call(method, path, {
    user: USER,
    rawBody,
    ...options,
    headers: { 'content-type': 'application/json', ...options.headers },
  });
}

/** A 400 `invalid-request` naming the one field refused. */
function refusedAsBadInput(response: CallResult, path: string, message = 'contains a lone UTF-16 surrogate') {
  expect({
    status: response.status,
    type: response.headers.get('content-type'),
    code: response.json?.code,
    errors: response.json?.errors,
  }).toEqual({
    status: 400,
    type: 'application/problem+json',
    code: 'invalid-request',
    errors: [{ path, message }],
  });
}

/** The access-log event of a response, found by its request id, once it is sealed into a checkpoint. */
async function loggedAndSealed(response: CallResult, user: string | null = USER) {
  const requestId = response.headers.get('x-amzn-requestid');
  const events = (await scanItems(localTables(), stack.tables.AuditLog, { consistentRead: true })).filter(
    (item) => item.requestId === requestId && typeof item.eventId === 'string',
  );
  expect(events.map((event) => [event.user ?? null, event.outcome])).toEqual([[user, 400]]);
  // Sealing canonicalises the event: it would stall on one it cannot encode.
  await audit.sealed(events[0]?.eventId as string, 60_000);
}

describe('lone surrogates in the input', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const created = await call('POST', '/v1/cases', { token: cfpc, body: minimalCaseBody() });
    caseId = created.json.caseId as string;
  });
  afterAll(() => audit.close());

  it('refuses a case create with one in a nested value', async () => {
    const body = minimalCaseBody();
    const report = (body.sections as { report: Record<string, unknown> }).report;
    report.narrative = 'seen at school <lone>';

    const response = await send('POST', '/v1/cases', withLone(body), { token: cfpc });

    refusedAsBadInput(response, 'body.sections.report.narrative');
    await loggedAndSealed(response);
  });

  it('refuses one in a key as well as in a value', async () => {
    const response = await send('POST', `/v1/cases/${caseId}/notes`, `{"text":"fine","${LONE}":"x"}`, {
      token: cfpc,
    });

    // The problem names the key without echoing it.
    refusedAsBadInput(response, 'body.\ufffd');
    await loggedAndSealed(response);
  });

  it('refuses a note, before its Idempotency-Key is claimed, and takes the key with a good body after', async () => {
    const key = `surrogate-${randomUUID()}`;
    const headers = { 'idempotency-key': key };
    const path = `/v1/cases/${caseId}/notes`;

    const refused = await send('POST', path, withLone({ text: 'visit <lone>' }), { token: cfpc, headers });
    const retried = await send('POST', path, withLone({ text: 'visit <lone>' }), { token: cfpc, headers });
    // Another officer, so that what this file's officer caused can be told apart.
    const good = await send('POST', path, JSON.stringify({ text: 'visit done' }), {
      token: cfpc,
      user: 'officer-1',
      headers,
    });

    refusedAsBadInput(refused, 'body.text');
    refusedAsBadInput(retried, 'body.text');
    expect(good.status).toBe(201);
    await loggedAndSealed(refused);
  });

  it('refuses an access request with an Idempotency-Key', async () => {
    const body = {
      caseId,
      agency: 'cfpc',
      sections: ['report'],
      purpose: 'criminal-investigation',
      legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 33',
      urgency: 'high',
      justification: '<lone>',
    };

    const response = await send('POST', '/v1/requests', withLone(body), {
      token: police,
      headers: { 'idempotency-key': `surrogate-${randomUUID()}` },
    });

    refusedAsBadInput(response, 'body.justification');
    await loggedAndSealed(response);
  });

  it('refuses a match lookup', async () => {
    const response = await send(
      'POST',
      '/v1/matches',
      withLone({ name: { ar: 'مريم <lone>' }, dateOfBirth: '2015-03-02' }),
      { token: police, purpose: 'criminal-investigation' },
    );

    refusedAsBadInput(response, 'body.name.ar');
    await loggedAndSealed(response);
  });

  it('refuses a listing cursor that decodes to one', async () => {
    const first = await call('GET', '/v1/cases?limit=1', { token: cfpc, user: USER });
    const key = JSON.parse(Buffer.from(first.json.nextCursor as string, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...key, sk: 'CASE#<lone>' }).replace('<lone>', LONE));

    const response = await call('GET', `/v1/cases?limit=1&cursor=${forged.toString('base64url')}`, {
      token: cfpc,
      user: USER,
    });

    refusedAsBadInput(response, 'query.cursor', 'invalid cursor');
    await loggedAndSealed(response);
  });

  it('refuses the bytes of one in a header, which arrive as Latin-1 text, never as a surrogate', async () => {
    // `\ud800` encoded as UTF-8 would be (CESU-8): Node reads header bytes one character each.
    const bytes = Buffer.from([0xed, 0xa0, 0x80]).toString('latin1');

    const officer = await call('GET', `/v1/cases/${caseId}`, {
      token: cfpc,
      user: `officer-${bytes}`,
      purpose: 'child-protection',
    });
    const key = await send('POST', `/v1/cases/${caseId}/notes`, JSON.stringify({ text: 'visit' }), {
      token: cfpc,
      headers: { 'idempotency-key': `surrogate-${bytes}-0001` },
    });

    refusedAsBadInput(officer, 'headers.x-himaya-user', 'invalid value');
    refusedAsBadInput(key, 'headers.idempotency-key', 'invalid value');
    // An officer id that is not valid is logged as none, never verbatim.
    await loggedAndSealed(officer, null);
    await loggedAndSealed(key);
  });

  it('stored nothing for any of it: no case, note, request or idempotency record by this officer', async () => {
    const written: unknown[] = [];
    for (const table of [stack.tables.Cases, stack.tables.Idempotency]) {
      for (const item of await scanItems(localTables(), table, { consistentRead: true })) {
        if (JSON.stringify(item).includes(USER)) written.push(item);
      }
    }
    expect(written).toEqual([]);
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/audit/canonical';
import { minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { auditEventsOf, createCase, MISSING_CASE, share } from '../support/exchange';
import { findInTables } from '../support/table-scan';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

const keyed = (key: string) => ({ 'idempotency-key': key });
const freshKey = () => `key-${randomUUID()}`;

/** Every spelling of a hash an offline guesser could compare a stored value with. */
function plainHashes(text: string): string[] {
  return ['md5', 'sha256'].flatMap((algorithm) => {
    const digest = createHash(algorithm).update(text).digest();
    return [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
  });
}

/** The id a case would take under the old, unkeyed derivation: computable by anyone knowing the key. */
function unkeyedCaseId(clientId: string, key: string): string {
  const bytes = createHash('sha256')
    .update(`${clientId} createCase /v1/cases ${key}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('Idempotency-Key cannot be turned against anyone', () => {
  it('derives ids no one can compute from the client and the key alone', async () => {
    const key = freshKey();

    const created = await call('POST', '/v1/cases', {
      token: cfpc,
      body: minimalCaseBody(),
      headers: keyed(key),
    });

    expect(created.status).toBe(201);
    expect(created.json.caseId).not.toBe(unkeyedCaseId('cfpc', key));
  });

  it('takes a percent-encoded path for the same case: the retry answers the first note, and adds none', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const encoded = `%${caseId.charCodeAt(0).toString(16)}${caseId.slice(1)}`;
    const body = { kind: 'update', text: 'Visited the school' };
    const key = freshKey();

    const first = await call('POST', `/v1/cases/${caseId}/notes`, { token: cfpc, body, headers: keyed(key) });
    const retry = await call('POST', `/v1/cases/${encoded}/notes`, {
      token: cfpc,
      body,
      headers: keyed(key),
    });
    const read = await call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose: 'child-protection' });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json.noteId).toBe(first.json.noteId);
    expect(read.json.notes).toHaveLength(1);
    const logged = (await auditEventsOf(compliance, caseId)).filter((event) => event.action === 'case.note');
    expect(logged.map((event) => event.resource)).toEqual([
      `/v1/cases/${caseId}/notes`,
      `/v1/cases/${caseId}/notes`,
    ]);
  });

  it('answers a retry after the share was revoked with the 404 of a missing case, logged as a replay', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    expect((await share(cfpc, caseId, { sections: ['report'] })).status).toBe(201);
    const body = { kind: 'police-response', text: 'Patrol visited the home' };
    const key = freshKey();
    const path = `/v1/cases/${caseId}/notes`;
    const first = await call('POST', path, { token: police, body, headers: keyed(key) });
    const revoked = await call('DELETE', `/v1/cases/${caseId}/shares/police`, { token: cfpc });

    const retry = await call('POST', path, { token: police, body, headers: keyed(key) });
    const missing = await call('POST', `/v1/cases/${MISSING_CASE}/notes`, { token: police, body });

    expect(first.status).toBe(201);
    expect(revoked.status).toBe(204);
    expect(retry.status).toBe(404);
    expect(retry.text).toBe(missing.text);
    const events = await auditEventsOf(compliance, caseId);
    const replays = events.filter(
      (event) => event.action === 'case.note' && event.disposition === 'replayed',
    );
    expect(replays.map((event) => event.outcome)).toEqual([404]);
    expect(replays[0]?.requestId).toBe(retry.headers.get('x-amzn-requestid'));
  });

  it('keeps no plain hash of a note in the idempotency record, only keyed digests', async () => {
    const caseId = await createCase(cfpc, minimalCaseBody());
    const body = { kind: 'update', text: `A guessable note ${randomUUID()}` };
    const sent = JSON.stringify(body);

    const added = await call('POST', `/v1/cases/${caseId}/notes`, {
      token: cfpc,
      rawBody: sent,
      headers: { ...keyed(freshKey()), 'content-type': 'application/json' },
    });

    expect(added.status).toBe(201);
    const needles = [body.text, sent, canonicalJson(body)].flatMap(plainHashes);
    expect(await findInTables(stack, [stack.tables.Idempotency], needles)).toEqual([]);
    expect(await findInTables(stack, [stack.tables.Idempotency], ['himaya-cases'])).not.toEqual([]);
  });
});

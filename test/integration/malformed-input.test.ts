import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateCaseBodySchema, NoteBodySchema, UpdateCaseBodySchema } from '../../src/domain/cases/schemas';
import { minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { localTables } from '../support/exchange';
import { scanItems } from '../support/local-dynamodb';
import { cleanRefusals, refusedBy, type Schema } from '../support/malformed-input';
import { tokenFor } from '../support/tokens';

/**
 * Generated malformed input — bodies, raw bytes, headers, ids, query strings — must never cause a 5xx
 * and must never store anything. Every request is made as one officer id, so afterwards the tables can
 * be searched for anything that officer caused to be written.
 */
const FUZZ_USER = `fuzzer-${randomBytes(4).toString('hex')}`;
const token = await tokenFor('cfpc');
let caseId: string;
const refusals = cleanRefusals();
const { expectRefusedCleanly } = refusals;

/** JSON values that the schema refuses: any JSON, case-like records, and case bodies broken in one place. */
const invalidFor = (schema: Schema) =>
  refusedBy(
    schema,
    fc.jsonValue(),
    fc.record(
      { sections: fc.jsonValue(), category: fc.string(), urgency: fc.jsonValue() },
      { requiredKeys: [] },
    ),
    fc.constantFrom(...caseBodyBrokenInOnePlace(minimalCaseBody())),
  );

/** A valid body broken in one place: an unknown key, a wrong type, an out-of-range value. */
function caseBodyBrokenInOnePlace(body: Record<string, unknown>): unknown[] {
  const report = (body.sections as { report: Record<string, unknown> }).report;
  const withSections = (r: Record<string, unknown>) => ({ ...body, sections: { report: r } });
  return [
    { ...body, ownerAgency: 'police' },
    { ...body, caseId: '2b7e1516-28ae-4d2a-abf7-158809cf4f3c' },
    { ...body, urgency: 'CRITICAL' },
    { ...body, region: { emirate: 'dubai', city: 'x', street: 'leak' } },
    withSections({ ...report, narrative: '' }),
    withSections({ ...report, narrative: ' \u00a0 ' }),
    withSections({ ...report, narrative: 7 }),
    withSections({ ...report, receivedAt: 'yesterday' }),
    withSections({ ...report, concerns: Array(21).fill('c') }),
    { ...body, sections: { ...(body.sections as object), identity: { children: [] } } },
    { ...body, sections: { ...(body.sections as object), secret: {} } },
  ];
}

const headerSafe = fc.string({
  unit: fc.constantFrom(...'abcXYZ09 !"#$%&\'()*+,/;<=>?[]^`{|}~\\'.split('')),
  maxLength: 200,
});

// Hundreds of HTTP requests per test: generous bounds, so a busy machine does not fail them.
describe('malformed input', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    const created = await call('POST', '/v1/cases', { token, body: minimalCaseBody() });
    caseId = created.json.caseId as string;
  });

  afterAll(() => {
    expect(refusals.checked).toBeGreaterThanOrEqual(1000);
  });

  it('refuses generated invalid bodies on every write route with a 4xx', async () => {
    const routes: {
      method: string;
      path: () => string;
      schema: Schema;
      headers: Record<string, string>;
    }[] = [
      { method: 'POST', path: () => '/v1/cases', schema: CreateCaseBodySchema, headers: {} },
      {
        method: 'PATCH',
        path: () => `/v1/cases/${caseId}`,
        schema: UpdateCaseBodySchema,
        headers: { 'if-match': '"1"' },
      },
      { method: 'POST', path: () => `/v1/cases/${caseId}/notes`, schema: NoteBodySchema, headers: {} },
    ];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(invalidFor(route.schema), async (body) => {
          await expectRefusedCleanly(
            await call(route.method, route.path(), { token, user: FUZZ_USER, body, headers: route.headers }),
          );
        }),
        { numRuns: 200 },
      );
    }
  });

  it('refuses generated raw bodies that are not JSON, or not sent as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }).filter((text) => {
          try {
            JSON.parse(text);
            return false;
          } catch {
            return true;
          }
        }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/jsonx',
        ),
        async (rawBody, contentType) => {
          await expectRefusedCleanly(
            await call('POST', '/v1/cases', {
              token,
              user: FUZZ_USER,
              rawBody,
              headers: { 'content-type': contentType },
            }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses generated invalid officer, purpose, If-Match and Idempotency-Key headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerSafe,
        fc.constantFrom('user', 'purpose', 'if-match', 'idempotency-key'),
        async (value, header) => {
          const fuzzUser = header === 'user' ? value.trim() || ' ' : FUZZ_USER;
          if (header === 'user' && /^[A-Za-z0-9._@:-]{1,128}$/.test(fuzzUser)) return; // a valid officer id
          if (header === 'purpose') {
            await expectRefusedCleanly(
              await call('GET', `/v1/cases/${caseId}`, { token, user: fuzzUser, purpose: value || ' ' }),
            );
          } else if (header === 'if-match') {
            const response = await call('PATCH', `/v1/cases/${caseId}`, {
              token,
              user: fuzzUser,
              body: { status: 'closed' },
              headers: { 'if-match': value || ' ' },
            });
            await expectRefusedCleanly(response);
          } else if (header === 'idempotency-key') {
            if (/^[\w.:-]{8,128}$/.test(value)) return;
            await expectRefusedCleanly(
              await call('POST', '/v1/cases', {
                token,
                user: fuzzUser,
                body: minimalCaseBody(),
                headers: { 'idempotency-key': value || ' ' },
              }),
            );
          } else {
            await expectRefusedCleanly(
              await call('GET', `/v1/cases/${caseId}`, {
                token,
                user: fuzzUser,
                purpose: 'child-protection',
              }),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers generated case ids and query strings with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }), async (id) => {
        await expectRefusedCleanly(
          await call('GET', `/v1/cases/${encodeURIComponent(id)}`, {
            token,
            user: FUZZ_USER,
            purpose: 'child-protection',
          }),
        );
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('status', 'urgency', 'limit', 'cursor', 'updatedSince', 'x'),
          fc.string({ maxLength: 40 }),
          { minKeys: 1 },
        ),
        async (query) => {
          const parsed = (await import('../../src/domain/cases/schemas')).ListCasesQuerySchema.safeParse(
            query,
          );
          if (parsed.success) return;
          await expectRefusedCleanly(
            await call('GET', `/v1/cases?${new URLSearchParams(query)}`, { token, user: FUZZ_USER }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stored nothing for any of it: no case, note or successful write event by the fuzzing officer', async () => {
    const written: unknown[] = [];
    for (const table of [stack.tables.Cases, stack.tables.AuditLog]) {
      for (const item of await scanItems(localTables(), table)) {
        const byFuzzer = item.createdBy === FUZZ_USER || item.user === FUZZ_USER;
        const isData = item.type === 'case' || item.type === 'note';
        const isSuccess = typeof item.outcome === 'number' && item.outcome < 300;
        if (byFuzzer && (isData || isSuccess)) written.push(item);
      }
    }
    expect(written).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateCaseBodySchema, NoteBodySchema, UpdateCaseBodySchema } from '../../src/domain/cases/schemas';
import { minimalCaseBody } from '../support/cases';
import { call, stack, tokenFor } from '../support/client';

/**
 * Generated malformed input — bodies, raw bytes, headers, ids, query strings — must never cause a 5xx
 * and must never store anything. Every request is made as one officer id, so afterwards the tables can
 * be searched for anything that officer caused to be written.
 */
const FUZZ_USER = `fuzzer-${randomBytes(4).toString('hex')}`;
let token: string;
let caseId: string;
let requests = 0;

async function expectRefusedCleanly(response: Awaited<ReturnType<typeof call>>) {
  requests += 1;
  expect(response.status, response.text).toBeLessThan(500);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.text).not.toMatch(/ at \w+ \(|Exception|node_modules/);
}

/** JSON values that the schema refuses: the schema itself is the oracle, so none is accidentally valid. */
const invalidFor = (schema: { safeParse(v: unknown): { success: boolean } }) =>
  fc
    .oneof(
      fc.jsonValue(),
      fc.record(
        { sections: fc.jsonValue(), category: fc.string(), urgency: fc.jsonValue() },
        { requiredKeys: [] },
      ),
      fc.constantFrom(...mutationsOf(minimalCaseBody())),
    )
    // Judged as the server will see it: after a JSON round trip.
    .filter((value) => !schema.safeParse(JSON.parse(JSON.stringify(value) ?? 'null')).success);

/** A valid body broken in one place: an unknown key, a wrong type, an out-of-range value. */
function mutationsOf(body: Record<string, unknown>): unknown[] {
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
    token = await tokenFor('cfpc');
    const created = await call('POST', '/v1/cases', { token, body: minimalCaseBody() });
    caseId = created.json.caseId as string;
  });

  afterAll(() => {
    expect(requests).toBeGreaterThanOrEqual(1000);
  });

  it('refuses generated invalid bodies on every write route with a 4xx', async () => {
    const routes: {
      method: string;
      path: () => string;
      schema: { safeParse(v: unknown): { success: boolean } };
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
    const client = new DynamoDBClient({
      endpoint: stack.dynamodb,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const written: unknown[] = [];
    for (const table of [stack.tables.Cases, stack.tables.AuditLog]) {
      for await (const page of paginateScan({ client }, { TableName: table })) {
        for (const raw of page.Items ?? []) {
          const item = unmarshall(raw);
          const byFuzzer = item.createdBy === FUZZ_USER || item.user === FUZZ_USER;
          const isData = item.type === 'case' || item.type === 'note';
          const isSuccess = typeof item.outcome === 'number' && item.outcome < 300;
          if (byFuzzer && (isData || isSuccess)) written.push(item);
        }
      }
    }
    client.destroy();
    expect(written).toEqual([]);
  });
});

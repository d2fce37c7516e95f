import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecisionBodySchema,
  EmergencyAccessBodySchema,
  ListRequestsQuerySchema,
  RequestBodySchema,
  ShareBodySchema,
} from '../../src/domain/exchange/schemas';
import { CloseReviewBodySchema, ListReviewsQuerySchema } from '../../src/domain/reviews/schemas';
import { minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { createCase, hoursFromNow, localTables } from '../support/exchange';
import { scanItems } from '../support/local-dynamodb';
import { brokenInOnePlace, cleanRefusals, refusedBy, type Schema } from '../support/malformed-input';
import { tokensFor } from '../support/tokens';

/**
 * Generated malformed input on the exchange and review routes — bodies, query strings, path ids — never
 * causes a 5xx and never stores anything. The zod schema of each body is the oracle: a generated value
 * counts as malformed only if the schema refuses it after a JSON round trip. All requests are made as one
 * officer, so the tables can be searched afterwards for anything that officer caused to be written.
 */
const FUZZ_USER = `exchange-fuzzer-${randomBytes(4).toString('hex')}`;
const refusals = cleanRefusals();
const { expectRefusedCleanly } = refusals;

/** JSON values that the schema refuses: any JSON, records of the body's keys, and the body broken in one place. */
const invalidFor = (schema: Schema, valid: Record<string, unknown>) =>
  refusedBy(
    schema,
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom(...Object.keys(valid), 'extra'), fc.jsonValue(), { minKeys: 1 }),
    fc.record(
      Object.fromEntries(
        Object.entries(valid).map(([key, value]) => [key, fc.oneof(fc.constant(value), fc.jsonValue())]),
      ),
      { requiredKeys: [] },
    ),
    fc.constantFrom(...brokenInOnePlace(valid)),
  );

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

// Hundreds of HTTP requests per test: generous bounds, so a busy machine does not fail them.
describe('malformed input on the exchange routes', { timeout: 180_000 }, () => {
  let caseId: string;
  let requestId: string;

  beforeAll(async () => {
    caseId = await createCase(cfpc, minimalCaseBody());
    const asked = await call('POST', '/v1/requests', {
      token: police,
      body: {
        caseId,
        agency: 'cfpc',
        sections: ['report'],
        purpose: 'child-protection',
        legalBasis: 'art. 44',
        urgency: 'low',
        justification: 'fuzzing target',
      },
    });
    requestId = asked.json.requestId as string;
  });

  afterAll(() => {
    expect(refusals.checked).toBeGreaterThanOrEqual(1000);
  });

  it('refuses generated invalid bodies on every exchange and review write with a 4xx', async () => {
    const routes: {
      path: () => string;
      token: () => string;
      schema: Schema;
      valid: Record<string, unknown>;
      purpose?: string;
    }[] = [
      {
        path: () => `/v1/cases/${caseId}/shares`,
        token: () => cfpc,
        schema: ShareBodySchema,
        valid: {
          agency: 'police',
          sections: ['report'],
          purpose: 'child-protection',
          expiresAt: hoursFromNow(2),
        },
      },
      {
        path: () => '/v1/requests',
        token: () => police,
        schema: RequestBodySchema,
        valid: {
          caseId,
          agency: 'cfpc',
          sections: ['report'],
          purpose: 'criminal-investigation',
          legalBasis: 'art. 44',
          urgency: 'high',
          justification: 'why',
        },
      },
      {
        path: () => `/v1/requests/${requestId}/decision`,
        token: () => cfpc,
        schema: DecisionBodySchema,
        valid: { decision: 'approve', sections: ['report'], expiresAt: hoursFromNow(2), reason: 'ok' },
      },
      {
        path: () => `/v1/cases/${caseId}/emergency-access`,
        token: () => police,
        schema: EmergencyAccessBodySchema,
        valid: { justification: 'child missing', sections: ['report'] },
        purpose: 'emergency',
      },
      {
        path: () => `/v1/audit/reviews/${crypto.randomUUID()}`,
        token: () => compliance,
        schema: CloseReviewBodySchema,
        valid: { outcome: 'justified', finding: 'fine' },
      },
    ];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(invalidFor(route.schema, route.valid), async (body) => {
          await expectRefusedCleanly(
            await call('POST', route.path(), {
              token: route.token(),
              user: FUZZ_USER,
              body,
              ...(route.purpose ? { purpose: route.purpose } : {}),
            }),
          );
        }),
        { numRuns: 160 },
      );
    }
  });

  it('refuses generated query strings of the request and review lists with a 4xx', async () => {
    const lists: { path: string; token: () => string; schema: Schema; keys: string[] }[] = [
      {
        path: '/v1/requests',
        token: () => police,
        schema: ListRequestsQuerySchema,
        keys: ['box', 'status', 'kind', 'limit', 'cursor'],
      },
      {
        path: '/v1/audit/reviews',
        token: () => compliance,
        schema: ListReviewsQuerySchema,
        keys: ['status', 'kind', 'limit', 'cursor'],
      },
    ];
    for (const list of lists) {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...list.keys, 'x'), fc.string({ maxLength: 40 }), { minKeys: 1 }),
          async (query) => {
            if (list.schema.safeParse(query).success) return;
            await expectRefusedCleanly(
              await call('GET', `${list.path}?${new URLSearchParams(query)}`, {
                token: list.token(),
                user: FUZZ_USER,
              }),
            );
          },
        ),
        { numRuns: 100 },
      );
    }
  });

  it('answers generated path ids and agencies with a 4xx', async () => {
    const attempts = [
      (segment: string) =>
        call('DELETE', `/v1/cases/${caseId}/shares/${segment}`, { token: cfpc, user: FUZZ_USER }),
      (segment: string) =>
        call('POST', `/v1/requests/${segment}/decision`, {
          token: cfpc,
          user: FUZZ_USER,
          body: { decision: 'deny', reason: 'fuzz' },
        }),
      (segment: string) =>
        call('POST', `/v1/cases/${segment}/emergency-access`, {
          token: police,
          user: FUZZ_USER,
          purpose: 'emergency',
          body: { justification: 'fuzz', sections: ['report'] },
        }),
      (segment: string) => call('GET', `/v1/requests/${segment}`, { token: police, user: FUZZ_USER }),
      (segment: string) =>
        call('POST', `/v1/requests/${segment}/withdraw`, { token: police, user: FUZZ_USER }),
      (segment: string) => call('GET', `/v1/cases/${segment}/shares`, { token: cfpc, user: FUZZ_USER }),
    ];
    // A segment of dots only is resolved away by the URL parser, leaving another (valid) path.
    const ids = fc.string({ minLength: 1, maxLength: 60 }).filter((id) => !/^\.+$/.test(id));
    await fc.assert(
      fc.asyncProperty(ids, fc.nat(attempts.length - 1), async (id, route) => {
        const attempt = attempts[route] as (segment: string) => ReturnType<typeof call>;
        await expectRefusedCleanly(await attempt(encodeURIComponent(id)));
      }),
      { numRuns: 300 },
    );
  });

  it('stored nothing for any of it: no grant, request, review or successful event by the fuzzing officer', async () => {
    const written: unknown[] = [];
    for (const table of [stack.tables.Cases, stack.tables.AuditLog]) {
      for (const item of await scanItems(localTables(), table)) {
        const byFuzzer = [
          item.grantedBy,
          item.requestedBy,
          item.revokedBy,
          (item.withdrawal as { withdrawnBy?: unknown } | undefined)?.withdrawnBy,
          item.user,
          (item.closure as { closedBy?: unknown } | undefined)?.closedBy,
        ].includes(FUZZ_USER);
        const isSuccess = typeof item.outcome === 'number' && item.outcome < 300;
        if (byFuzzer && (item.outcome === undefined || isSuccess)) written.push(item);
      }
    }
    expect(written).toEqual([]);
  });
});

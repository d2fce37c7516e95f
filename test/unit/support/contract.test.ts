import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../src/http/openapi';
import {
  type ContractViolation,
  ContractViolationError,
  contractCheck,
  type Exchange,
} from '../../support/contract';
import { summarizeViolations } from '../../support/contract-report';

/**
 * The contract check must bite: real responses of the local stack (recorded, see
 * test/fixtures/contract/README.md) that the published document accepts on a point are refused on that
 * point by a copy of the document that is wrong there.
 */
interface Recorded {
  name: string;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  text: string;
}
const RECORDED = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/contract/recorded-responses.json'), 'utf8'),
) as Recorded[];

function recorded(name: string, change: (response: Recorded) => void = () => undefined): Exchange {
  const found = RECORDED.find((response) => response.name === name);
  if (!found) throw new Error(`no recorded response named ${name}`);
  const response = structuredClone(found);
  change(response);
  return { ...response, headers: new Headers(response.headers) };
}

interface ResponseObject {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: object }>;
}
type Paths = Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;

const published = buildOpenApiDocument();

/** A copy of the published document, made wrong by `change` on the responses of one operation. */
function wrongDocument(
  path: string,
  method: string,
  change: (responses: Record<string, ResponseObject>) => void,
): object {
  const copy = structuredClone(published) as unknown as { paths: Paths };
  const responses = copy.paths[path]?.[method]?.responses;
  if (!responses) throw new Error(`no operation ${method} ${path} in the document`);
  change(responses);
  return copy;
}

function documented(responses: Record<string, ResponseObject>, status: string): ResponseObject {
  const response = responses[status];
  if (!response) throw new Error(`status ${status} is not documented`);
  return response;
}

/** Adds a constraint to the schema of a documented response, keeping everything it already says. */
function tighten(response: ResponseObject, mediaType: string, constraint: object) {
  const media = response.content?.[mediaType];
  if (!media?.schema) throw new Error(`no ${mediaType} schema`);
  media.schema = { allOf: [media.schema, constraint] };
}

async function violations(document: object, exchange: Exchange): Promise<ContractViolation[]> {
  return (await contractCheck(document))(exchange);
}

/** Prepare the wrong document; Act on both; Assess: the published one accepts, the wrong one refuses. */
async function expectOnlyTheWrongDocumentRefuses(wrong: object, exchange: Exchange, expected: object) {
  const match = expect.objectContaining(expected);

  const underPublished = await violations(published, exchange);
  const underWrong = await violations(wrong, exchange);

  expect(underPublished).not.toContainEqual(match);
  expect(underWrong).toContainEqual(match);
}

describe('the contract check against a deliberately wrong document', () => {
  it('refuses a status the operation does not document', async () => {
    const wrong = wrongDocument('/v1/agencies', 'get', (responses) => {
      for (const status of ['401', '4XX', 'default']) delete responses[status];
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('agencies without a token'), {
      operationId: 'listAgencies',
      status: 401,
      kind: 'undocumented-status',
    });
  });

  it('refuses a JSON success body that misses a property the schema requires', async () => {
    const wrong = wrongDocument('/v1/agencies', 'get', (responses) => {
      tighten(documented(responses, '200'), 'application/json', { required: ['nextCursor'] });
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('agencies'), {
      operationId: 'listAgencies',
      status: 200,
      kind: 'body-mismatch',
      message: expect.stringContaining("must have required property 'nextCursor'"),
    });
  });

  it('refuses a problem+json error body whose code the schema does not allow', async () => {
    const wrong = wrongDocument('/v1/agencies', 'get', (responses) => {
      tighten(documented(responses, '401'), 'application/problem+json', {
        properties: { code: { const: 'token-expired' } },
      });
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('agencies without a token'), {
      status: 401,
      kind: 'body-mismatch',
      message: expect.stringContaining('/code'),
    });
  });

  it('validates a body that is not JSON as text against its schema', async () => {
    const wrong = wrongDocument('/v1/audit/public-key', 'get', (responses) => {
      tighten(documented(responses, '200'), 'application/x-pem-file', { maxLength: 20 });
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('public key'), {
      operationId: 'getAuditPublicKey',
      kind: 'body-mismatch',
    });
  });

  it('refuses a media type the response does not document', async () => {
    const wrong = wrongDocument('/v1/health', 'get', (responses) => {
      const response = documented(responses, '200');
      response.content = { 'application/hal+json': response.content?.['application/json'] ?? {} };
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('health'), {
      operationId: 'getHealth',
      kind: 'undocumented-media-type',
    });
  });

  it('refuses an empty 204 where the document promises a body', async () => {
    const wrong = wrongDocument('/v1/cases/{caseId}/shares/{agency}', 'delete', (responses) => {
      documented(responses, '204').content = { 'application/json': { schema: { type: 'object' } } };
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('revoke a share'), {
      operationId: 'revokeShare',
      status: 204,
      kind: 'undocumented-media-type',
    });
  });

  it('refuses a response without a header the document requires', async () => {
    const wrong = wrongDocument('/v1/cases', 'post', (responses) => {
      const response = documented(responses, '201');
      response.headers = {
        ...response.headers,
        'X-Case-Version': { required: true, schema: { type: 'string' } },
      };
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('create a case'), {
      operationId: 'createCase',
      kind: 'missing-header',
      message: expect.stringContaining('X-Case-Version'),
    });
  });

  it('refuses a header whose value does not match its schema', async () => {
    const wrong = wrongDocument('/v1/cases', 'post', (responses) => {
      const response = documented(responses, '201');
      response.headers = {
        ...response.headers,
        Location: { required: true, schema: { type: 'string', pattern: '^https://' } },
      };
    });

    await expectOnlyTheWrongDocumentRefuses(wrong, recorded('create a case'), {
      operationId: 'createCase',
      kind: 'header-mismatch',
      message: expect.stringContaining('location'),
    });
  });
});

describe('the contract check on responses of no operation', () => {
  it('accepts the gateway’s problem+json for an unknown path or method', async () => {
    const check = await contractCheck(published);

    const unknownPath = check(recorded('unknown path'));
    const otherMethod = check(recorded('known path, other method'));

    expect(unknownPath).toEqual([]);
    expect(otherMethod).toEqual([]);
  });

  it('refuses one that is not problem+json, or not of the problem shape', async () => {
    const check = await contractCheck(published);

    const html = check(
      recorded('unknown path', (response) => {
        response.headers['content-type'] = 'text/html';
        response.text = '<h1>Not Found</h1>';
      }),
    );
    const withoutCode = check(
      recorded('unknown path', (response) => {
        const { code: _code, ...rest } = JSON.parse(response.text) as Record<string, unknown>;
        response.text = JSON.stringify(rest);
      }),
    );

    expect(html).toMatchObject([{ operationId: null, status: 404, kind: 'unrouted-not-problem' }]);
    expect(withoutCode).toMatchObject([
      { kind: 'unrouted-not-problem', message: expect.stringContaining('/code') },
    ]);
  });
});

describe('what a violation reports', () => {
  const violation: ContractViolation = {
    operationId: 'getCase',
    method: 'GET',
    path: '/v1/cases/5d4c1e0b-8a0e-4f57-9a31-1c0f7f4a6b20',
    status: 410,
    kind: 'undocumented-status',
    message: 'status 410 is not documented (documented: 200, 400)',
  };

  it('names the operation, the request, the status and what drifted', () => {
    const error = new ContractViolationError([violation]);

    expect(error.name).toBe('ContractViolationError');
    expect(error.message).toContain(
      'getCase GET /v1/cases/5d4c1e0b-8a0e-4f57-9a31-1c0f7f4a6b20 → 410: [undocumented-status] status 410',
    );
  });

  it('sums a run up once per operation, status and kind, with a count and an example', () => {
    const other = { ...violation, path: '/v1/cases/other' };
    const header = {
      ...violation,
      kind: 'missing-header' as const,
      message: 'required header ETag is missing',
    };

    const summary = summarizeViolations([violation, other, header]);

    expect(summary).toEqual([
      expect.objectContaining({ operationId: 'getCase', status: 410, kind: 'undocumented-status', count: 2 }),
      expect.objectContaining({ operationId: 'getCase', status: 410, kind: 'missing-header', count: 1 }),
    ]);
  });
});

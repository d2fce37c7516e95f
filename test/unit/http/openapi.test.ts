import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, problemCodesOf } from '../../../src/http/openapi';
import { PROBLEM_CODES } from '../../../src/http/problem-codes';
import { type RouteSpec, routes } from '../../../src/http/routes';

interface Response {
  headers?: Record<string, unknown>;
  content?: Record<
    string,
    { schema?: { allOf?: { $ref?: string; properties?: { code?: { enum?: string[] } } }[] } }
  >;
}
interface Operation {
  responses: Record<string, Response>;
  parameters?: { name: string }[];
  security?: unknown[];
}
const document = buildOpenApiDocument() as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: { agencyOAuth2: { flows: { clientCredentials: { scopes: Record<string, string> } } } };
  };
};
const all = routes as readonly RouteSpec[];
const operationOf = (route: RouteSpec) => document.paths[route.path]?.[route.method.toLowerCase()];

/** Every `pattern` anywhere in a value. */
function patternsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(patternsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'pattern' && typeof inner === 'string' ? [inner] : patternsIn(inner),
  );
}

describe('the OpenAPI document', () => {
  it('publishes a body example for every route that takes a body, and each example is valid', () => {
    for (const route of all.filter((r) => r.request?.body)) {
      expect(route.request?.example, route.operationId).toBeDefined();
      const parsed = route.request?.body?.safeParse(route.request.example);
      expect(parsed?.success, `${route.operationId}: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
    }
  });

  it('writes every pattern as an ECMA-262 regex a JSON Schema validator compiles, with no flags leaked', () => {
    const patterns = patternsIn(document);

    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) {
      expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
      expect(pattern, 'a regex flag leaked into the pattern').not.toMatch(/\/[dgimsuvy]+$/);
    }
  });

  it('documents, per status, each problem code the route answers with, and no other', () => {
    for (const route of all) {
      const responses = operationOf(route)?.responses ?? {};
      for (const code of problemCodesOf(route)) {
        const { status } = PROBLEM_CODES[code];
        const schema = responses[String(status)]?.content?.['application/problem+json']?.schema;
        expect(schema?.allOf?.[0]?.$ref, `${route.operationId} ${status}`).toBe(
          '#/components/schemas/Problem',
        );
        expect(schema?.allOf?.[1]?.properties?.code?.enum, `${route.operationId} ${status}`).toContain(code);
      }
    }
  });

  it('documents 404 on every route that names a resource in its path, and 401/403 on every authenticated one', () => {
    for (const route of all) {
      const statuses = Object.keys(operationOf(route)?.responses ?? {});
      if (/\{\w+\}/.test(route.path)) expect(statuses, route.operationId).toContain('404');
      if (route.scope !== null)
        expect(statuses, route.operationId).toEqual(expect.arrayContaining(['401', '403', '503']));
    }
  });

  it('documents the headers a request sends and a response carries', () => {
    const updateCase = operationOf(all.find((r) => r.operationId === 'updateCase') as RouteSpec);
    const createCase = operationOf(all.find((r) => r.operationId === 'createCase') as RouteSpec);
    const names = (op: Operation | undefined) => (op?.parameters ?? []).map((p) => p.name);

    expect(names(updateCase)).toEqual(expect.arrayContaining(['X-Himaya-User', 'If-Match']));
    expect(names(createCase)).toEqual(expect.arrayContaining(['X-Himaya-User', 'Idempotency-Key']));
    expect(Object.keys(createCase?.responses['201']?.headers ?? {})).toEqual(['ETag', 'Location']);
    expect(Object.keys(createCase?.responses['401']?.headers ?? {})).toEqual(['WWW-Authenticate']);
    expect(Object.keys(createCase?.responses['503']?.headers ?? {})).toEqual(['Retry-After']);
  });

  it('names scopes as the access tokens carry them', () => {
    const scopes = Object.keys(
      document.components.securitySchemes.agencyOAuth2.flows.clientCredentials.scopes,
    );
    const getCase = operationOf(all.find((r) => r.operationId === 'getCase') as RouteSpec);

    expect(scopes).toContain('himaya/cases.read');
    expect(getCase?.security).toEqual([{ agencyOAuth2: ['himaya/cases.read'] }]);
  });
});

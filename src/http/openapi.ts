import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { SCOPES, scopeClaim } from '../domain/directory';
import { PurposeSchema } from '../domain/purpose';
import { PROBLEM_CODES, type ProblemCodeName } from './problem-codes';
import { type FunctionName, type RouteSpec, routes } from './routes';
import { IdempotencyKeySchema, ProblemSchema, UserHeaderSchema } from './schemas';

const SECURITY_SCHEME = 'agencyOAuth2';

/** One tag per function: the areas an integrator finds in the document. */
const TAGS: Record<FunctionName, { name: string; description: string }> = {
  public: { name: 'Service', description: 'Liveness and this document; no token.' },
  directory: { name: 'Directory', description: 'The agencies that exchange through Himaya.' },
  cases: { name: 'Cases', description: 'Encrypted case records: reports, sections, notes.' },
  exchange: { name: 'Exchange', description: 'Shares, access requests, decisions and emergency access.' },
  reviews: { name: 'Reviews', description: 'The compliance review list.' },
  audit: { name: 'Access log', description: 'The verifiable access log: events, checkpoints, proofs.' },
  deadlines: { name: 'Deadlines', description: 'The deadline sweep (no route).' },
  stats: { name: 'Statistics', description: 'De-identified statistics tables, with disclosure control.' },
};

/**
 * Every problem code the route can answer with: its own refusals, and those of every route of its kind.
 * In AWS any route can also be throttled (429), blocked by the firewall (403) or fail at the gateway (502,
 * 504); an authenticated route refuses a missing token (401), scope (403) or officer header (400), and
 * fails closed (503).
 */
export function problemCodesOf(route: RouteSpec): ProblemCodeName[] {
  const codes = new Set<ProblemCodeName>([
    'request-blocked',
    'too-many-requests',
    'internal',
    'bad-gateway',
    'timeout',
  ]);
  const add = (...more: ProblemCodeName[]) => {
    for (const code of more) codes.add(code);
  };
  if (route.scope !== null)
    add('invalid-request', 'unauthorized', 'insufficient-scope', 'service-unavailable');
  if (route.request?.params || route.request?.query) add('invalid-request');
  if (route.request?.body)
    add('invalid-request', 'malformed-json', 'payload-too-large', 'unsupported-media-type');
  if (route.idempotent) add('invalid-request', 'in-progress', 'idempotency-key-reused');
  // A write whose answer never came back from DynamoDB says so (and how to settle it).
  if (route.scope !== null && route.method !== 'GET') add('outcome-unknown');
  add(...(route.refusals ?? []));
  return [...codes];
}

const header = (description: string, schema: object = { type: 'string' }) => ({
  description,
  schema,
  required: true,
});

/** Response headers by status: what a strict client may rely on being there. */
function problemHeaders(status: number): ResponseConfig['headers'] {
  if (status === 401) return { 'WWW-Authenticate': header('`Bearer`: send an access token.') };
  if (status === 409) {
    const retryAfter = header(
      'With `in-progress`: seconds until the first attempt’s claim on the key lapses.',
      {
        type: 'string',
        pattern: '^[0-9]+$',
      },
    );
    return { 'Retry-After': { ...retryAfter, required: false } };
  }
  if (status === 429 || status === 503) {
    return {
      'Retry-After': header('Seconds to wait before retrying.', { type: 'string', pattern: '^[0-9]+$' }),
    };
  }
  return undefined;
}

const SUCCESS_HEADERS = {
  ETag: header(
    'The version of what was read: of a case, for `If-Match` on the next update (e.g. `"3"`); of a statistics table, for `If-None-Match`; of a tile, a strong tag of its bytes.',
  ),
  Location: header('Where the created resource is read.'),
  'Cache-Control': header(
    'How long a private cache may keep the answer, e.g. `private, max-age=60`. On a tile: `private, max-age=31536000, immutable` when it is full (it never changes), `private, no-cache` when partial.',
  ),
};

/** One problem+json response per status, its `code` limited to those the route answers with at that status. */
function problemResponses(route: RouteSpec): Record<string, ResponseConfig> {
  const byStatus = new Map<number, ProblemCodeName[]>();
  for (const code of problemCodesOf(route)) {
    const { status } = PROBLEM_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    // The shared Problem, narrowed to this status's codes (by reference: the document stays small).
    const schema = z.intersection(
      ProblemSchema,
      z.object({ code: z.enum(codes as [ProblemCodeName, ...ProblemCodeName[]]) }),
    );
    const headers = problemHeaders(status);
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${PROBLEM_CODES[code].means}`).join(' '),
      ...(headers ? { headers } : {}),
      content: { 'application/problem+json': { schema } },
    };
  }
  return responses;
}

function successResponse(route: RouteSpec, description: string): ResponseConfig {
  const { schema, contentType, headers, alternatives } = route.response;
  const content = {
    ...(schema ? { [contentType ?? 'application/json']: { schema } } : {}),
    ...Object.fromEntries((alternatives ?? []).map((other) => [other.contentType, { schema: other.schema }])),
  };
  return {
    description,
    ...(headers ? { headers: Object.fromEntries(headers.map((name) => [name, SUCCESS_HEADERS[name]])) } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

/** 304 to an `If-None-Match` naming the current ETag: no body, the same validators. */
function notModifiedResponse(route: RouteSpec): Record<string, ResponseConfig> {
  if (!route.ifNoneMatch) return {};
  return {
    '304': {
      description: 'Unchanged since the ETag named in `If-None-Match`: no body',
      headers: { ETag: SUCCESS_HEADERS.ETag, 'Cache-Control': SUCCESS_HEADERS['Cache-Control'] },
    },
  };
}

/** `X-Himaya-User`, `X-Himaya-Purpose`, `Idempotency-Key`, `If-Match`; the token is the security scheme's. */
function requestHeaders(route: RouteSpec) {
  const headers: Record<string, z.ZodType> = {};
  if (route.scope !== null) {
    headers['X-Himaya-User'] = UserHeaderSchema.optional().meta({
      description:
        "The officer or caseworker the agency system acts for (recorded in the access log): required with an agency system's (client-credentials) token. With a signed-in officer's token (the compliance console) the token names the officer: leave it out, or send that same name; another name is refused with 400 `invalid-request`.",
    });
  }
  if (route.purpose) {
    headers['X-Himaya-Purpose'] = PurposeSchema.meta({
      description: 'Why the case is read; recorded in the access log.',
    });
  }
  if (route.idempotent) {
    headers['Idempotency-Key'] = IdempotencyKeySchema.optional().meta({
      description: 'Makes a retry safe: the same key and body answer the first response; another body, 422.',
    });
  }
  if (route.ifNoneMatch) {
    headers['If-None-Match'] = z.string().optional().meta({
      description: 'The ETag of an answer held: 304 with no body while it is still current.',
    });
  }
  if (route.ifMatch) {
    headers['If-Match'] = z.string().optional().meta({
      description: 'The ETag of the version read. Without it: 428; if the case changed since: 412.',
    });
  }
  return Object.keys(headers).length > 0 ? z.object(headers) : undefined;
}

function operationOf(route: RouteSpec): RouteConfig {
  const { request } = route;
  const headers = requestHeaders(route);
  return {
    operationId: route.operationId,
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    summary: route.summary,
    description: route.description,
    tags: [TAGS[route.fn].name],
    security: route.scope === null ? [] : [{ [SECURITY_SCHEME]: [scopeClaim(route.scope)] }],
    request: {
      ...(request?.params ? { params: request.params } : {}),
      ...(request?.query ? { query: request.query } : {}),
      ...(headers ? { headers } : {}),
      ...(request?.body
        ? {
            body: {
              required: true,
              content: {
                'application/json': {
                  schema: request.body,
                  ...(request.example !== undefined ? { example: request.example } : {}),
                },
              },
            },
          }
        : {}),
    },
    responses: {
      [String(route.response.status)]: successResponse(route, route.response.description),
      ...(route.response.also
        ? { [String(route.response.also.status)]: successResponse(route, route.response.also.description) }
        : {}),
      ...notModifiedResponse(route),
      ...problemResponses(route),
    },
  };
}

/** The OpenAPI 3.1 document, generated from the route table, the zod schemas and the problem codes alone. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'oauth2',
    description:
      "OAuth2 (Amazon Cognito in AWS). Agency systems: client credentials, one app client per agency (`npm run token` locally). Compliance officers: the console signs them in with the authorization code grant and PKCE (S256), `himaya/audit.read` only; their token names them (`username`). The sign-in and token endpoints are the identity provider's, not this API's.",
    flows: {
      clientCredentials: {
        tokenUrl: 'https://auth.himaya.example/oauth2/token',
        scopes: Object.fromEntries(SCOPES.map((scope) => [scopeClaim(scope), `Himaya scope ${scope}`])),
      },
      authorizationCode: {
        authorizationUrl: 'https://officers.auth.himaya.example/oauth2/authorize',
        tokenUrl: 'https://officers.auth.himaya.example/oauth2/token',
        scopes: { [scopeClaim('audit.read')]: 'Himaya scope audit.read (compliance officers)' },
      },
    },
  });
  for (const route of routes as readonly RouteSpec[]) registry.registerPath(operationOf(route));

  const usedTags = new Set<FunctionName>(routes.map((route) => route.fn));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Himaya API',
      version: '1.0.0',
      description: 'Secure information exchange between agencies that protect children and families.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Himaya' },
    },
    servers: [{ url: '/' }],
    tags: Object.entries(TAGS)
      .filter(([fn]) => usedTags.has(fn as FunctionName))
      .map(([, tag]) => tag),
  });
}

import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { SCOPES } from '../domain/directory';
import { PurposeSchema } from '../domain/purpose';
import { type RouteSpec, routes } from './routes';
import { ProblemSchema, UserHeaderSchema } from './schemas';

const SECURITY_SCHEME = 'agencyOAuth2';

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The OpenAPI 3.1 document, generated from the route table and the zod schemas alone. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'oauth2',
    description: 'OAuth2 client credentials: one app client per agency (Amazon Cognito in AWS).',
    flows: {
      clientCredentials: {
        tokenUrl: 'https://auth.himaya.example/oauth2/token',
        scopes: Object.fromEntries(SCOPES.map((scope) => [scope, `Himaya scope ${scope}`])),
      },
    },
  });

  for (const route of routes) {
    const spec: RouteSpec = route;
    const headers: Record<string, z.ZodType> = {};
    if (spec.scope !== null) headers['X-Himaya-User'] = UserHeaderSchema;
    if (spec.purpose) headers['X-Himaya-Purpose'] = PurposeSchema;
    const responses: Record<
      string,
      ReturnType<typeof problemResponse> | { description: string; content?: object }
    > = {
      [String(spec.response.status)]: {
        description: spec.response.description,
        ...(spec.response.schema
          ? {
              content: {
                [spec.response.contentType ?? 'application/json']: { schema: spec.response.schema },
              },
            }
          : {}),
      },
    };
    if (spec.scope !== null) {
      responses['400'] = problemResponse('Invalid request');
      responses['401'] = problemResponse('Missing or invalid access token');
      responses['403'] = problemResponse('The token lacks the scope');
      responses['503'] = problemResponse('A dependency failed; nothing was stored or returned');
    }
    registry.registerPath({
      operationId: spec.operationId,
      method: spec.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete',
      path: spec.path,
      summary: spec.summary,
      security: spec.scope === null ? [] : [{ [SECURITY_SCHEME]: [spec.scope] }],
      request: {
        ...(spec.request?.params ? { params: spec.request.params } : {}),
        ...(spec.request?.query ? { query: spec.request.query } : {}),
        ...(Object.keys(headers).length > 0 ? { headers: z.object(headers) } : {}),
        ...(spec.request?.body
          ? { body: { required: true, content: { 'application/json': { schema: spec.request.body } } } }
          : {}),
      },
      responses,
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Himaya API',
      version: '1.0.0',
      description: 'Secure information exchange between agencies that protect children and families.',
    },
    servers: [{ url: '/' }],
  });
}

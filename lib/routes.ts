import type { ZodObject, ZodType } from 'zod';
import type { Scope } from '../src/domain/directory';
import { AgencyListSchema, HealthSchema } from '../src/http/schemas';

/**
 * The one route table. The local gateway serves from it, the CDK stack builds API Gateway from it and the
 * OpenAPI document is generated from it. Nothing else lists routes.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One Lambda function per area; its entry is `functions/<name>.ts`. */
export const FUNCTION_NAMES = ['public', 'directory'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** API Gateway resource path, with `{name}` parameters. */
  path: string;
  fn: FunctionName;
  /** The OAuth2 scope the access token must carry; null for the unauthenticated routes. */
  scope: Scope | null;
  summary: string;
  request?: {
    params?: ZodObject;
    query?: ZodObject;
    body?: ZodType;
  };
  /** Whether `X-Himaya-Purpose` is required (reads of case content). */
  purpose?: boolean;
  response: { status: number; description: string; schema?: ZodType; contentType?: string };
}

export const routes = [
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/v1/health',
    fn: 'public',
    scope: null,
    summary: 'Liveness',
    response: { status: 200, description: 'The service is up', schema: HealthSchema },
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'public',
    scope: null,
    summary: 'This API description (OpenAPI 3.1)',
    response: { status: 200, description: 'The OpenAPI document' },
  },
  {
    operationId: 'listAgencies',
    method: 'GET',
    path: '/v1/agencies',
    fn: 'directory',
    scope: 'cases.read',
    summary: 'The agency directory',
    response: { status: 200, description: 'Agencies that exchange through Himaya', schema: AgencyListSchema },
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof routes)[number]['operationId'];

export function routesOf(fn: FunctionName): RouteSpec[] {
  return routes.filter((route) => route.fn === fn);
}

export function findRoute(method: string, resourcePath: string): RouteSpec | undefined {
  return routes.find((route) => route.method === method && route.path === resourcePath);
}

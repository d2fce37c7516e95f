import { Buffer } from 'node:buffer';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import type { ZodType } from 'zod';
import type { AuditTrail } from '../domain/audit/trail';
import type { Purpose } from '../domain/purpose';
import type { RetryableWrite } from '../domain/retryable-write';
import type { AuthContext, RequestIdentity } from './request-identity';
import type { RequestTrail } from './request-trail';
import type { FunctionName, RouteSpec, routes } from './routes';

type AllRoutes = (typeof routes)[number];
type RouteOf<Id> = Extract<AllRoutes, { operationId: Id }>;
type OperationsOf<F extends FunctionName> = Extract<AllRoutes, { fn: F }>['operationId'];
type Infer<T> = T extends ZodType ? z.output<T> : undefined;
type RequestPart<R, K extends string> = R extends { request: infer Q }
  ? Q extends Record<K, infer S>
    ? Infer<S>
    : undefined
  : undefined;

/** What an operation receives: the caller and every part of the request, validated against its route. */
export interface ApiRequest<R extends RouteSpec = RouteSpec> {
  route: R;
  auth: R['scope'] extends null ? null : AuthContext;
  purpose: R extends { purpose: true } ? Purpose : undefined;
  params: RequestPart<R, 'params'>;
  query: RequestPart<R, 'query'>;
  body: RequestPart<R, 'body'>;
  headers: Record<string, string | undefined>;
  requestId: string;
  sourceIp: string;
  /** The access-log event of this request (see AuditTrail). */
  audit: AuditTrail;
  /** The id a create takes and the digest of its request, derived from `Idempotency-Key` if sent. */
  write: RetryableWrite;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  /** Defaults to application/json; a string body with another type is sent as it is. */
  contentType?: string;
  headers?: Record<string, string>;
}

export type OperationHandler<Id> = (request: ApiRequest<RouteOf<Id>>) => Promise<ApiResponse>;
export type OperationHandlers<F extends FunctionName> = { [Id in OperationsOf<F>]: OperationHandler<Id> };

/**
 * What the middlewares learn of a request, in the order they run: `requestContext` resolves the route and
 * who is asking, `accessLog` opens the trail, `authorization` checks the caller, `requestValidation`
 * parses the parts, `idempotency` may find the answer already given.
 */
export interface RequestState {
  route: RouteSpec;
  identity: RequestIdentity;
  trail?: RequestTrail;
  auth: AuthContext | null;
  purpose: Purpose | undefined;
  /** Derived from `Idempotency-Key` by `idempotency`, on routes that accept it. */
  write?: RetryableWrite;
  params: unknown;
  query: unknown;
  body: unknown;
  /** The stored response of an earlier request with the same `Idempotency-Key` and body. */
  replay?: APIGatewayProxyResult;
}

/** The Lambda context, with the request's state once `requestContext` has run. */
export type ApiContext = Context & { api?: RequestState };

/** The request's state; only absent if the chain is assembled wrongly, which must not pass silently. */
export function stateOf(context: ApiContext): RequestState {
  if (!context.api) throw new Error('requestContext must run before this middleware');
  return context.api;
}

/** Bytes go base64 with `isBase64Encoded` (API Gateway decodes them for the binary media types). */
function binaryResult(response: ApiResponse, body: Uint8Array): APIGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: {
      'Content-Type': response.contentType ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      ...response.headers,
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

export function toResult(response: ApiResponse): APIGatewayProxyResult {
  if (response.body instanceof Uint8Array) return binaryResult(response, response.body);
  const isText = typeof response.body === 'string' && response.contentType !== undefined;
  const hasBody = response.body !== undefined;
  return {
    statusCode: response.status,
    headers: {
      // A response without a body (204) names no media type.
      ...(hasBody ? { 'Content-Type': response.contentType ?? 'application/json; charset=utf-8' } : {}),
      'Cache-Control': 'no-store',
      ...response.headers,
    },
    body:
      response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body),
  };
}

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ZodType, z } from 'zod';
import { type FunctionName, type RouteSpec, routes } from '../../lib/routes';
import type { Directory } from '../domain/directory';
import { type AuthContext, authContextOf, purposeOf } from './auth-context';
import {
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { problemResponse } from './problem';
import type { Purpose } from './schemas';

/** API Gateway's own limit is 10 MB; a case record never needs more than this. */
export const MAX_BODY_BYTES = 256 * 1024;

type AllRoutes = (typeof routes)[number];
type RouteOf<Id> = Extract<AllRoutes, { operationId: Id }>;
type OperationsOf<F extends FunctionName> = Extract<AllRoutes, { fn: F }>['operationId'];
type Infer<T> = T extends ZodType ? z.output<T> : undefined;
type RequestPart<R, K extends string> = R extends { request: infer Q }
  ? Q extends Record<K, infer S>
    ? Infer<S>
    : undefined
  : undefined;

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

export interface ApiFunctionOptions<F extends FunctionName> {
  fn: F;
  logger: Logger;
  directory: Directory;
  operations: OperationHandlers<F>;
}

function zodFieldErrors(error: z.ZodError, prefix: string) {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function parsePart(schema: ZodType | undefined, value: unknown, prefix: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ValidationError(`The request ${prefix} is invalid.`, zodFieldErrors(parsed.error, prefix));
  return parsed.data;
}

function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const contentType = event.headers['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i.test(contentType))
    throw new UnsupportedMediaTypeError();
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'malformed-json', 'Bad Request', 'The body is not valid JSON.');
  }
}

/** Turns a route's event into a typed request: auth, headers, params, query and body, all validated. */
function toApiRequest(route: RouteSpec, event: APIGatewayProxyEvent, directory: Directory): ApiRequest {
  const auth = route.scope === null ? null : authContextOf(event, route.scope, directory);
  const purpose = route.purpose ? purposeOf(event) : undefined;
  const body = route.request?.body ? parsePart(route.request.body, parseJsonBody(event), 'body') : undefined;
  return {
    route,
    auth,
    purpose,
    params: parsePart(route.request?.params, event.pathParameters ?? {}, 'params'),
    query: parsePart(route.request?.query, event.queryStringParameters ?? {}, 'query'),
    body,
    headers: event.headers,
    requestId: event.requestContext.requestId,
    sourceIp: event.requestContext.identity?.sourceIp ?? 'unknown',
  } as ApiRequest;
}

function toResult(response: ApiResponse): APIGatewayProxyResult {
  const isText = typeof response.body === 'string' && response.contentType !== undefined;
  return {
    statusCode: response.status,
    headers: {
      'Content-Type': response.contentType ?? 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...response.headers,
    },
    body:
      response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body),
  };
}

/**
 * One Lambda function serving the routes the table gives it: a thin middy chain around plain operation
 * handlers. Every failure becomes problem+json here; nothing of an error's internals reaches the caller.
 */
export function apiFunction<F extends FunctionName>(options: ApiFunctionOptions<F>) {
  const { fn, logger, directory } = options;
  const operations = options.operations as unknown as Record<
    string,
    (request: ApiRequest) => Promise<ApiResponse>
  >;
  const served = routes.filter((route) => route.fn === fn);

  const dispatch = async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    const route = served.find((r) => r.method === event.httpMethod && r.path === event.resource);
    try {
      if (!route) throw new NotFoundError();
      const operation = operations[route.operationId];
      if (!operation) throw new NotFoundError();
      const response = await operation(toApiRequest(route, event, directory));
      return toResult(response);
    } catch (error) {
      const result = problemResponse(error);
      if (result.statusCode >= 500) {
        // The error name and code only: SDK messages can echo request data.
        logger.error('request failed', { operation: route?.operationId, errorName: (error as Error)?.name });
      } else {
        logger.info('request refused', { operation: route?.operationId, status: result.statusCode });
      }
      return result;
    }
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(httpSecurityHeaders())
    .handler(dispatch);
}

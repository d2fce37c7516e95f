import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type ZodType, z } from 'zod';
import type { AuditStore } from '../adapters/dynamodb/audit-store';
import type { AuditTrail } from '../domain/audit/trail';
import type { Directory } from '../domain/directory';
import { type AuthContext, authContextOf, purposeOf } from './auth-context';
import {
  DependencyUnavailableError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { idempotentRunner } from './idempotency';
import { problemResponse } from './problem';
import { requestTrail } from './request-trail';
import { type FunctionName, type RouteSpec, routes } from './routes';
import type { Purpose } from './schemas';

/** CloudWatch namespace of the metrics the functions emit (embedded metric format, in their logs). */
export const METRICS_NAMESPACE = 'Himaya';

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
  /** The access-log event of this request (see AuditTrail). */
  audit: AuditTrail;
  /** `Idempotency-Key`, scoped to the client and operation, on routes that accept it. */
  idempotencyScope: string | undefined;
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
  /** Where the access log is written: every request to an authenticated route leaves one event. */
  audit?: AuditStore;
  /** Where `Idempotency-Key` records are kept (Powertools idempotency). */
  idempotencyStore?: BasePersistenceLayer;
  /**
   * Where the per-request metrics go. Default: namespace `Himaya`, service `POWERTOOLS_SERVICE_NAME` (or
   * `himaya-<fn>`); `POWERTOOLS_METRICS_DISABLED=true` (tests, local stack) emits nothing.
   */
  metrics?: Metrics;
  clock?: () => Date;
}

/** `2xx`, `4xx`, `5xx`: the outcome class of a status code, the `outcome` dimension of `Requests`. */
export function outcomeOf(statusCode: number): string {
  return `${Math.floor(statusCode / 100)}xx`;
}

/**
 * Per request: `Requests` (count) with dimensions `service` and `outcome`, and on a 503 (KMS or DynamoDB
 * unavailable) `DependencyFailures` (count) with dimension `service`, as a metric of its own so that it
 * needs no `outcome` to be found.
 */
function recordRequest(metrics: Metrics, statusCode: number): void {
  metrics.addDimension('outcome', outcomeOf(statusCode));
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  if (statusCode === 503) metrics.singleMetric().addMetric('DependencyFailures', MetricUnit.Count, 1);
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
function toApiRequest(
  route: RouteSpec,
  event: APIGatewayProxyEvent,
  directory: Directory,
  audit: AuditTrail,
): ApiRequest {
  const auth = route.scope === null ? null : authContextOf(event, route.scope, directory);
  const idempotencyKey = route.idempotent ? idempotencyKeyOf(event) : undefined;
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
    audit,
    idempotencyScope:
      idempotencyKey && auth
        ? `${auth.clientId} ${route.operationId} ${event.path} ${idempotencyKey}`
        : undefined,
  } as ApiRequest;
}

const IdempotencyKeySchema = z.string().regex(/^[\w.:-]{8,128}$/);

function idempotencyKeyOf(event: APIGatewayProxyEvent): string | undefined {
  const value = event.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (!IdempotencyKeySchema.safeParse(value).success) {
    throw new ValidationError('Idempotency-Key must be 8-128 letters, digits or . _ : -', [
      { path: 'headers.idempotency-key', message: 'invalid value' },
    ]);
  }
  return value;
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
  const { fn, logger, directory, audit } = options;
  const clock = options.clock ?? (() => new Date());
  const operations = options.operations as unknown as Record<
    string,
    (request: ApiRequest) => Promise<ApiResponse>
  >;
  const served: RouteSpec[] = routes.filter((route) => route.fn === fn);
  const metrics =
    options.metrics ??
    new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `himaya-${fn}`,
    });
  const runIdempotent = options.idempotencyStore ? idempotentRunner(options.idempotencyStore, fn) : undefined;

  const failed = (error: unknown, operation: string | undefined) => {
    const result = problemResponse(error);
    if (result.statusCode >= 500) {
      // The error's name only: SDK messages can echo request data.
      const cause = (error as Error)?.cause as Error | undefined;
      logger.error('request failed', {
        operation,
        errorName: (error as Error)?.name,
        causeName: cause?.name,
      });
    } else {
      logger.info('request refused', { operation, status: result.statusCode });
    }
    return result;
  };

  const dispatch = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const route = served.find((r) => r.method === event.httpMethod && r.path === event.resource);
    if (!route) return failed(new NotFoundError(), undefined);
    const trail = requestTrail(route, event, directory, clock);
    let result: APIGatewayProxyResult;
    try {
      const operation = operations[route.operationId];
      if (!operation) throw new NotFoundError();
      const request = toApiRequest(route, event, directory, trail);
      const response =
        runIdempotent && request.idempotencyScope
          ? await runIdempotent(request.idempotencyScope, request.body, () => operation(request), context)
          : await operation(request);
      result = toResult(response);
    } catch (error) {
      result = failed(error, route.operationId);
    }
    // The event is written before anything is returned; if it cannot be, nothing is returned.
    if (audit && route.action && !trail.wasRecorded()) {
      try {
        await audit.record(trail.eventFor(result.statusCode));
      } catch (error) {
        result = failed(
          error instanceof HttpError ? error : new DependencyUnavailableError(error),
          route.operationId,
        );
      }
    }
    return result;
  };

  const measured = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    let result: APIGatewayProxyResult;
    try {
      result = await dispatch(event, context);
    } catch (error) {
      // Not expected (dispatch answers every failure); Lambda reports it and API Gateway answers 502.
      recordRequest(metrics, 502);
      throw error;
    }
    recordRequest(metrics, result.statusCode);
    return result;
  };

  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      // Publishes the request's metrics when it ends (also on an error).
      .use(logMetrics(metrics))
      .use(httpHeaderNormalizer())
      .use(httpSecurityHeaders())
      .handler(measured)
  );
}

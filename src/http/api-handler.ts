import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuditEventRecorder } from '../domain/audit/trail';
import type { Directory } from '../domain/directory';
import {
  type ApiContext,
  type ApiRequest,
  type ApiResponse,
  type OperationHandlers,
  stateOf,
  toResult,
} from './api-request';
import { RouteNotFoundError } from './errors';
import { accessLog } from './middlewares/access-log';
import { authorization } from './middlewares/authorization';
import { jsonBody } from './middlewares/json-body';
import { problemJson } from './middlewares/problem-json';
import { requestContext } from './middlewares/request-context';
import { METRICS_NAMESPACE, requestMetrics } from './middlewares/request-metrics';
import { requestValidation } from './middlewares/request-validation';
import type { ApiMiddleware } from './middlewares/types';
import { type FunctionName, routes } from './routes';

export interface ApiHandlerOptions<F extends FunctionName> {
  fn: F;
  logger: Logger;
  directory: Directory;
  operations: OperationHandlers<F>;
  /** Where the access log is written: every request to an authenticated route leaves one event. */
  audit?: AuditEventRecorder;
  /**
   * `Idempotency-Key`, for a function whose routes take one: `idempotency(...)` of
   * middlewares/idempotency.ts, made by the function, so that the others do not load Powertools
   * idempotency at all.
   */
  idempotency?: ApiMiddleware;
  /**
   * Where the per-request metrics go. Default: namespace `Himaya`, service `POWERTOOLS_SERVICE_NAME` (or
   * `himaya-<fn>`); `POWERTOOLS_METRICS_DISABLED=true` (tests, local stack) emits nothing.
   */
  metrics?: Metrics;
  clock?: () => Date;
}

type Operation = (request: ApiRequest) => Promise<ApiResponse>;

/** The handler at the end of the chain: the route's operation, given the request the middlewares built. */
function runOperation(operations: Record<string, Operation | undefined>) {
  return async (event: APIGatewayProxyEvent, context: ApiContext): Promise<APIGatewayProxyResult> => {
    const state = stateOf(context);
    if (state.replay) return state.replay;
    const operation = operations[state.route.operationId];
    if (!operation) throw new RouteNotFoundError();
    const response = await operation({
      route: state.route,
      auth: state.auth,
      purpose: state.purpose,
      params: state.params,
      query: state.query,
      body: state.body,
      headers: event.headers,
      requestId: event.requestContext.requestId,
      sourceIp: event.requestContext.identity?.sourceIp ?? 'unknown',
      audit: state.trail,
      write: state.write ?? { id: randomUUID() },
    } as ApiRequest);
    return toResult(response);
  };
}

/**
 * One Lambda function serving the routes the table gives it, as a middy chain. `before` runs top to
 * bottom; `after` and `onError` bottom to top, so problem+json answers an error first, then the access log
 * records the status it answered, then security headers and metrics apply to whatever is sent.
 */
export function apiHandler<F extends FunctionName>(options: ApiHandlerOptions<F>) {
  const { fn, logger, directory } = options;
  const metrics =
    options.metrics ??
    new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `himaya-${fn}`,
    });
  const chain: ApiMiddleware[] = [
    requestMetrics(metrics),
    httpHeaderNormalizer() as ApiMiddleware,
    httpSecurityHeaders() as ApiMiddleware,
    requestContext({ routes: routes.filter((route) => route.fn === fn), directory }),
    accessLog({ recorder: options.audit, clock: options.clock ?? (() => new Date()), logger }),
    problemJson(logger),
    authorization(),
    jsonBody(),
    requestValidation(),
    ...(options.idempotency ? [options.idempotency] : []),
  ];
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ApiContext>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      // Publishes the request's metrics when it ends (also on an error).
      .use(logMetrics(metrics))
      .use(chain)
      .handler(runOperation(options.operations as unknown as Record<string, Operation>))
  );
}

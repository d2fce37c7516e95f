import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Directory } from '../../../src/domain/directory';
import { DependencyUnavailableError } from '../../../src/domain/errors';
import { apiHandler } from '../../../src/http/api-handler';
import { METRICS_NAMESPACE, outcomeOf } from '../../../src/http/middlewares/request-metrics';
import { createLogger } from '../../../src/observability/logger';

const context = {
  functionName: 'himaya-public',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:me-central-1:111111111111:function:himaya-public',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const eventFor = (resource: string) =>
  ({
    httpMethod: 'GET',
    resource,
    path: resource,
    headers: {},
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'request-1', identity: { sourceIp: '192.0.2.1' } },
  }) as unknown as APIGatewayProxyEvent;

function publicFunction(metrics: Metrics, health: () => Promise<never> | Promise<{ status: number }>) {
  return apiHandler({
    fn: 'public',
    logger: createLogger('public'),
    directory: { agencies: [], clients: [], oversight: [] } as unknown as Directory,
    metrics,
    operations: {
      getHealth: health as never,
      getOpenApi: async () => ({ status: 200, body: {} }),
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe('API function metrics', () => {
  it('classes status codes', () => {
    expect([200, 201, 204, 400, 404, 429, 500, 503].map(outcomeOf)).toEqual([
      '2xx',
      '2xx',
      '2xx',
      '4xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
    ]);
  });

  it.each([
    ['/v1/health', async () => ({ status: 200, body: { status: 'ok' } }), '2xx', false],
    ['/v1/no-such-route', async () => ({ status: 200 }), '4xx', false],
    [
      '/v1/health',
      async () => {
        throw new DependencyUnavailableError(new Error('KMS'));
      },
      '5xx',
      true,
    ],
  ] as const)('counts a request to %s as %s', async (resource, health, outcome, dependencyFailure) => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'himaya-public' });
    const single = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: 'himaya-public',
      singleMetric: true,
    });
    const addDimension = vi.spyOn(metrics, 'addDimension');
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const singleMetric = vi.spyOn(metrics, 'singleMetric').mockReturnValue(single);
    const addSingle = vi.spyOn(single, 'addMetric');
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');

    await publicFunction(metrics, health as never)(eventFor(resource), context);

    expect(addDimension).toHaveBeenCalledWith('outcome', outcome);
    expect(addMetric).toHaveBeenCalledWith('Requests', 'Count', 1);
    if (dependencyFailure) expect(addSingle).toHaveBeenCalledWith('DependencyFailures', 'Count', 1);
    else expect(singleMetric).not.toHaveBeenCalled();
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('writes no metrics to stdout when POWERTOOLS_METRICS_DISABLED is set, as in tests and locally', async () => {
    expect(process.env.POWERTOOLS_METRICS_DISABLED).toBe('true');
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'himaya-public' });
    const write = vi.spyOn(process.stdout, 'write');
    await publicFunction(metrics, async () => ({ status: 200 }))(eventFor('/v1/health'), context);
    expect(write.mock.calls.map(([chunk]) => String(chunk)).join('')).not.toContain('_aws');
  });
});

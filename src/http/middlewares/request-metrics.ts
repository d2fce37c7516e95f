import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ApiMiddleware, ApiMiddyRequest } from './types';

/** CloudWatch namespace of the metrics the functions emit (embedded metric format, in their logs). */
export const METRICS_NAMESPACE = 'Himaya';

/** Emergency accesses refused for the agency's daily cap (count; dimension `service`): alarmed on. */
export const EMERGENCY_CAP_METRIC = 'EmergencyAccessCapReached';

/** KMS `GenerateMac` calls made for blind indexes (count; dimension `service`): alarmed on its volume. */
export const BLIND_INDEX_MAC_METRIC = 'BlindIndexMacs';

/** `2xx`, `4xx`, `5xx`: the outcome class of a status code, the `outcome` dimension of `Requests`. */
export function outcomeOf(statusCode: number): string {
  return `${Math.floor(statusCode / 100)}xx`;
}

/**
 * Per request: `Requests` (count) with dimensions `service` and `outcome`, and on a 503 (KMS or DynamoDB
 * unavailable) `DependencyFailures` (count) with dimension `service`, as a metric of its own so that it
 * needs no `outcome` to be found. Runs after every other middleware, so it counts the status sent; an
 * error nothing answered is what API Gateway turns into a 502.
 */
export function requestMetrics(metrics: Metrics): ApiMiddleware {
  const count = (request: ApiMiddyRequest) => {
    const statusCode = request.response?.statusCode ?? 502;
    metrics.addDimension('outcome', outcomeOf(statusCode));
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    if (statusCode === 503) metrics.singleMetric().addMetric('DependencyFailures', MetricUnit.Count, 1);
  };
  return { after: count, onError: count };
}

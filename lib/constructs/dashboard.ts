import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** The metrics the alarms watch, graphed beside them. */
export interface AlarmedMetrics {
  requests: cloudwatch.IMetric;
  clientErrors: cloudwatch.IMetric;
  serverErrors: cloudwatch.IMetric;
  throttles: cloudwatch.IMetric;
  errors: cloudwatch.IMetric;
  sealerErrors: cloudwatch.IMetric;
  sealLag: cloudwatch.IMetric;
  dependencyFailures: cloudwatch.IMetric;
  treeRefusals: cloudwatch.IMetric;
  overdue?: cloudwatch.IMetric;
}

export interface DashboardProps {
  restApi: apigateway.RestApi;
  /** Every function, the sealer included. */
  functions: readonly lambda.Function[];
  alarms: readonly cloudwatch.IAlarm[];
  metrics: AlarmedMetrics;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One dashboard, three rows: the API (requests and errors, latency, alarm states), the functions
 * (invocations, p99 duration, errors and throttles), the audit log and dependencies (seal lag, sealer errors
 * and tree refusals, dependency failures and overdue items).
 */
export function addDashboard(scope: Construct, props: DashboardProps): cloudwatch.Dashboard {
  const { metrics } = props;
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: `himaya-${Stack.of(scope).stackName}`,
    defaultInterval: Duration.hours(3),
  });
  const graph = (title: string, left: cloudwatch.IMetric[]) =>
    new cloudwatch.GraphWidget({ title, left, width: 8 });
  dashboard.addWidgets(
    graph('API requests and errors', [metrics.requests, metrics.clientErrors, metrics.serverErrors]),
    graph('API latency (p50, p99)', [
      props.restApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
      props.restApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
    ]),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 8 }),
  );
  dashboard.addWidgets(
    graph(
      'Invocations per function',
      props.functions.map((fn) => fn.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' })),
    ),
    graph(
      'Duration per function (p99)',
      props.functions.map((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })),
    ),
    graph('Errors and throttles', [metrics.errors, metrics.throttles]),
  );
  dashboard.addWidgets(
    graph('Seal lag (ms)', [metrics.sealLag]),
    graph('Sealer errors and refusals', [metrics.sealerErrors, metrics.treeRefusals]),
    graph('Dependency failures and overdue items', [
      metrics.dependencyFailures,
      ...(metrics.overdue ? [metrics.overdue] : []),
    ]),
  );
  return dashboard;
}

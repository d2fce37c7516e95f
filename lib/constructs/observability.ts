import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Namespace of the metrics the stack derives from the functions' logs. */
export const METRICS_NAMESPACE = 'Himaya';

export interface HimayaObservabilityProps {
  restApi: apigateway.RestApi;
  /** Function name (as the route table names them) → function. */
  functions: ReadonlyMap<string, lambda.Function>;
  /** The sealer, fed by the AuditLog stream. */
  sealer: lambda.Function;
  /** Queues that hold failed invocations or stream batches: any message is an incident. */
  deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** Where alarm notifications are mailed, if anywhere (subscribe more targets to the topic later). */
  alarmEmail?: string;
  /** Percentage of 5xx answers, over 5 minutes, above which the API alarms. @default 1 */
  serverErrorRatePercent?: number;
  /** Seal lag (stream iterator age) above which the sealer alarms. @default 5 minutes */
  maxSealLag?: Duration;
}

/**
 * Alarms to one SNS topic (KMS-encrypted, TLS only) and one CloudWatch dashboard:
 * - API: 5xx rate over 5 minutes;
 * - functions: throttles and unhandled errors (any function), sealer errors and seal lag (stream iterator
 *   age), messages in a dead-letter or on-failure queue;
 * - from the functions' structured logs (metric filters, namespace `Himaya`): requests refused because KMS
 *   or DynamoDB failed (`DependencyUnavailableError`, answered 503), the sealer refusing to extend the tree
 *   (a stored tree or checkpoint that does not verify: possible tampering), overdue items escalated.
 */

export class HimayaObservability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: HimayaObservabilityProps) {
    super(scope, id);

    const key = new kms.Key(this, 'AlarmsKey', {
      description: 'Himaya: encrypts the alarm topic',
      alias: 'alias/himaya-alarms',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch needs the key to publish alarm notifications to the encrypted topic (the statement AWS
    // documents for alarms; who may publish to the topic is the topic's policy to say).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: 'Himaya alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const alarm = (
      alarmId: string,
      alarmProps: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric },
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      created.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };
    const fiveMinutes = Duration.minutes(5);

    // --- API: share of 5xx answers (at least 20 requests in the period, so that one error at night is not 100%).
    const requests = props.restApi.metricCount({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrors = props.restApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const clientErrors = props.restApi.metricClientError({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: '5xx rate (%)',
      period: fiveMinutes,
    });
    alarm('Api5xxRate', {
      alarmDescription: 'Himaya API: more than the allowed share of requests answered with a 5xx',
      metric: serverErrorRate,
      threshold: props.serverErrorRatePercent ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    // --- Functions: throttles and unhandled errors, summed over every function.
    const all = [...props.functions.entries(), ['sealer', props.sealer] as const];
    const sumOf = (metricName: 'Throttles' | 'Errors', label: string) =>
      new cloudwatch.MathExpression({
        expression: all.map(([name]) => `${metricName.toLowerCase()}_${name}`).join(' + '),
        usingMetrics: Object.fromEntries(
          all.map(([name, fn]) => [
            `${metricName.toLowerCase()}_${name}`,
            fn.metric(metricName, { period: fiveMinutes, statistic: 'Sum' }),
          ]),
        ),
        label,
        period: fiveMinutes,
      });
    const throttles = sumOf('Throttles', 'Throttled invocations');
    alarm('FunctionThrottles', {
      alarmDescription: 'Himaya: a function was throttled (reserved concurrency or account limit reached)',
      metric: throttles,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    const errors = sumOf('Errors', 'Unhandled function errors');
    alarm('FunctionErrors', {
      alarmDescription:
        'Himaya: a function failed with an unhandled error (handlers answer errors themselves)',
      metric: errors,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    // --- Sealer: any failure, and how far behind the newest audit event it is.
    const sealerErrors = props.sealer.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' });
    alarm('SealerErrors', {
      alarmDescription: 'Himaya audit sealer: a batch or heartbeat failed (the batch is retried in order)',
      metric: sealerErrors,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    const sealLag = props.sealer.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    alarm('SealLag', {
      alarmDescription: 'Himaya audit sealer: audit events wait too long to be sealed (stream iterator age)',
      metric: sealLag,
      threshold: (props.maxSealLag ?? Duration.minutes(5)).toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });

    // --- From the logs: the functions log these events as JSON (Powertools logger).
    const logMetric = (
      filterId: string,
      logGroups: logs.ILogGroup[],
      metricName: string,
      filterPattern: logs.IFilterPattern,
      metricValue = '1',
    ) => {
      for (const [index, logGroup] of logGroups.entries()) {
        new logs.MetricFilter(this, `${filterId}${index}`, {
          logGroup,
          filterPattern,
          metricNamespace: METRICS_NAMESPACE,
          metricName,
          metricValue,
          defaultValue: 0,
        });
      }
      return new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        period: fiveMinutes,
        statistic: 'Sum',
      });
    };
    const dependencyFailures = logMetric(
      'DependencyFailuresFilter',
      [...props.functions.values()].map((fn) => fn.logGroup),
      'DependencyFailures',
      logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.message', '=', 'request failed'),
        logs.FilterPattern.stringValue('$.errorName', '=', 'DependencyUnavailableError'),
      ),
    );
    alarm('DependencyFailures', {
      alarmDescription:
        'Himaya: requests refused with 503 because KMS or DynamoDB failed (keys disabled, denied, throttled)',
      metric: dependencyFailures,
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    const treeRefusals = logMetric(
      'TreeRefusalsFilter',
      [props.sealer.logGroup],
      'TreeIntegrityRefusals',
      logs.FilterPattern.stringValue('$.message', '=', 'refusing to extend the tree'),
    );
    alarm('TreeIntegrity', {
      alarmDescription:
        'Himaya audit sealer: stored tree state or a checkpoint does not verify; sealing stopped (possible tampering, see docs/audit-log.md)',
      metric: treeRefusals,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    const deadlines = props.functions.get('deadlines');
    const overdue = deadlines
      ? logMetric(
          'OverdueFilter',
          [deadlines.logGroup],
          'OverdueEscalated',
          logs.FilterPattern.all(
            logs.FilterPattern.stringValue('$.message', '=', 'deadline sweep'),
            logs.FilterPattern.numberValue('$.escalated', '>', 0),
          ),
          '$.escalated',
        )
      : undefined;
    if (overdue) {
      alarm('OverdueItems', {
        alarmDescription:
          'Himaya: requests or urgent reports passed their response deadline and were escalated',
        metric: overdue,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    // --- Dead letters: each message is a failed invocation or an unsealed stream batch.
    for (const [name, queue] of props.deadLetterQueues) {
      alarm(`${name}Messages`, {
        alarmDescription: `Himaya: messages in ${name} (failed invocations to look at and replay)`,
        metric: queue.metric('ApproximateNumberOfMessagesVisible', {
          period: fiveMinutes,
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    // --- Dashboard: the same signals, plus latency and invocations per function.
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `himaya-${Stack.of(this).stackName}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [requests, clientErrors, serverErrors],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          props.restApi.metricLatency({ period: fiveMinutes, statistic: 'p50' }),
          props.restApi.metricLatency({ period: fiveMinutes, statistic: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Invocations per function',
        left: all.map(([, fn]) => fn.metricInvocations({ period: fiveMinutes, statistic: 'Sum' })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Duration per function (p99)',
        left: all.map(([, fn]) => fn.metricDuration({ period: fiveMinutes, statistic: 'p99' })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Errors and throttles', left: [errors, throttles], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Seal lag (ms)', left: [sealLag], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Sealer errors and refusals',
        left: [sealerErrors, treeRefusals],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dependency failures and overdue items',
        left: [dependencyFailures, ...(overdue ? [overdue] : [])],
        width: 8,
      }),
    );
  }
}

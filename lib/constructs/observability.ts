import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
import { BLIND_INDEX_MAC_METRIC, EMERGENCY_CAP_METRIC } from '../../src/http/middlewares/request-metrics';
import { type AlarmedMetrics, addDashboard } from './dashboard';

/** Namespace of the metrics the stack derives from the functions' logs. */
export const METRICS_NAMESPACE = 'Himaya';

export interface HimayaObservabilityProps {
  restApi: apigateway.RestApi;
  /** Function name (as the route table names them) → function. */
  functions: ReadonlyMap<string, lambda.Function>;
  /** The sealer, fed by the AuditLog stream. */
  sealer: lambda.Function;
  /** The outbox processor, fed by the Cases stream. */
  outbox: lambda.Function;
  /** The statistics aggregator, fed by the Cases stream too. */
  statsAggregator: lambda.Function;
  /** Queues that hold failed invocations or stream batches: any message is an incident. */
  deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** Where alarm notifications are mailed, if anywhere (subscribe more targets to the topic later). */
  alarmEmail?: string;
  /** Percentage of 5xx answers, over 5 minutes, above which the API alarms. @default 1 */
  serverErrorRatePercent?: number;
  /** Seal lag (stream iterator age) above which the sealer alarms. @default 5 minutes */
  maxSealLag?: Duration;
  /**
   * Blind-index `GenerateMac` calls (case writes and match lookups) in 5 minutes above which the stack
   * alarms: far more than agencies' work needs means bulk lookups or a compromised client. @default 3000
   */
  maxBlindIndexMacs?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms to one SNS topic (KMS-encrypted, TLS only) and one CloudWatch dashboard (`dashboard.ts`):
 * - API: 5xx rate over 5 minutes;
 * - functions: throttles and unhandled errors (any function), sealer errors and seal lag (stream iterator
 *   age), the outbox processor's lag, messages in a dead-letter or on-failure queue;
 * - from the functions' structured logs (metric filters, namespace `Himaya`): requests refused because KMS
 *   or DynamoDB failed (`DependencyUnavailableError`, answered 503), the sealer refusing to extend the tree
 *   (a stored tree or checkpoint that does not verify: possible tampering), overdue items escalated;
 * - emitted by the functions (embedded metric format): an agency reaching its daily cap of emergency
 *   accesses (exchange); the volume of blind-index `GenerateMac` calls (cases: writes and match lookups).
 */
export class HimayaObservability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: HimayaObservabilityProps) {
    super(scope, id);
    this.topic = this.createTopic(props.alarmEmail);
    const all = [
      ...props.functions.entries(),
      ['sealer', props.sealer] as const,
      ['outbox', props.outbox] as const,
    ];
    const metrics: AlarmedMetrics = {
      ...this.alarmOnApi(props),
      ...this.alarmOnFunctions(all),
      ...this.alarmOnSealer(props),
      ...this.alarmOnLoggedEvents(props),
    };
    this.alarmOnOutbox(props.outbox);
    // Alarmed on its own: a math expression of an alarm sums at most 10 metrics.
    this.alarmOnStatsAggregator(props.statsAggregator);
    this.alarmOnDeadLetters(props.deadLetterQueues);
    if (props.functions.has('exchange')) this.alarmOnEmergencyCap();
    if (props.functions.has('cases')) this.alarmOnBlindIndexMacs(props.maxBlindIndexMacs ?? 3000);
    this.dashboard = addDashboard(this, {
      restApi: props.restApi,
      functions: [...all.map(([, fn]) => fn), props.statsAggregator],
      alarms: this.alarms,
      metrics,
    });
  }

  /** The alarm topic, under a key of its own that CloudWatch may use; mailed to `alarmEmail`, if given. */
  private createTopic(alarmEmail: string | undefined): sns.Topic {
    const key = new kms.Key(this, 'AlarmsKey', {
      description: 'Himaya: encrypts the alarm topic',
      alias: 'alias/himaya-alarms',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // The statement AWS documents for alarms; who may publish to the topic is the topic's policy to say.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new sns.Topic(this, 'Alarms', {
      displayName: 'Himaya alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    return topic;
  }

  /**
   * An alarm that notifies the topic when it fires and when it clears. Unless told otherwise: above the
   * threshold over one period, and missing data is not breaching.
   */
  private alarm(
    alarmId: string,
    alarmProps: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number },
  ): cloudwatch.Alarm {
    const created = new cloudwatch.Alarm(this, alarmId, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      ...alarmProps,
    });
    created.addAlarmAction(new actions.SnsAction(this.topic));
    created.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(created);
    return created;
  }

  /** Share of 5xx answers (at least 20 requests in the period, so that one error at night is not 100%). */
  private alarmOnApi(props: HimayaObservabilityProps) {
    const requests = props.restApi.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = props.restApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const clientErrors = props.restApi.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' });
    this.alarm('Api5xxRate', {
      alarmDescription: 'Himaya API: more than the allowed share of requests answered with a 5xx',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: { requests, errors: serverErrors },
        label: '5xx rate (%)',
        period: FIVE_MINUTES,
      }),
      threshold: props.serverErrorRatePercent ?? 1,
    });
    return { requests, clientErrors, serverErrors };
  }

  /** Throttles and unhandled errors, summed over every function. */
  private alarmOnFunctions(all: readonly (readonly [string, lambda.Function])[]) {
    const throttles = sumOverFunctions(all, 'Throttles', 'Throttled invocations');
    this.alarm('FunctionThrottles', {
      alarmDescription: 'Himaya: a function was throttled (reserved concurrency or account limit reached)',
      metric: throttles,
      threshold: 0,
    });
    const errors = sumOverFunctions(all, 'Errors', 'Unhandled function errors');
    this.alarm('FunctionErrors', {
      alarmDescription:
        'Himaya: a function failed with an unhandled error (handlers answer errors themselves)',
      metric: errors,
      threshold: 0,
    });
    return { throttles, errors };
  }

  /** Any failure of the sealer, and how far behind the newest audit event it is. */
  private alarmOnSealer(props: HimayaObservabilityProps) {
    const sealerErrors = props.sealer.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' });
    this.alarm('SealerErrors', {
      alarmDescription: 'Himaya audit sealer: a batch or heartbeat failed (the batch is retried in order)',
      metric: sealerErrors,
      threshold: 0,
    });
    const sealLag = props.sealer.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    this.alarm('SealLag', {
      alarmDescription: 'Himaya audit sealer: audit events wait too long to be sealed (stream iterator age)',
      metric: sealLag,
      threshold: (props.maxSealLag ?? Duration.minutes(5)).toMilliseconds(),
      evaluationPeriods: 3,
    });
    return { sealerErrors, sealLag };
  }

  /** Domain events that wait too long to be published (the outbox processor's stream iterator age). */
  private alarmOnOutbox(outbox: lambda.Function): void {
    this.alarm('OutboxLag', {
      alarmDescription: 'Himaya outbox processor: domain events wait too long to be published',
      metric: outbox.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: FIVE_MINUTES.toMilliseconds(),
      evaluationPeriods: 3,
    });
  }

  /** The statistics aggregator failing or throttled, or its counters trailing the changes by over 15 minutes. */
  private alarmOnStatsAggregator(aggregator: lambda.Function): void {
    const period = Duration.minutes(1);
    this.alarm('StatsAggregatorFailures', {
      alarmDescription:
        'Himaya statistics aggregator: a batch failed or was throttled (it is retried; then its records go to the failure queue)',
      metric: new cloudwatch.MathExpression({
        expression: 'errors + throttles',
        usingMetrics: {
          errors: aggregator.metricErrors({ period, statistic: 'Sum' }),
          throttles: aggregator.metricThrottles({ period, statistic: 'Sum' }),
        },
        label: 'Failed or throttled batches',
        period,
      }),
      threshold: 0,
    });
    this.alarm('StatsAggregatorLag', {
      alarmDescription: 'Himaya statistics aggregator: the counters trail the changes they count',
      metric: aggregator.metric('IteratorAge', { period, statistic: 'Maximum' }),
      threshold: Duration.minutes(15).toMilliseconds(),
      evaluationPeriods: 3,
    });
  }

  /** Events the functions log as JSON (Powertools logger), counted by metric filters. */
  private alarmOnLoggedEvents(props: HimayaObservabilityProps) {
    const dependencyFailures = this.countLogged(
      'DependencyFailuresFilter',
      [...props.functions.values()].map((fn) => fn.logGroup),
      'DependencyFailures',
      logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.message', '=', 'request failed'),
        logs.FilterPattern.stringValue('$.errorName', '=', 'DependencyUnavailableError'),
      ),
    );
    this.alarm('DependencyFailures', {
      alarmDescription:
        'Himaya: requests refused with 503 because KMS or DynamoDB failed (keys disabled, denied, throttled)',
      metric: dependencyFailures,
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    const treeRefusals = this.countLogged(
      'TreeRefusalsFilter',
      [props.sealer.logGroup],
      'TreeIntegrityRefusals',
      logs.FilterPattern.stringValue('$.message', '=', 'refusing to extend the tree'),
    );
    this.alarm('TreeIntegrity', {
      alarmDescription:
        'Himaya audit sealer: stored tree state or a checkpoint does not verify; sealing stopped (possible tampering, see docs/audit-log.md)',
      metric: treeRefusals,
      threshold: 0,
    });
    const deadlines = props.functions.get('deadlines');
    const overdue = deadlines ? this.alarmOnOverdueItems(deadlines) : undefined;
    return { dependencyFailures, treeRefusals, ...(overdue ? { overdue } : {}) };
  }

  /** Requests and urgent reports the deadline sweep escalated. */
  private alarmOnOverdueItems(deadlines: lambda.Function): cloudwatch.IMetric {
    const overdue = this.countLogged(
      'OverdueFilter',
      [deadlines.logGroup],
      'OverdueEscalated',
      logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.message', '=', 'deadline sweep'),
        logs.FilterPattern.numberValue('$.escalated', '>', 0),
      ),
      '$.escalated',
    );
    this.alarm('OverdueItems', {
      alarmDescription:
        'Himaya: requests or urgent reports passed their response deadline and were escalated',
      metric: overdue,
      threshold: 0,
    });
    return overdue;
  }

  /**
   * An agency refused emergency access for its daily cap: break glass used far more than emergencies
   * need (misuse, or a compromised client). The exchange function emits the metric itself.
   */
  private alarmOnEmergencyCap(): void {
    this.alarm('EmergencyAccessCap', {
      alarmDescription:
        'Himaya: an agency reached its daily cap of emergency (break-glass) accesses; look at its review items',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: EMERGENCY_CAP_METRIC,
        dimensionsMap: { service: 'himaya-exchange' },
        period: FIVE_MINUTES,
        statistic: 'Sum',
      }),
      threshold: 0,
    });
  }

  /**
   * The cases function counts every `GenerateMac` it makes for a blind index (one per index input of a
   * case write, one per index probed by a lookup); a volume far past the agencies' work is enumeration.
   * KMS itself publishes no per-operation metric, so the function emits it.
   */
  private alarmOnBlindIndexMacs(threshold: number): void {
    this.alarm('BlindIndexMacVolume', {
      alarmDescription: `Himaya: over ${threshold} blind-index GenerateMac calls in 5 minutes (bulk matching?); look at the case.match events of the access log`,
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: BLIND_INDEX_MAC_METRIC,
        dimensionsMap: { service: 'himaya-cases' },
        period: FIVE_MINUTES,
        statistic: 'Sum',
      }),
      threshold,
    });
  }

  /** Each message is a failed invocation or an unsealed stream batch. */
  private alarmOnDeadLetters(queues: ReadonlyMap<string, sqs.IQueue>): void {
    for (const [name, queue] of queues) {
      this.alarm(`${name}Messages`, {
        alarmDescription: `Himaya: messages in ${name} (failed invocations to look at and replay)`,
        metric: queue.metric('ApproximateNumberOfMessagesVisible', {
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: 0,
      });
    }
  }

  /** A metric in `Himaya` fed by a metric filter on each log group, and the 5-minute sum of it. */
  private countLogged(
    filterId: string,
    logGroups: logs.ILogGroup[],
    metricName: string,
    filterPattern: logs.IFilterPattern,
    metricValue = '1',
  ): cloudwatch.Metric {
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
      period: FIVE_MINUTES,
      statistic: 'Sum',
    });
  }
}

/** The sum of one Lambda metric over the functions, named `<metric>_<function>` in the expression. */
function sumOverFunctions(
  all: readonly (readonly [string, lambda.Function])[],
  metricName: 'Throttles' | 'Errors',
  label: string,
): cloudwatch.MathExpression {
  const idOf = (name: string) => `${metricName.toLowerCase()}_${name}`;
  return new cloudwatch.MathExpression({
    expression: all.map(([name]) => idOf(name)).join(' + '),
    usingMetrics: Object.fromEntries(
      all.map(([name, fn]) => [
        idOf(name),
        fn.metric(metricName, { period: FIVE_MINUTES, statistic: 'Sum' }),
      ]),
    ),
    label,
    period: FIVE_MINUTES,
  });
}

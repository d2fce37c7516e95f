import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HimayaTable } from './data';
import { FailureQueue } from './failure-queue';
import { HimayaFunction } from './himaya-function';

export interface StatsAggregatorProps {
  casesTable: HimayaTable;
  statsTable: HimayaTable;
  logsKey: kms.IKey;
}

/**
 * The statistics aggregator: a function fed by the Cases stream (changes of case heads, requests and
 * reviews only) that adds each change's counters to the Stats table, each change once, off the request
 * path. A failed batch is retried, split to isolate a bad record, then its metadata goes to the failure
 * queue (what it held is then missing from the counters: the alarm on the queue says so).
 */
export class StatsAggregator extends Construct {
  readonly function: HimayaFunction;
  /** Stream batches that failed every retry (metadata only: shard and sequence numbers). */
  readonly failures: sqs.Queue;
  readonly mapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: StatsAggregatorProps) {
    super(scope, id);
    const cases = props.casesTable;
    const stats = props.statsTable;
    if (!cases.tableStreamArn) throw new Error('the cases table has no stream');
    this.failures = new FailureQueue(this, 'StreamFailures', {
      reason:
        'This queue is itself the on-failure destination of the statistics aggregator; an alarm watches its depth.',
    });
    this.function = new HimayaFunction(this, 'Function', {
      fn: 'stats-aggregator',
      environment: { STATS_TABLE: stats.tableName },
      logsKey: props.logsKey,
      timeout: Duration.seconds(60),
      memorySize: 512,
      // One batch at a time per shard already; a few shards at once at most.
      reservedConcurrentExecutions: 2,
    });
    this.function.invokedSynchronouslyOnly(
      'by its Cases stream event-source mapping, whose failed batches go to the StreamFailures queue',
    );
    // It marks contributions applied (APPLIED#…) and adds to counters (COUNTER#…), nothing else.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [stats.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APPLIED#*', 'COUNTER#*'] } },
      }),
    );
    const viaDynamoDb = {
      StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
    };
    this.function
      .useKeys([stats.key], ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], viaDynamoDb)
      .bindStream(cases);
    this.mapping = this.function.addEventSourceMapping('CasesStream', {
      eventSourceArn: cases.tableStreamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      filters: [
        lambda.FilterCriteria.filter({
          dynamodb: { NewImage: { type: { S: lambda.FilterRule.or('case', 'request', 'review') } } },
        }),
      ],
      onFailure: new SqsDlq(this.failures),
    });
  }
}

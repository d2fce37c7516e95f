import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HimayaTable } from './data';
import type { HimayaEvents } from './events';
import { FailureQueue } from './failure-queue';
import { HimayaFunction } from './himaya-function';

export interface OutboxProcessorProps {
  casesTable: HimayaTable;
  events: HimayaEvents;
  logsKey: kms.IKey;
}

/**
 * The outbox processor: a function fed by the Cases stream (new outbox items only) that publishes each
 * batch's domain events to the bus and marks them settled, so that no request waits for EventBridge.
 * A failed batch is retried a few times, split to isolate a bad record, then its metadata goes to the
 * failure queue; the deadline sweep publishes what is left in the outbox a minute later.
 */
export class OutboxProcessor extends Construct {
  readonly function: HimayaFunction;
  /** Stream batches that failed every retry (metadata only: shard and sequence numbers). */
  readonly failures: sqs.Queue;
  readonly mapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: OutboxProcessorProps) {
    super(scope, id);
    const table = props.casesTable;
    if (!table.tableStreamArn) throw new Error('the cases table has no stream');
    this.failures = new FailureQueue(this, 'StreamFailures', {
      reason:
        'This queue is itself the on-failure destination of the outbox processor; an alarm watches its depth, and the deadline sweep publishes what a failed batch left in the outbox.',
    });
    this.function = new HimayaFunction(this, 'Function', {
      fn: 'outbox',
      environment: { CASES_TABLE: table.tableName },
      logsKey: props.logsKey,
      timeout: Duration.seconds(30),
      memorySize: 512,
      reservedConcurrentExecutions: 4,
    });
    this.function.invokedSynchronouslyOnly(
      'by its Cases stream event-source mapping, whose failed batches go to the StreamFailures queue',
    );
    // It settles outbox items (OUTBOX#…) and nothing else, reads the stream, and publishes to the bus.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OUTBOX#*'] } },
      }),
    );
    this.function
      .useKeys([table.key], ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], {
        StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
      })
      .bindStream(table);
    props.events.grantPublish(this.function);
    this.mapping = this.function.addEventSourceMapping('CasesStream', {
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.millis(0),
      bisectBatchOnError: true,
      retryAttempts: 5,
      maxRecordAge: Duration.hours(1),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual('outbox') } } },
        }),
      ],
      onFailure: new SqsDlq(this.failures),
    });
  }
}

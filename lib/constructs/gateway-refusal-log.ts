import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import { Construct } from 'constructs';
import type { HimayaTable } from './data';
import { FailureQueue } from './failure-queue';
import { HimayaFunction } from './himaya-function';

export interface GatewayRefusalLogProps {
  /** API Gateway's access log group (JSON lines, lib/constructs/api.ts). */
  accessLogs: logs.ILogGroup;
  auditTable: HimayaTable;
  /** The agency directory as deployed (client ids → agencies), JSON. */
  directoryJson: string;
  logsKey: kms.IKey;
}

/**
 * The requests API Gateway refuses itself (401, 403, 404, 413, 429, a body off its model…) reach
 * no function, so no function logs them: a subscription filter on the access log passes the lines the
 * gateway answered itself with a 4xx (no integration status) to a small function that writes them to the
 * AuditLog table as audit events, which the sealer then seals. Requests WAF blocks are left to WAF's own
 * log: past the per-IP rate rule, a flood is blocked there and does not grow the access log.
 */
export class GatewayRefusalLog extends Construct {
  readonly function: HimayaFunction;
  /** Batches that could not be written after Lambda's retries. */
  readonly failures: FailureQueue;

  constructor(scope: Construct, id: string, props: GatewayRefusalLogProps) {
    super(scope, id);
    this.failures = new FailureQueue(this, 'DeadLetters', {
      reason:
        'This queue is itself the dead-letter queue of the gateway-refusal log function; an alarm watches its depth.',
    });
    this.function = new HimayaFunction(this, 'Function', {
      fn: 'gateway-refusals',
      environment: { AUDIT_TABLE: props.auditTable.tableName, AGENCY_DIRECTORY: props.directoryJson },
      logsKey: props.logsKey,
      timeout: Duration.seconds(30),
      // Bounds how fast refusals can be written, whatever arrives.
      reservedConcurrentExecutions: 2,
      deadLetterQueue: this.failures,
    });
    this.function.bindTable(props.auditTable, 'APPEND', { partitionKeys: ['EVENT#*'] });
    new logs.SubscriptionFilter(this, 'Refusals', {
      logGroup: props.accessLogs,
      destination: new destinations.LambdaDestination(this.function),
      filterPattern: GATEWAY_REFUSALS,
    });
  }
}

/** Access-log lines of requests the gateway answered itself with a 4xx, WAF's blocks excepted. */
export const GATEWAY_REFUSALS = logs.FilterPattern.literal(
  '{ $.integrationStatus = "-" && $.status = "4*" && $.errorType != "WAF_FILTERED" }',
);

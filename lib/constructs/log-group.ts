import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface HimayaLogGroupProps {
  /** The stack's logs key: log events carry request metadata and must be encrypted at rest. */
  encryptionKey: kms.IKey;
  /** @default RetentionDays.ONE_YEAR */
  retention?: logs.RetentionDays;
  /** Only where a service expects a name of its own (API Gateway execution logs, WAF logs). */
  logGroupName?: string;
}

/**
 * The one log group shape of Himaya (functions, API access and execution logs, WAF logs): KMS-encrypted,
 * expiring after its retention, and kept on stack deletion, since it holds the evidence of who did what.
 */
export class HimayaLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: HimayaLogGroupProps) {
    super(scope, id, {
      ...(props.logGroupName ? { logGroupName: props.logGroupName } : {}),
      retention: props.retention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

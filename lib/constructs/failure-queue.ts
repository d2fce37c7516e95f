import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface FailureQueueProps {
  /** Whose failures it keeps, and who watches it: the reason it needs no dead-letter queue of its own. */
  reason: string;
}

/**
 * A dead-letter or on-failure queue: failed invocations or stream batches (metadata only), kept 14 days to
 * look at and replay, KMS-encrypted, TLS only.
 */
export class FailureQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this).acknowledge({ id: 'AwsSolutions-SQS3', reason: props.reason });
  }
}

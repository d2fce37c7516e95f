import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HimayaTable } from './data';
import { FailureQueue } from './failure-queue';
import { HimayaFunction } from './himaya-function';

/** Where the archive keeps checkpoints (as `s3CheckpointArchive` writes them). */
export const CHECKPOINT_PREFIX = 'checkpoints/';

export interface AuditSealerProps {
  auditTable: HimayaTable;
  signingKey: kms.Key;
  logsKey: kms.IKey;
  /** Origin line of the signed notes; no spaces, no `+`. @default 'himaya.example/audit' */
  origin?: string;
  /** Object Lock (compliance mode) retention of each archived checkpoint. @default 2557 days (7 years) */
  retentionDays?: number;
}

/**
 * The audit sealer (docs/audit-log.md): a function fed by the AuditLog stream (new `EVENT` items only, in
 * order, retried until the records expire, one batch at a time per shard) that extends the Merkle tree
 * and signs a checkpoint per batch, plus a heartbeat every minute. Checkpoints are archived write-once in
 * an S3 bucket with Object Lock in compliance mode. Only the sealer may sign with the checkpoint key and
 * update tree state.
 */
export class AuditSealer extends Construct {
  readonly function: HimayaFunction;
  readonly archive: s3.Bucket;
  readonly archiveKey: kms.Key;
  readonly accessLogs: s3.Bucket;
  /** Stream batches that failed until their records expired (metadata only, no event). */
  readonly failures: sqs.Queue;
  /** Heartbeat invocations that failed (asynchronous invocations). */
  readonly deadLetters: sqs.Queue;
  readonly mapping: lambda.EventSourceMapping;
  readonly heartbeat: events.Rule;

  constructor(scope: Construct, id: string, props: AuditSealerProps) {
    super(scope, id);
    const table = props.auditTable;
    if (!table.tableStreamArn) throw new Error('the audit table has no stream');

    // --- Archive: write-once checkpoints, kept for the retention period whatever any principal does.
    this.accessLogs = this.createAccessLogBucket();
    this.archiveKey = new kms.Key(this, 'ArchiveKey', {
      description: 'Himaya: encrypts the audit checkpoint archive',
      alias: 'alias/himaya-audit-archive',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.archive = this.createArchive(props.retentionDays ?? 2557);
    acknowledgeNoReplication(this.archive, this.accessLogs);

    // --- Where failures go: both queues carry metadata only (shard and sequence numbers, schedule events).
    const reason =
      'This queue is itself a dead-letter / on-failure destination of the sealer; an alarm watches its depth and operators replay from it.';
    this.failures = new FailureQueue(this, 'StreamFailures', { reason });
    this.deadLetters = new FailureQueue(this, 'HeartbeatDeadLetters', { reason });

    this.function = this.createFunction(props);
    this.grantArchive(this.function);
    restrictSigningTo(this.function.role as iam.Role, props.signingKey);
    this.mapping = this.subscribeToNewEvents(table);

    // --- The heartbeat: a checkpoint at least every 5 minutes, even when nothing happens.
    this.heartbeat = new events.Rule(this, 'Heartbeat', {
      description: 'Himaya: sign a heartbeat checkpoint of the audit log when the newest one is old',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }

  /** Receives the archive's S3 server access logs. */
  private createAccessLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'ArchiveAccessLogs', {
      // S3 server access logs can only be delivered to a bucket with SSE-S3 encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(3653), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessLogReason =
      'This bucket receives the server access logs of the checkpoint archive; logging it to itself (or to a third bucket) would loop or add nothing.';
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: accessLogReason });
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      Validations.of(bucket).acknowledge({ id: `${pack}-S3BucketLoggingEnabled`, reason: accessLogReason });
      Validations.of(bucket).acknowledge({
        id: `${pack}-S3DefaultEncryptionKMS`,
        reason:
          'S3 server access logs can only be delivered to a bucket encrypted with SSE-S3 (AES-256), not SSE-KMS; the logs hold request metadata, no checkpoint content.',
      });
    }
    return bucket;
  }

  /** Object Lock in compliance mode: no principal, root included, can shorten or lift the retention. */
  private createArchive(retentionDays: number): s3.Bucket {
    return new s3.Bucket(this, 'Archive', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(retentionDays)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.archiveKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'archive/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The sealer may seal the audit table (read, put tree items, update events), read its stream, and sign. */
  private createFunction(props: AuditSealerProps): HimayaFunction {
    const table = props.auditTable;
    const fn = new HimayaFunction(this, 'Function', {
      fn: 'sealer',
      environment: {
        AUDIT_TABLE: table.tableName,
        SIGNING_KEY_ARN: props.signingKey.keyArn,
        CHECKPOINT_BUCKET: this.archive.bucketName,
        CHECKPOINT_ORIGIN: props.origin ?? 'himaya.example/audit',
        HEARTBEAT_MAX_AGE_SECONDS: '240',
      },
      logsKey: props.logsKey,
      timeout: Duration.seconds(60),
      memorySize: 1024,
      // One batch at a time per shard is what the mapping sends; the reservation is a guard, not a rate.
      reservedConcurrentExecutions: 4,
      deadLetterQueue: this.deadLetters,
    });
    return fn
      .bindTable(table, 'SEAL')
      .bindStream(table)
      .useKeys([props.signingKey], ['kms:Sign', 'kms:GetPublicKey'])
      .useKeys([this.archiveKey], ['kms:GenerateDataKey', 'kms:Decrypt'], {
        StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
      });
  }

  /** Checkpoints are written and read under their own prefix of the archive, and nowhere else. */
  private grantArchive(fn: HimayaFunction): void {
    const objects = this.archive.arnForObjects(`${CHECKPOINT_PREFIX}*`);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${CHECKPOINT_PREFIX}*`] } },
      }),
    );
    Validations.of(fn.role as iam.Role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.archive.node.defaultChild as s3.CfnBucket)}.Arn>/${CHECKPOINT_PREFIX}*]`,
      reason:
        'The sealer writes and reads checkpoints under their own prefix of the archive (one object per checkpoint, named by tree size); Object Lock makes each object write-once.',
    });
  }

  /** New audit events only, in order, never skipped: a batch is retried until its records expire. */
  private subscribeToNewEvents(table: HimayaTable): lambda.EventSourceMapping {
    return this.function.addEventSourceMapping('AuditStream', {
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 1000,
      maxBatchingWindow: Duration.seconds(2),
      parallelizationFactor: 1,
      bisectBatchOnError: false,
      retryAttempts: -1,
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { sk: { S: lambda.FilterRule.isEqual('EVENT') } } },
        }),
      ],
      onFailure: new SqsDlq(this.failures),
    });
  }
}

/** Nobody but the sealer signs with the checkpoint key, whatever their IAM policies say. */
function restrictSigningTo(role: iam.Role, signingKey: kms.Key): void {
  signingKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheSealerSigns',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
    }),
  );
}

function acknowledgeNoReplication(...buckets: s3.Bucket[]): void {
  const noReplication =
    'Checkpoints are small signed notes that the AuditLog table (with PITR and AWS Backup) also holds, and anyone holding the public key can re-verify any copy; a cross-region replica of a compliance-locked bucket is left to deployments whose recovery plan asks for one.';
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    for (const bucket of buckets) {
      Validations.of(bucket).acknowledge({ id: `${pack}-S3BucketReplicationEnabled`, reason: noReplication });
    }
  }
}

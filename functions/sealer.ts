import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { buildSealer } from '../src/adapters/audit-sealer';
import { documentClient, dynamoDbClient, kmsClient, SDK_CLIENT_SETTINGS } from '../src/adapters/aws-clients';
import { folderCheckpointArchive, s3CheckpointArchive } from '../src/adapters/checkpoint-archive';
import { auditEventsFromStream } from '../src/adapters/dynamodb/stream-events';
import { ConfigurationError, readEnv } from '../src/config';
import { DEFAULT_ORIGIN, TreeIntegrityError } from '../src/domain/audit/sealer';
import { createLogger } from '../src/observability/logger';

/**
 * The audit sealer: fed by the AuditLog stream (event-source mapping; new EVENT items only), it appends
 * each batch to the Merkle tree and signs one checkpoint; on its schedule (every minute) it signs a
 * heartbeat when the newest checkpoint is older than HEARTBEAT_MAX_AGE_SECONDS. A failed batch throws, so
 * the mapping retries it in order: nothing is skipped, and nothing inconsistent is ever signed.
 */
const env = readEnv(
  z.object({
    AWS_REGION: z.string().min(1).default('me-central-1'),
    DYNAMODB_ENDPOINT: z.url().optional(),
    KMS_ENDPOINT: z.url().optional(),
    AUDIT_TABLE: z.string().min(1),
    SIGNING_KEY_ARN: z.string().min(1),
    CHECKPOINT_ORIGIN: z.string().min(1).default(DEFAULT_ORIGIN),
    /** In AWS: the Object Lock bucket; locally: a folder. Exactly one is set. */
    CHECKPOINT_BUCKET: z.string().min(1).optional(),
    CHECKPOINT_ARCHIVE_DIR: z.string().min(1).optional(),
    HEARTBEAT_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(300).default(240),
  }),
);
if (Boolean(env.CHECKPOINT_BUCKET) === Boolean(env.CHECKPOINT_ARCHIVE_DIR)) {
  throw new ConfigurationError('set exactly one of CHECKPOINT_BUCKET and CHECKPOINT_ARCHIVE_DIR');
}

const logger = createLogger('sealer');
const archive = env.CHECKPOINT_BUCKET
  ? s3CheckpointArchive(
      new S3Client({ region: env.AWS_REGION, ...SDK_CLIENT_SETTINGS }),
      env.CHECKPOINT_BUCKET,
    )
  : folderCheckpointArchive(env.CHECKPOINT_ARCHIVE_DIR as string);
const sealer = buildSealer({
  documents: documentClient(dynamoDbClient(env)),
  auditTable: env.AUDIT_TABLE,
  kms: kmsClient(env),
  signingKeyArn: env.SIGNING_KEY_ARN,
  archive,
  origin: env.CHECKPOINT_ORIGIN,
  log: {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  },
});

function isStreamEvent(event: DynamoDBStreamEvent | ScheduledEvent): event is DynamoDBStreamEvent {
  return Array.isArray((event as DynamoDBStreamEvent).Records);
}

async function sealOrBeat(event: DynamoDBStreamEvent | ScheduledEvent): Promise<void> {
  try {
    if (isStreamEvent(event)) {
      const result = await sealer.seal(auditEventsFromStream(event.Records));
      logger.info('batch sealed', {
        records: event.Records.length,
        sealed: result.sealed.length,
        treeSize: result.head.size,
        signed: result.checkpoint !== undefined,
      });
    } else {
      await sealer.heartbeat(env.HEARTBEAT_MAX_AGE_SECONDS * 1000);
    }
  } catch (error) {
    // Integrity messages are ours (sizes and sources only); of anything else, the name alone.
    if (error instanceof TreeIntegrityError) {
      logger.error('refusing to extend the tree', { kind: error.kind, detail: error.message });
    } else {
      logger.error('sealing failed', { errorName: (error as Error)?.name });
    }
    throw error;
  }
}

export const handler = middy<DynamoDBStreamEvent | ScheduledEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(sealOrBeat);

/**
 * The local stand-in for Lambda's event-source mapping on the AuditLog stream: polls DynamoDB Local's
 * stream and feeds new audit events to the same sealer the Lambda function runs.
 *
 * - Shards: listed with DescribeStream (again every few seconds and whenever one closes); a child shard
 *   is read only once its parent is closed, so per-item order holds; a shard is read from TRIM_HORIZON.
 *   An expired or trimmed iterator is replaced by a new one from TRIM_HORIZON.
 * - Restarts: nothing about the stream position is kept. The stream is read again from its trim horizon
 *   and the sealer drops every event that already has a leaf index: the tree is what tells what is sealed.
 * - Batches: events are appended as they are read (the stream is read again at once while records keep
 *   coming, every `pollIntervalMs` when it is quiet), and one checkpoint is signed
 *   once `batchSize` sealed events wait for one, or once the oldest has waited `batchWindowMs` and no more
 *   events are waiting to be appended: the batch of the event-source mapping in AWS (BatchSize,
 *   MaximumBatchingWindowInSeconds), where DynamoDB commits are fast enough to append a whole batch at its
 *   end. A heartbeat is signed when no checkpoint was signed for `heartbeatMs`.
 * - Failures: events that could not be appended stay queued and are retried with a growing delay, as a
 *   mapping retries a failed batch; nothing read is ever skipped.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { KMSClient } from '@aws-sdk/client-kms';
import { buildSealer } from '../src/adapters/audit-sealer';
import { documentClient } from '../src/adapters/aws-clients';
import { folderCheckpointArchive } from '../src/adapters/checkpoint-archive';
import { auditEventsFromStream, type StreamRecordLike } from '../src/adapters/dynamodb/stream-events';
import type { AuditEvent } from '../src/domain/audit/event';
import type { Sealer } from '../src/domain/audit/sealer';

export interface SealerLoopSettings {
  /** How often the stream is read (default 200 ms). */
  pollIntervalMs?: number;
  /** The longest time a sealed event waits for its checkpoint (default 2000 ms). */
  batchWindowMs?: number;
  /** Sealed events that make a checkpoint due before the window ends (default 1000). */
  batchSize?: number;
  /** The longest time without a signed checkpoint, even when idle (default 4 minutes). */
  heartbeatMs?: number;
}

export interface SealerLoopOptions extends SealerLoopSettings {
  /** The functions' environment: endpoints, credentials, the AuditLog table and the signing key. */
  environment: Record<string, string>;
  archiveDir: string;
  origin?: string;
  log?: (line: string) => void;
}

export interface SealerLoop {
  readonly sealer: Sealer;
  stop(): Promise<void>;
}

const SHARD_REFRESH_MS = 5000;
const MAX_RETRY_DELAY_MS = 5000;
/** Events appended between two looks at the batch window: three commits. */
const APPEND_SLICE = 270;

interface ShardState {
  parent: string | undefined;
  iterator: string | undefined;
  closed: boolean;
}

export async function startSealerLoop(options: SealerLoopOptions): Promise<SealerLoop> {
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const batchWindowMs = options.batchWindowMs ?? 2000;
  const batchSize = options.batchSize ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 240_000;
  const log = options.log ?? (() => undefined);
  const env = options.environment;
  const clientConfig = {
    region: env.AWS_REGION as string,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: env.DYNAMODB_ENDPOINT });
  const streams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: env.DYNAMODB_ENDPOINT });
  const kms = new KMSClient({ ...clientConfig, endpoint: env.KMS_ENDPOINT });
  const tableName = env.AUDIT_TABLE as string;
  const sealer = buildSealer({
    documents: documentClient(dynamodb),
    auditTable: tableName,
    kms,
    signingKeyArn: env.SIGNING_KEY_ARN as string,
    archive: folderCheckpointArchive(options.archiveDir),
    origin: options.origin,
    log: {
      info: () => undefined,
      warn: (message) => log(`sealer: ${message}`),
      error: (message) => log(`sealer: ${message}`),
    },
  });

  const table = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);

  const shards = new Map<string, ShardState>();
  let shardsListedAt = 0;
  let queue: AuditEvent[] = [];
  let unsignedSince: number | undefined;
  let unsignedCount = 0;
  let lastSignedAt = 0;
  let retryAt = 0;
  let retryDelay = pollIntervalMs;
  let lastError = '';

  const report = (what: string, error: unknown) => {
    const message = `${what}: ${(error as Error)?.name ?? 'Error'}${error instanceof Error && error.name === 'TreeIntegrityError' ? ` (${error.message})` : ''}`;
    if (message !== lastError) log(`sealer: ${message}`);
    lastError = message;
  };

  async function listShards(): Promise<void> {
    let start: string | undefined;
    do {
      const page = await streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      for (const shard of page.StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !shards.has(shard.ShardId)) {
          shards.set(shard.ShardId, { parent: shard.ParentShardId, iterator: undefined, closed: false });
        }
      }
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    shardsListedAt = Date.now();
  }

  async function readShard(shardId: string, shard: ShardState): Promise<StreamRecord[]> {
    const parent = shard.parent ? shards.get(shard.parent) : undefined;
    if (shard.closed || (parent && !parent.closed)) return [];
    shard.iterator ??= (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    if (!shard.iterator) return [];
    try {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
      shard.iterator = page.NextShardIterator;
      if (!page.NextShardIterator) shard.closed = true;
      return page.Records ?? [];
    } catch (error) {
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        shard.iterator = undefined;
        return [];
      }
      throw error;
    }
  }

  /** One round: read every shard, append what is new, sign when due. Whether anything was read. */
  async function round(): Promise<boolean> {
    const now = Date.now();
    if (
      now - shardsListedAt > SHARD_REFRESH_MS ||
      [...shards.values()].some((s) => s.closed && !s.iterator)
    ) {
      await listShards();
    }
    let read = false;
    for (const [shardId, shard] of shards) {
      const records = await readShard(shardId, shard);
      if (records.length > 0) read = true;
      queue.push(...auditEventsFromStream(records as StreamRecordLike[]));
    }
    // Like a mapping's batch: full, or the window is over and nothing more is waiting to be appended.
    const due = () =>
      unsignedSince !== undefined &&
      (unsignedCount >= batchSize || (queue.length === 0 && Date.now() - unsignedSince >= batchWindowMs));
    const sign = async () => {
      await sealer.checkpoint();
      unsignedSince = undefined;
      unsignedCount = 0;
      lastSignedAt = Date.now();
    };
    // A few commits at a time, so that a due checkpoint is not held up by a long backlog.
    while (queue.length > 0 && Date.now() >= retryAt) {
      const slice = queue.slice(0, APPEND_SLICE);
      try {
        const { sealed } = await sealer.append(slice);
        queue = queue.slice(slice.length);
        retryDelay = pollIntervalMs;
        lastError = '';
        if (sealed.length > 0) {
          unsignedSince ??= Date.now();
          unsignedCount += sealed.length;
        }
      } catch (error) {
        report('cannot append', error);
        retryAt = Date.now() + retryDelay;
        retryDelay = Math.min(MAX_RETRY_DELAY_MS, retryDelay * 2);
      }
      if (due()) await sign();
    }
    if (due()) await sign();
    else if (Date.now() - lastSignedAt >= heartbeatMs) {
      await sealer.heartbeat(heartbeatMs);
      lastSignedAt = Date.now();
    }
    return read;
  }

  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  // The first round runs before start returns: a fresh log has a signed checkpoint from the start.
  await listShards();
  await sealer.heartbeat(heartbeatMs).catch((error: unknown) => report('cannot sign a heartbeat', error));
  lastSignedAt = Date.now();

  const running = (async () => {
    while (!stopped) {
      let more = false;
      try {
        more = await round();
      } catch (error) {
        report('stream or checkpoint failure', error);
        more = false;
        await pause(Math.min(MAX_RETRY_DELAY_MS, retryDelay));
      }
      if (!stopped && !more) await pause(pollIntervalMs);
    }
  })();

  return {
    sealer,
    async stop() {
      stopped = true;
      wake?.();
      await running;
      dynamodb.destroy();
      streams.destroy();
      kms.destroy();
    },
  };
}

/**
 * The local stand-in for Lambda's event-source mapping on the AuditLog stream: polls DynamoDB Local's
 * stream and feeds new audit events to the same sealer the Lambda function runs.
 *
 * - Shards: read by local/stream-reader.ts, every one from TRIM_HORIZON.
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
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KMSClient } from '@aws-sdk/client-kms';
import { buildSealer } from '../src/adapters/audit-sealer';
import { documentClient, SDK_CLIENT_SETTINGS } from '../src/adapters/aws-clients';
import { folderCheckpointArchive } from '../src/adapters/checkpoint-archive';
import { auditEventsFromStream, type StreamRecordLike } from '../src/adapters/dynamodb/stream-events';
import type { AuditEvent } from '../src/domain/audit/event';
import type { Sealer } from '../src/domain/audit/sealer';
import { openStreamReader, type StreamReader } from './stream-reader';

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

const MAX_RETRY_DELAY_MS = 5000;
/** Events appended between two looks at the batch window: three commits. */
const APPEND_SLICE = 270;

/** The settings with their defaults filled in. */
interface Timing {
  pollIntervalMs: number;
  batchWindowMs: number;
  batchSize: number;
  heartbeatMs: number;
}

interface LoopClients {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  kms: KMSClient;
}

/** Events read but not yet appended, and the sealed events that wait for a checkpoint. */
interface Backlog {
  queue: AuditEvent[];
  unsignedSince: number | undefined;
  unsignedCount: number;
  lastSignedAt: number;
  retryAt: number;
  retryDelay: number;
}

/** Logs a failure once until it changes or something succeeds, so that a retried failure is not a flood. */
interface FailureReporter {
  report(what: string, error: unknown): void;
  clear(): void;
}

interface LoopContext {
  sealer: Sealer;
  timing: Timing;
  stream: StreamReader;
  backlog: Backlog;
  failures: FailureReporter;
}

function timingOf(settings: SealerLoopSettings): Timing {
  return {
    pollIntervalMs: settings.pollIntervalMs ?? 200,
    batchWindowMs: settings.batchWindowMs ?? 2000,
    batchSize: settings.batchSize ?? 1000,
    heartbeatMs: settings.heartbeatMs ?? 240_000,
  };
}

function createClients(env: Record<string, string>): LoopClients {
  // The functions' deadlines: a paused DynamoDB Local or KMS emulator fails a round, it does not hang it.
  const clientConfig = {
    ...SDK_CLIENT_SETTINGS,
    region: env.AWS_REGION as string,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  };
  return {
    dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: env.DYNAMODB_ENDPOINT }),
    streams: new DynamoDBStreamsClient({ ...clientConfig, endpoint: env.DYNAMODB_ENDPOINT }),
    kms: new KMSClient({ ...clientConfig, endpoint: env.KMS_ENDPOINT }),
  };
}

function createLoopSealer(options: SealerLoopOptions, clients: LoopClients, log: (line: string) => void) {
  return buildSealer({
    documents: documentClient(clients.dynamodb),
    auditTable: options.environment.AUDIT_TABLE as string,
    kms: clients.kms,
    signingKeyArn: options.environment.SIGNING_KEY_ARN as string,
    archive: folderCheckpointArchive(options.archiveDir),
    origin: options.origin,
    log: {
      info: () => undefined,
      warn: (message) => log(`sealer: ${message}`),
      error: (message) => log(`sealer: ${message}`),
    },
  });
}

function createFailureReporter(log: (line: string) => void): FailureReporter {
  let lastError = '';
  return {
    report(what, error) {
      const message = `${what}: ${(error as Error)?.name ?? 'Error'}${error instanceof Error && error.name === 'TreeIntegrityError' ? ` (${error.message})` : ''}`;
      if (message !== lastError) log(`sealer: ${message}`);
      lastError = message;
    },
    clear() {
      lastError = '';
    },
  };
}

/** Like a mapping's batch: full, or the window is over and nothing more is waiting to be appended. */
function isCheckpointDue({ backlog, timing }: LoopContext): boolean {
  return (
    backlog.unsignedSince !== undefined &&
    (backlog.unsignedCount >= timing.batchSize ||
      (backlog.queue.length === 0 && Date.now() - backlog.unsignedSince >= timing.batchWindowMs))
  );
}

async function signCheckpoint({ sealer, backlog }: LoopContext): Promise<void> {
  await sealer.checkpoint();
  backlog.unsignedSince = undefined;
  backlog.unsignedCount = 0;
  backlog.lastSignedAt = Date.now();
}

/** Appends one slice of the queue; a failed slice stays queued and is retried later, each time later. */
async function appendSlice(context: LoopContext): Promise<void> {
  const { sealer, backlog, timing, failures } = context;
  const slice = backlog.queue.slice(0, APPEND_SLICE);
  try {
    const { sealed } = await sealer.append(slice);
    backlog.queue = backlog.queue.slice(slice.length);
    backlog.retryDelay = timing.pollIntervalMs;
    failures.clear();
    if (sealed.length > 0) {
      backlog.unsignedSince ??= Date.now();
      backlog.unsignedCount += sealed.length;
    }
  } catch (error) {
    failures.report('cannot append', error);
    backlog.retryAt = Date.now() + backlog.retryDelay;
    backlog.retryDelay = Math.min(MAX_RETRY_DELAY_MS, backlog.retryDelay * 2);
  }
}

/** One round: read every shard, append what is new, sign when due. Whether anything was read. */
async function runRound(context: LoopContext): Promise<boolean> {
  const { sealer, backlog, timing } = context;
  const records = await context.stream.read();
  backlog.queue.push(...auditEventsFromStream(records as StreamRecordLike[]));
  const read = records.length > 0;
  // A few commits at a time, so that a due checkpoint is not held up by a long backlog.
  while (backlog.queue.length > 0 && Date.now() >= backlog.retryAt) {
    await appendSlice(context);
    if (isCheckpointDue(context)) await signCheckpoint(context);
  }
  if (isCheckpointDue(context)) await signCheckpoint(context);
  else if (Date.now() - backlog.lastSignedAt >= timing.heartbeatMs) {
    await sealer.heartbeat(timing.heartbeatMs);
    backlog.lastSignedAt = Date.now();
  }
  return read;
}

/** A pause that `stop` can cut short. */
interface Pauser {
  pause(ms: number): Promise<void>;
  wake(): void;
}

function createPauser(): Pauser {
  let wake: (() => void) | undefined;
  return {
    pause: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    wake: () => wake?.(),
  };
}

/** Runs rounds until `isStopped`: at once again while records keep coming, after a pause when quiet. */
async function runRounds(context: LoopContext, pauser: Pauser, isStopped: () => boolean): Promise<void> {
  while (!isStopped()) {
    let more = false;
    try {
      more = await runRound(context);
    } catch (error) {
      context.failures.report('stream or checkpoint failure', error);
      more = false;
      await pauser.pause(Math.min(MAX_RETRY_DELAY_MS, context.backlog.retryDelay));
    }
    if (!isStopped() && !more) await pauser.pause(context.timing.pollIntervalMs);
  }
}

export async function startSealerLoop(options: SealerLoopOptions): Promise<SealerLoop> {
  const timing = timingOf(options);
  const log = options.log ?? (() => undefined);
  const clients = createClients(options.environment);
  const sealer = createLoopSealer(options, clients, log);
  const stream = await openStreamReader(
    clients.dynamodb,
    clients.streams,
    options.environment.AUDIT_TABLE as string,
  );
  const context: LoopContext = {
    sealer,
    timing,
    stream,
    backlog: {
      queue: [],
      unsignedSince: undefined,
      unsignedCount: 0,
      lastSignedAt: 0,
      retryAt: 0,
      retryDelay: timing.pollIntervalMs,
    },
    failures: createFailureReporter(log),
  };

  // The first round runs before start returns: a fresh log has a signed checkpoint from the start.
  await sealer
    .heartbeat(timing.heartbeatMs)
    .catch((error: unknown) => context.failures.report('cannot sign a heartbeat', error));
  context.backlog.lastSignedAt = Date.now();

  let stopped = false;
  const pauser = createPauser();
  const running = runRounds(context, pauser, () => stopped);
  return {
    sealer,
    async stop() {
      stopped = true;
      pauser.wake();
      await running;
      clients.dynamodb.destroy();
      clients.streams.destroy();
      clients.kms.destroy();
    },
  };
}

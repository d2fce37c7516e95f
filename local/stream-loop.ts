/**
 * The local stand-in for Lambda's event-source mappings on the Cases stream: polls DynamoDB Local's stream
 * and hands each batch to a stream function, the same handler Lambda runs, in this process: the outbox
 * processor (functions/outbox.ts) and the statistics aggregator (functions/stats-aggregator.ts), each with
 * a reader of its own, as each mapping reads the stream on its own. A batch that fails stays queued and is
 * handed over again, later each time, as a mapping retries it. The outbox loop reads the stream from where
 * it is when the loop starts (what was written while no loop ran is published by the deadline sweep); the
 * aggregator's from its oldest record, which it counts once whatever was counted before.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { SDK_CLIENT_SETTINGS } from '../src/adapters/aws-clients';
import { openStreamReader, type StreamReader } from './stream-reader';

export interface StreamLoopOptions {
  /** The function's module (a URL): its source unless the stack serves bundles. */
  entry?: string;
  /** The functions' environment: endpoints, credentials, the Cases table. */
  environment: Record<string, string>;
  /** How often the stream is read when it is quiet (default 100 ms). */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

export interface StreamLoop {
  stop(): Promise<void>;
}

/** Which function a loop feeds, and where in the stream it starts. */
interface StreamFunction {
  name: 'outbox' | 'stats-aggregator';
  start: 'LATEST' | 'TRIM_HORIZON';
  /** What the log says when a batch fails. */
  failure: string;
}

const MAX_RETRY_DELAY_MS = 5000;

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<void>;

function invocationContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `himaya-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:me-central-1:000000000000:function:himaya-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/himaya-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

interface LoopState {
  fn: StreamFunction;
  reader: StreamReader;
  handler: Promise<StreamHandler>;
  queue: StreamRecord[];
  retryDelay: number;
  retryAt: number;
  lastFailure: string;
}

/** One round: read what is new, hand the queue over. Whether anything was read. */
async function runRound(state: LoopState, options: StreamLoopOptions): Promise<boolean> {
  const records = await state.reader.read();
  state.queue.push(...records);
  if (state.queue.length === 0 || Date.now() < state.retryAt) return records.length > 0;
  const batch = state.queue.slice(0, 100);
  try {
    const handler = await state.handler;
    await handler({ Records: batch } as DynamoDBStreamEvent, invocationContext(state.fn.name));
    state.queue = state.queue.slice(batch.length);
    state.retryDelay = options.pollIntervalMs ?? 100;
    state.lastFailure = '';
  } catch (error) {
    const failure = `${state.fn.name}: ${state.fn.failure} (${(error as Error)?.name}); retrying`;
    if (failure !== state.lastFailure) options.log?.(failure);
    state.lastFailure = failure;
    state.retryAt = Date.now() + state.retryDelay;
    state.retryDelay = Math.min(MAX_RETRY_DELAY_MS, state.retryDelay * 2);
  }
  return records.length > 0;
}

/** The outbox processor on the Cases stream; the functions' environment must already be in `process.env`. */
export function startOutboxLoop(options: StreamLoopOptions): Promise<StreamLoop> {
  return startStreamLoop({ name: 'outbox', start: 'LATEST', failure: 'batch not published' }, options);
}

/** The statistics aggregator on the Cases stream, from its oldest record. */
export function startStatsLoop(options: StreamLoopOptions): Promise<StreamLoop> {
  return startStreamLoop(
    { name: 'stats-aggregator', start: 'TRIM_HORIZON', failure: 'batch not counted' },
    options,
  );
}

async function startStreamLoop(fn: StreamFunction, options: StreamLoopOptions): Promise<StreamLoop> {
  const env = options.environment;
  const clientConfig = {
    ...SDK_CLIENT_SETTINGS,
    region: env.AWS_REGION as string,
    endpoint: env.DYNAMODB_ENDPOINT as string,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  };
  const dynamodb = new DynamoDBClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const entry = options.entry ?? new URL(`../functions/${fn.name}.ts`, import.meta.url).href;
  const state: LoopState = {
    fn,
    reader: await openStreamReader(dynamodb, streams, env.CASES_TABLE as string, fn.start),
    // Loaded once, as Lambda loads a function: it reads its environment at load time.
    handler: import(entry).then((module: { handler: StreamHandler }) => module.handler),
    queue: [],
    retryDelay: pollIntervalMs,
    retryAt: 0,
    lastFailure: '',
  };
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
  const running = (async () => {
    while (!stopped) {
      const more = await runRound(state, options).catch(() => false);
      if (!stopped && !more) await pause(pollIntervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
      dynamodb.destroy();
      streams.destroy();
    },
  };
}

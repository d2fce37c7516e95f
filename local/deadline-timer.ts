import type { Context, ScheduledEvent } from 'aws-lambda';
import { onLocalEvent } from '../src/adapters/local-event-bus';

/**
 * The local stand-in for the EventBridge schedule: runs the deadline function every minute, with the real
 * clock, in this process. It also shows the domain events the functions publish on the in-process bus,
 * as an agency system subscribed to them would receive them.
 */
export interface DeadlineTimerOptions {
  /** @default 60 000 ms, as the schedule in AWS */
  intervalMs?: number;
  /** The deadline function's module (a URL): its source unless the stack serves bundles. */
  entry?: string;
  log?: (line: string) => void;
}

export interface DeadlineTimer {
  stop(): Promise<void>;
}

const DEADLINES_ENTRY = new URL('../functions/deadlines.ts', import.meta.url).href;

type DeadlineHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

function scheduleContext(): Context {
  const started = Date.now();
  const requestId = crypto.randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'himaya-deadlines',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:me-central-1:000000000000:function:himaya-deadlines',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/himaya-deadlines',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, 60_000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Starts the timer; the functions' environment must already be in `process.env`. */
export function startDeadlineTimer(options: DeadlineTimerOptions = {}): DeadlineTimer {
  const log = options.log ?? (() => undefined);
  const stopListening = onLocalEvent((event) => {
    log(`event ${event.type} for ${event.recipients.join(', ')} (case ${event.caseId})`);
  });
  let handler: Promise<DeadlineHandler> | undefined;
  let running: Promise<void> | undefined;
  const sweep = () => {
    if (running) return;
    // Loaded on first use, as Lambda loads a function: it reads its environment at load time.
    handler ??= import(options.entry ?? DEADLINES_ENTRY).then(
      (module: { handler: DeadlineHandler }) => module.handler,
    );
    running = handler
      .then((run) => run({} as ScheduledEvent, scheduleContext()))
      .then(
        () => undefined,
        (error: unknown) =>
          log(`deadline sweep failed (${(error as Error)?.name}); it runs again in a minute`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, options.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopListening();
      await running;
    },
  };
}

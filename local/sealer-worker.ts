/**
 * The audit sealer loop (local/sealer-loop.ts) in a worker thread of its own: what `startLocalStack` runs
 * with `sealerThread: true`, so that sealing takes no time on the thread that serves requests, as in AWS,
 * where the sealer is a function of its own. Messages: `stop` in; `started`, `stopped`, `{ log }` and
 * `{ error }` out.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type SealerLoopOptions, startSealerLoop } from './sealer-loop';

type WorkerOptions = Omit<SealerLoopOptions, 'log'>;
/** Tells this module, loaded in a worker, that it is the sealer's worker (not imported by other code). */
const MARKER = 'himayaSealerWorker';
type Message = 'started' | 'stopped' | { log: string } | { error: string };

/** Starts the loop in a worker; resolves once its first round ran, as `startSealerLoop` does. */
export function startSealerWorker(options: SealerLoopOptions): Promise<{ stop(): Promise<void> }> {
  const { log = () => undefined, ...cloneable } = options;
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { [MARKER]: cloneable satisfies WorkerOptions },
  });
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: Message) => {
      if (message === 'stopped') resolve();
      else if (typeof message === 'object' && 'log' in message) log(message.log);
    });
    worker.once('exit', () => resolve());
  });
  return new Promise((resolve, reject) => {
    worker.on('message', (message: Message) => {
      if (message === 'started') {
        resolve({
          async stop() {
            worker.postMessage('stop');
            await stopped;
            await worker.terminate();
          },
        });
      } else if (typeof message === 'object' && 'error' in message) {
        reject(new Error(`the sealer worker did not start: ${message.error}`));
      }
    });
    worker.once('error', reject);
  });
}

const options = isMainThread
  ? undefined
  : (workerData as Record<string, WorkerOptions> | undefined)?.[MARKER];
if (options && parentPort) {
  const port = parentPort;
  const post = (message: Message) => port.postMessage(message);
  try {
    const loop = await startSealerLoop({ ...options, log: (line) => post({ log: line }) });
    port.on('message', async (message: unknown) => {
      if (message !== 'stop') return;
      await loop.stop();
      post('stopped');
      port.close();
    });
    post('started');
  } catch (error) {
    post({ error: (error as Error)?.message ?? String(error) });
  }
}

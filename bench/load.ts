import { randomUUID } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon, { type Request } from 'autocannon';

/**
 * Drives one flow with autocannon in a worker thread, so the load generator does not share the event
 * loop of the gateway and the functions it measures. Latency is kept per response, at the sub-millisecond
 * precision of `process.hrtime` (autocannon's own histogram rounds to whole milliseconds, too coarse for
 * a 2 ms baseline).
 */
export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Each connection cycles through these. */
  requests: Request[];
  /** Adds a fresh `Idempotency-Key` header to every request. */
  idempotencyKey?: boolean;
}

export interface LoadResult {
  /** Seconds, as autocannon measured the run. */
  duration: number;
  /** Latency of every 2xx response, ms. */
  latencies: number[];
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
}

const activeWorkers = new Set<Worker>();
/** Tells this module, loaded in a worker, that it is the load worker (and not imported by other code). */
const MARKER = 'himayaBenchLoad';

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { [MARKER]: spec } });
    let settled = false;
    worker.once('message', (result: LoadResult) => {
      settled = true;
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the load worker exited with code ${code}`));
    });
    activeWorkers.add(worker);
    worker.once('exit', () => activeWorkers.delete(worker));
  });
}

/** Stops any load still running (on Ctrl-C or an error). */
export async function stopLoad(): Promise<void> {
  await Promise.all([...activeWorkers].map((worker) => worker.terminate()));
}

async function work(spec: LoadSpec): Promise<LoadResult> {
  const requests = spec.idempotencyKey
    ? spec.requests.map((request) => ({
        ...request,
        setupRequest: (raw: Request) => ({
          ...raw,
          headers: { ...raw.headers, 'Idempotency-Key': randomUUID() },
        }),
      }))
    : spec.requests;
  const latencies: number[] = [];
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    requests,
    timeout: 30,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, Number(count)]),
  );
  return { duration: result.duration, latencies, statuses, errors: result.errors };
}

const assigned = isMainThread ? undefined : (workerData as Record<string, LoadSpec> | null)?.[MARKER];
if (assigned && parentPort) {
  const port = parentPort;
  work(assigned).then(
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
}

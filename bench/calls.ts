import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Counts, in this process, the HTTP calls made to DynamoDB and KMS (per operation, read from the
 * `X-Amz-Target` header of each attempt) and the requests the gateway receives. It listens on Node's
 * built-in `http` diagnostics channels, so nothing sits between the functions and their dependencies and
 * no production code is touched: the handlers run in this process (the local gateway invokes them
 * in-process), with the SDK's own HTTP client.
 *
 * A call made while serving a gateway request (found through the async context the request started) is
 * the request's; any other call is background work of the stack, such as the audit sealer's polling.
 */
export type Service = 'dynamodb' | 'kms';
export type Counts = Record<Service, Record<string, number>>;

export interface CallSnapshot {
  /** Requests the gateway received. */
  requests: number;
  /** Calls made for gateway requests, per service and operation (attempts that got a response). */
  calls: Counts;
  /** Time from the start of each of those calls to the end of its response, summed, ms. */
  callMs: Counts;
  /** Attempts that failed without a response (a reused keep-alive connection the server had closed). */
  failed: Counts;
  /** Calls made outside any gateway request (the audit sealer), per service and operation. */
  background: Counts;
}

export interface CallCounter {
  snapshot(): CallSnapshot;
  /** Resolves once no call for a gateway request has been in flight, or started, for `quietMs`. */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

const hostOf = (url: string) => new URL(url).host;
const emptyCounts = (): Counts => ({ dynamodb: {}, kms: {} });
const copyCounts = (counts: Counts): Counts => ({ dynamodb: { ...counts.dynamodb }, kms: { ...counts.kms } });
const add = (counts: Record<string, number>, key: string, value = 1) => {
  counts[key] = (counts[key] ?? 0) + value;
};

export function countCalls(endpoints: { gateway: string; dynamodb: string; kms: string }): CallCounter {
  const services = new Map<string, Service>([
    [hostOf(endpoints.dynamodb), 'dynamodb'],
    [hostOf(endpoints.kms), 'kms'],
  ]);
  const gatewayPort = Number(new URL(endpoints.gateway).port);
  const servingRequest = new AsyncLocalStorage<true>();
  const calls = emptyCounts();
  const callMs = emptyCounts();
  const failed = emptyCounts();
  const background = emptyCounts();
  let gatewayServer: Server | undefined;
  let requests = 0;
  let inFlight = 0;
  let lastStart = performance.now();

  const onClientStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const service = services.get(String(request.getHeader('host')));
    if (!service) return;
    const target = String(request.getHeader('x-amz-target') ?? 'unknown');
    const operation = target.slice(target.indexOf('.') + 1);
    if (!servingRequest.getStore()) {
      add(background[service], operation);
      return;
    }
    inFlight += 1;
    const started = performance.now();
    lastStart = started;
    // One of these ends every call: its response arrives, or it fails.
    let ended = false;
    let responded = false;
    const end = () => {
      if (ended) return;
      ended = true;
      inFlight -= 1;
      add(responded ? calls[service] : failed[service], operation);
      if (responded) add(callMs[service], operation, performance.now() - started);
    };
    request.once('response', (response: IncomingMessage) => {
      responded = true;
      response.once('end', end);
      response.once('close', end);
    });
    request.once('error', end);
    request.once('close', () => {
      if (!responded) end();
    });
  };

  const onServerStart = (message: unknown) => {
    const { server } = message as { server: Server };
    if (!gatewayServer && (server.address() as AddressInfo | null)?.port === gatewayPort)
      gatewayServer = server;
    if (server !== gatewayServer) return;
    requests += 1;
    // Published just before the server emits 'request': the gateway's handling of this request, and every
    // call it makes, runs in the context entered here.
    servingRequest.enterWith(true);
  };

  subscribe('http.client.request.start', onClientStart);
  subscribe('http.server.request.start', onServerStart);

  return {
    snapshot: () => ({
      requests,
      calls: copyCounts(calls),
      callMs: copyCounts(callMs),
      failed: copyCounts(failed),
      background: copyCounts(background),
    }),
    async settle(quietMs = 200, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      while (inFlight > 0 || performance.now() - lastStart < quietMs) {
        if (performance.now() > deadline) throw new Error(`${inFlight} calls still in flight`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close() {
      unsubscribe('http.client.request.start', onClientStart);
      unsubscribe('http.server.request.start', onServerStart);
    },
  };
}

/** Calls made between two snapshots' counts, per operation. */
export function callsBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const made = count - (before[operation] ?? 0);
    if (made !== 0) delta[operation] = made;
  }
  return delta;
}

export function countsBetween(before: Counts, after: Counts): Counts {
  return {
    dynamodb: callsBetween(before.dynamodb, after.dynamodb),
    kms: callsBetween(before.kms, after.kms),
  };
}

export function addCounts(a: Counts, b: Counts): Counts {
  const total = copyCounts(a);
  for (const service of ['dynamodb', 'kms'] as const) {
    for (const [operation, count] of Object.entries(b[service])) add(total[service], operation, count);
  }
  return total;
}

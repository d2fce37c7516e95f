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

/** What the channel listeners share: where calls go, and the counts so far. */
interface CallTally {
  services: Map<string, Service>;
  gatewayPort: number;
  servingRequest: AsyncLocalStorage<true>;
  gatewayServer: Server | undefined;
  requests: number;
  inFlight: number;
  lastStart: number;
  calls: Counts;
  callMs: Counts;
  failed: Counts;
  background: Counts;
}

function newTally(endpoints: { gateway: string; dynamodb: string; kms: string }): CallTally {
  return {
    services: new Map<string, Service>([
      [hostOf(endpoints.dynamodb), 'dynamodb'],
      [hostOf(endpoints.kms), 'kms'],
    ]),
    gatewayPort: Number(new URL(endpoints.gateway).port),
    servingRequest: new AsyncLocalStorage<true>(),
    gatewayServer: undefined,
    requests: 0,
    inFlight: 0,
    lastStart: performance.now(),
    calls: emptyCounts(),
    callMs: emptyCounts(),
    failed: emptyCounts(),
    background: emptyCounts(),
  };
}

/** Counts a call for a gateway request once it ends: its response arrives, or it fails. */
function trackCall(tally: CallTally, request: ClientRequest, service: Service, operation: string): void {
  tally.inFlight += 1;
  const started = performance.now();
  tally.lastStart = started;
  let ended = false;
  let responded = false;
  const end = () => {
    if (ended) return;
    ended = true;
    tally.inFlight -= 1;
    add(responded ? tally.calls[service] : tally.failed[service], operation);
    if (responded) add(tally.callMs[service], operation, performance.now() - started);
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
}

function countClientCall(tally: CallTally, message: unknown): void {
  const { request } = message as { request: ClientRequest };
  const service = tally.services.get(String(request.getHeader('host')));
  if (!service) return;
  const target = String(request.getHeader('x-amz-target') ?? 'unknown');
  const operation = target.slice(target.indexOf('.') + 1);
  if (tally.servingRequest.getStore()) trackCall(tally, request, service, operation);
  else add(tally.background[service], operation);
}

function countGatewayRequest(tally: CallTally, message: unknown): void {
  const { server } = message as { server: Server };
  if (!tally.gatewayServer && (server.address() as AddressInfo | null)?.port === tally.gatewayPort)
    tally.gatewayServer = server;
  if (server !== tally.gatewayServer) return;
  tally.requests += 1;
  // Published just before the server emits 'request': the gateway's handling of this request, and every
  // call it makes, runs in the context entered here.
  tally.servingRequest.enterWith(true);
}

export function countCalls(endpoints: { gateway: string; dynamodb: string; kms: string }): CallCounter {
  const tally = newTally(endpoints);
  const onClientStart = (message: unknown) => countClientCall(tally, message);
  const onServerStart = (message: unknown) => countGatewayRequest(tally, message);
  subscribe('http.client.request.start', onClientStart);
  subscribe('http.server.request.start', onServerStart);

  return {
    snapshot: () => ({
      requests: tally.requests,
      calls: copyCounts(tally.calls),
      callMs: copyCounts(tally.callMs),
      failed: copyCounts(tally.failed),
      background: copyCounts(tally.background),
    }),
    async settle(quietMs = 200, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      while (tally.inFlight > 0 || performance.now() - tally.lastStart < quietMs) {
        if (performance.now() > deadline) throw new Error(`${tally.inFlight} calls still in flight`);
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

/** The sum of two tallies, per key. */
export function addTallies(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const total = { ...a };
  for (const [key, count] of Object.entries(b)) add(total, key, count);
  return total;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    dynamodb: addTallies(a.dynamodb, b.dynamodb),
    kms: addTallies(a.kms, b.kms),
  };
}

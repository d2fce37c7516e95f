import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  Agent,
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A reverse proxy in front of DynamoDB Local or the KMS emulator that a test programs to make one SDK call
 * fail, or to stop answering altogether, and that records every call it sees.
 *
 * A "call" is one SDK command: its retries carry the same `amz-sdk-invocation-id`, so the proxy counts
 * them as attempts of one call and fails every attempt of a failed call (or only the first ones).
 */
export type Fault =
  | { kind: 'respond'; status: number; contentType: string; body: { __type: string; message: string } }
  /** The connection is closed before any answer, as when a node dies mid-request. */
  | { kind: 'drop' }
  /** The request reaches the service and is applied, but its answer never comes back (a timeout after sending). */
  | { kind: 'lose-answer' };

const DYNAMODB_JSON = 'application/x-amz-json-1.0';
const KMS_JSON = 'application/x-amz-json-1.1';

/** Error answers as the services send them. */
export const faults = {
  dynamoDbInternalError: {
    kind: 'respond',
    status: 500,
    contentType: DYNAMODB_JSON,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'Internal server error',
    },
  },
  dynamoDbThroughputExceeded: {
    kind: 'respond',
    status: 400,
    contentType: DYNAMODB_JSON,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message:
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    },
  },
  kmsInternal: {
    kind: 'respond',
    status: 500,
    contentType: KMS_JSON,
    body: { __type: 'KMSInternalException', message: 'An internal error has occurred.' },
  },
  /** What KMS answers for a key that has been disabled. */
  kmsKeyDisabled: {
    kind: 'respond',
    status: 400,
    contentType: KMS_JSON,
    body: { __type: 'DisabledException', message: 'The key is disabled.' },
  },
  drop: { kind: 'drop' },
  loseAnswer: { kind: 'lose-answer' },
} as const satisfies Record<string, Fault>;

export interface SdkCall {
  /** `X-Amz-Target`, e.g. `DynamoDB_20120810.TransactWriteItems` or `TrentService.Decrypt`. */
  target: string;
  attempts: number;
  failed: boolean;
}

export interface FaultProxy {
  url: string;
  /** The calls seen since the last `reset()`, in order. */
  calls(): SdkCall[];
  /**
   * Fails the `nth` (0-based) call to `target` made from now on: every attempt of it, or only its first
   * `attempts` attempts. Other calls pass through.
   */
  failCall(target: string, nth: number, fault: Fault, options?: { attempts?: number }): void;
  /** Closes every connection, open or new, as a stopped service would appear to its clients. */
  stop(): void;
  /** Forgets the calls and the programmed faults, and answers again. */
  reset(): void;
  close(): Promise<void>;
}

interface Rule {
  target: string;
  skip: number;
  fault: Fault;
  attempts: number;
}

interface CallState extends SdkCall {
  fault?: Fault;
  attemptsToFail: number;
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  fault: Exclude<Fault, { kind: 'lose-answer' }>,
): void {
  if (fault.kind === 'drop') {
    request.socket.destroy();
    return;
  }
  request.resume();
  request.once('end', () => {
    const body = JSON.stringify(fault.body);
    response.writeHead(fault.status, {
      'Content-Type': fault.contentType,
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': randomUUID(),
    });
    response.end(body);
  });
}

export async function startFaultProxy(targetEndpoint: string): Promise<FaultProxy> {
  const upstream = new URL(targetEndpoint);
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const byInvocation = new Map<string, CallState>();
  let calls: CallState[] = [];
  let rules: Rule[] = [];
  let stopped = false;

  const callOf = (request: IncomingMessage): CallState => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const invocationId = String(request.headers['amz-sdk-invocation-id'] ?? randomUUID());
    const known = byInvocation.get(invocationId);
    if (known) return known;
    const call: CallState = { target, attempts: 0, failed: false, attemptsToFail: 0 };
    const rule = rules.find((r) => r.target === target);
    if (rule && rule.skip-- === 0) {
      rules = rules.filter((r) => r !== rule);
      call.fault = rule.fault;
      call.attemptsToFail = rule.attempts;
    }
    byInvocation.set(invocationId, call);
    calls.push(call);
    return call;
  };

  const server = createServer((request, response) => {
    if (stopped) {
      request.socket.destroy();
      return;
    }
    const call = callOf(request);
    call.attempts += 1;
    const failing = call.fault !== undefined && call.attempts <= call.attemptsToFail;
    if (failing) call.failed = true;
    if (failing && call.fault?.kind !== 'lose-answer') {
      answer(request, response, call.fault as Exclude<Fault, { kind: 'lose-answer' }>);
      return;
    }
    const proxied = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent,
      },
      (reply) => {
        if (failing) {
          // Applied upstream; the client only sees its connection break.
          reply.resume();
          reply.once('end', () => request.socket.destroy());
          return;
        }
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    proxied.on('error', () => request.socket.destroy());
    request.pipe(proxied);
  });
  server.on('connection', (socket: Socket) => {
    if (stopped) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls.map(({ target, attempts, failed }) => ({ target, attempts, failed })),
    failCall(target, nth, fault, options = {}) {
      rules.push({ target, skip: nth, fault, attempts: options.attempts ?? Number.POSITIVE_INFINITY });
    },
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
    reset() {
      stopped = false;
      calls = [];
      rules = [];
      byInvocation.clear();
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

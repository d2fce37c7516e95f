/**
 * A local AWS KMS emulator: an HTTP server speaking the KMS JSON 1.1 protocol (POST /, header
 * `X-Amz-Target: TrentService.<Operation>`), so the unchanged `KMSClient` of @aws-sdk/client-kms works
 * against it when given `endpoint`. Requests are not authenticated: SigV4 signatures are not checked.
 * One path is not KMS's: `GET /__stats` answers the calls counted per operation, as JSON (for benchmarks
 * and tests, when the emulator runs as a process of its own: local/kms/main.ts).
 *
 *   const kms = await startKmsEmulator({ stateFile: '.himaya/kms.json' });
 *   const client = new KMSClient({ endpoint: kms.endpoint, region: 'me-central-1', credentials });
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { errorBody, KmsError } from './errors';
import type { JsonObject } from './input';
import { KeyStore } from './key-store';
import { OPERATIONS } from './operations';

export interface KmsEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the emulator holds keys and checks no credentials, so it stays off the network. */
  host?: string;
  /** JSON file holding keys and aliases across restarts; absent means in memory only. */
  stateFile?: string;
  /** Defaults to me-central-1. */
  region?: string;
  /** Defaults to 000000000000. */
  accountId?: string;
}

export interface KmsEmulator {
  endpoint: string;
  port: number;
  /** Stops listening and closes keep-alive connections, so tests and processes end promptly. */
  close(): Promise<void>;
  /** Calls per operation since start (or the last resetStats), for benchmarks. */
  stats(): Record<string, number>;
  resetStats(): void;
}

const TARGET_PREFIX = 'TrentService.';
export const STATS_PATH = '/__stats';
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const store = KeyStore.open({
    region: options.region ?? 'me-central-1',
    accountId: options.accountId ?? '000000000000',
    stateFile: options.stateFile === undefined ? undefined : resolve(options.stateFile),
  });
  const calls = new Map<string, number>();
  const countCall = (operation: string) => calls.set(operation, (calls.get(operation) ?? 0) + 1);

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === STATS_PATH) {
      sendJson(response, Object.fromEntries(calls));
      return;
    }
    handle(store, countCall, request, response).catch((error: unknown) => {
      // Only a broken connection gets here (handle answers every other failure); there is no one to tell.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections();
      });
      return closing;
    },
    stats: () => Object.fromEntries(calls),
    resetStats: () => calls.clear(),
  };
}

async function handle(
  store: KeyStore,
  countCall: (operation: string) => void,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  try {
    if (request.method !== 'POST') {
      throw new KmsError('UnknownOperationException', 'KMS accepts POST only', 405);
    }
    if (body === undefined) {
      throw new KmsError('ValidationException', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
    }
    const [name, operation] = operationOf(request);
    countCall(name);
    send(response, 200, operation(store, parseJson(body)));
  } catch (error) {
    const kmsError = error instanceof KmsError ? error : internalError(error);
    send(response, kmsError.status, errorBody(kmsError));
  }
}

function operationOf(request: IncomingMessage) {
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = OPERATIONS.get(name);
  if (operation === undefined) {
    throw new KmsError('UnknownOperationException', `Unknown or unsupported operation: ${String(target)}`);
  }
  return [name, operation] as const;
}

/**
 * The whole body, or undefined past the size limit. An oversized body is still read to its end (and
 * dropped) so that the client receives the 413 instead of a reset connection.
 */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function parseJson(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KmsError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KmsError('SerializationException', 'The request body must be a JSON object');
  }
  return value as JsonObject;
}

/** Unexpected failures are logged here and answered without detail, as KMS does (and retried by the SDK). */
function internalError(error: unknown): KmsError {
  console.error('KMS emulator internal error:', error);
  return new KmsError('KMSInternalException', 'An internal error occurred in the KMS emulator', 500);
}

function send(response: ServerResponse, status: number, payload: object): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(body);
}

function sendJson(response: ServerResponse, payload: object): void {
  const body = JSON.stringify(payload);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

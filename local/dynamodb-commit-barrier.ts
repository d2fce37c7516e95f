import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * DynamoDB Local acknowledges a TransactWriteItems before it has committed it: it queues the SQLite
 * `COMMIT` behind the request's statements and answers without waiting for it. Killed in between, it comes
 * back without a transaction it had acknowledged (measured here: one round in three of a kill under
 * concurrent transactions lost the last one acknowledged). DynamoDB never does that, and Himaya's writes
 * (a case with its access-log event, a note, a grant) are transactions, so on persistent local data this
 * front stands between the clients and DynamoDB Local and keeps DynamoDB's promise:
 *
 * - every request and answer passes through unchanged, except that
 * - a successful TransactWriteItems is answered only after a ListTables, with the same credentials (so the
 *   same database), has answered. DynamoDB Local runs a database's statements one at a time in the order
 *   they were queued, so once it has answered the ListTables queued after it, the COMMIT has run;
 * - if DynamoDB Local cannot be reached, or dies before the barrier has answered, the client's connection is
 *   closed without an answer, as a dead endpoint's would be: the outcome is unknown, never acknowledged.
 *
 * A kill of DynamoDB Local leaves this front running, so clients keep their endpoint across a restart.
 */
export interface CommitBarrier {
  endpoint: string;
  close(): Promise<void>;
}

const TRANSACT_WRITE = 'DynamoDB_20120810.TransactWriteItems';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Upstream {
  host: string;
  port: number;
  agent: Agent;
}

/** One request to DynamoDB Local; rejects when it cannot be reached or the client has gone. */
function forward(
  upstream: Upstream,
  method: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const sent = request({ ...upstream, method, path: '/', headers: endToEnd(headers), signal }, resolve);
    sent.once('error', reject);
    sent.end(body);
  });
}

/** Resolves once every statement DynamoDB Local had queued for this database before it has run. */
async function barrier(upstream: Upstream, headers: IncomingHttpHeaders, signal: AbortSignal): Promise<void> {
  const body = Buffer.from('{"Limit":1}');
  const reply = await forward(
    upstream,
    'POST',
    {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(body.length),
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      // DynamoDB Local keeps a database per access key id and region, read from these; it checks no signature.
      ...(headers.authorization ? { authorization: headers.authorization } : {}),
      ...(headers['x-amz-date'] ? { 'x-amz-date': headers['x-amz-date'] } : {}),
    },
    body,
    signal,
  );
  await readAll(reply);
  if (reply.statusCode !== 200) throw new Error(`commit barrier answered ${reply.statusCode}`);
}

async function serve(upstream: Upstream, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A client that gives up (its SDK timed out) takes its DynamoDB Local request down with it.
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const body = await readAll(req);
  const reply = await forward(upstream, req.method ?? 'POST', req.headers, body, gone.signal);
  if (req.headers['x-amz-target'] !== TRANSACT_WRITE || reply.statusCode !== 200) {
    res.writeHead(reply.statusCode ?? 500, endToEnd(reply.headers));
    reply.pipe(res);
    return;
  }
  const answer = await readAll(reply);
  await barrier(upstream, req.headers, gone.signal);
  res.writeHead(200, { ...endToEnd(reply.headers), 'content-length': String(answer.length) });
  res.end(answer);
}

/** The barrier on `port` (0: any free one), in front of DynamoDB Local on `upstreamPort`. */
export async function startCommitBarrier(options: {
  upstreamPort: number;
  port: number;
}): Promise<CommitBarrier> {
  const agent = new Agent({ keepAlive: true });
  const upstream: Upstream = { host: '127.0.0.1', port: options.upstreamPort, agent };
  // Whatever goes wrong, the client is told nothing: its connection is closed, as by a dead endpoint.
  const server = createServer((req, res) => {
    serve(upstream, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

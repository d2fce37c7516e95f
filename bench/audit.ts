/**
 * The access-log benchmark, run by bench/run.ts on its local stack. Settings (environment):
 * BENCH_AUDIT_RATE and BENCH_AUDIT_SECONDS (steady traffic, default 100 events/s for 10 s: about the rate
 * of the case flows on this stack, each request writing one event), BENCH_AUDIT_LOAD_RATE and
 * BENCH_AUDIT_LOAD_SECONDS (sustained load, default 1,000 events/s offered for 8 s), BENCH_AUDIT_EVENTS
 * (the generated log, default 1,000,000).
 *
 * - Seal lag, under steady traffic: audit events are written to the AuditLog table at a steady rate
 *   (BatchWriteItem, the item layout the request functions write), while an observer reads the newest
 *   checkpoint every 50 ms. An event's lag runs from the moment its write was acknowledged to the first
 *   observation of a signed checkpoint whose size exceeds its leaf index: what a verifier could see.
 * - KMS Sign calls per 1,000 events, under sustained load (more than the sealer keeps up with, so that
 *   batches fill): Sign calls the KMS emulator counted while the load lasted, per 1,000 events appended
 *   to the tree meanwhile. The same ratio under the steady traffic is given in the lag rows' note.
 * - Verification speed: a generated log of 1,000,000 distinct events, in memory, on one core. The raw
 *   SHA-256 row hashes each event's canonical bytes once (`crypto.hash`, the digest as a 'binary' string,
 *   its cheapest form, which the verifier uses too); the verification row recomputes what the verifier
 *   does from the same bytes: every leaf hash and every node of the tree, up to the root. The canonical
 *   JSON encoding is measured apart. Each is the median of three runs.
 * - Verification over HTTP: a log of BENCH_AUDIT_HTTP_EVENTS (default 100,000) more events, written as the
 *   request functions write them and sealed by the stack's sealer, then `npm run audit -- verify` in a
 *   process of its own against the gateway, timed end to end (start-up included): events/s of the signed
 *   size. Beside it, the old path: every event listed page by page (500 a page, one request after the
 *   other) and re-hashed, in this process.
 */
import { execFile } from 'node:child_process';
import { hash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../local/stack';
import { auditItem } from '../src/adapters/dynamodb/audit-store';
import { type AuditEvent, newEventId } from '../src/domain/audit/event';
import { eventLeafInput } from '../src/domain/audit/leaf';
import { checkEvents, LeafInputs, MerkleLevels } from '../src/domain/audit/log-recomputation';
import {
  importCheckpointKey,
  type ListedEvent,
  verifyCheckpoint,
} from '../src/domain/audit/log-verification';
import type { BenchRow } from './types';

const BATCH = 25;

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number`);
  return value;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (value: number, digits = 0) => Number(value.toFixed(digits));

function benchEvent(at: Date, i: number): AuditEvent {
  const caseId = `3f1b2c4d-5e6f-4a7b-8c9d-${(i % 997).toString(16).padStart(12, '0')}`;
  return {
    eventId: newEventId(at),
    time: at.toISOString(),
    agency: i % 2 ? 'police' : 'cfpc',
    clientId: i % 2 ? 'police' : 'cfpc',
    user: `officer-${i % 113}`,
    action: ['case.read', 'case.update', 'case.note', 'case.list'][i % 4] as string,
    resource: `/v1/cases/${caseId}`,
    caseId,
    purpose: i % 3 ? 'child-protection' : 'criminal-investigation',
    outcome: i % 17 ? 200 : 404,
    requestId: `b3a4c5d6-e7f8-4a9b-8c0d-${i.toString(16).padStart(12, '0')}`,
    sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  };
}

interface Writer {
  /** Event id → when its write was acknowledged. */
  written: Map<string, number>;
  seconds: number;
}

/** Writes audit events at `rate` per second for `seconds`, as the request functions would. */
async function writeEvents(
  documents: DynamoDBDocumentClient,
  table: string,
  rate: number,
  seconds: number,
): Promise<Writer> {
  const written = new Map<string, number>();
  const batches = Math.ceil((rate * seconds) / BATCH);
  const start = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let b = 0; b < batches; b++) {
    const wait = start + (b * BATCH * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= 8) await Promise.race(inFlight);
    const events = Array.from({ length: BATCH }, (_, i) => benchEvent(new Date(), b * BATCH + i));
    const write: Promise<void> = (async () => {
      let requests = events.map((event) => ({ PutRequest: { Item: auditItem(event) } }));
      while (requests.length > 0) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
      const at = Date.now();
      for (const event of events) written.set(event.eventId, at);
    })().finally(() => inFlight.delete(write));
    inFlight.add(write);
  }
  await Promise.all(inFlight);
  return { written, seconds: (Date.now() - start) / 1000 };
}

/** Reads the newest checkpoint every 50 ms and remembers when each new size was first seen. */
function observeCheckpoints(documents: DynamoDBDocumentClient, table: string) {
  const seen: { size: number; at: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const result = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'CHECKPOINT' },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const size = (result.Items?.[0]?.size as number | undefined) ?? 0;
      if (size > (seen.at(-1)?.size ?? -1)) seen.push({ size, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    seen,
    latest: () => seen.at(-1)?.size ?? 0,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Waits until every written event is in a signed checkpoint; returns each one's leaf index. */
async function leafIndexes(
  documents: DynamoDBDocumentClient,
  table: string,
  ids: readonly string[],
  signedSize: () => number,
): Promise<Map<string, number>> {
  const indexes = new Map<string, number>();
  const deadline = Date.now() + 180_000;
  let highest = -1;
  while (indexes.size < ids.length || signedSize() <= highest) {
    if (Date.now() > deadline)
      throw new Error('the sealer did not seal the benchmark events within 3 minutes');
    const missing = ids.filter((id) => !indexes.has(id));
    for (let i = 0; i < missing.length; i += 100) {
      const result = await documents.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: missing.slice(i, i + 100).map((id) => ({ pk: `EVENT#${id}`, sk: 'EVENT' })),
              ProjectionExpression: 'eventId, leafIndex',
            },
          },
        }),
      );
      for (const item of result.Responses?.[table] ?? []) {
        if (typeof item.leafIndex === 'number') {
          indexes.set(item.eventId as string, item.leafIndex);
          highest = Math.max(highest, item.leafIndex);
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return indexes;
}

async function treeSize(documents: DynamoDBDocumentClient, table: string): Promise<number> {
  const result = await documents.send(new GetCommand({ TableName: table, Key: { pk: 'TREE', sk: 'HEAD' } }));
  return (result.Item?.size as number | undefined) ?? 0;
}

async function measureSealing(stack: LocalStack, settings: AuditBenchSettings): Promise<BenchRow[]> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: stack.endpoints.region,
      credentials: stack.endpoints.credentials,
    }),
  );
  const table = stack.endpoints.tables.AuditLog;
  const signs = async () => (await stack.kmsStats()).Sign ?? 0;
  const observer = observeCheckpoints(documents, table);
  try {
    // Steady traffic: how long an event waits to be in a signed checkpoint.
    const steadySigns = await signs();
    const steady = await writeEvents(documents, table, settings.rate, settings.seconds);
    const ids = [...steady.written.keys()];
    const indexes = await leafIndexes(documents, table, ids, observer.latest);
    const steadySignsPer1000 = (((await signs()) - steadySigns) / ids.length) * 1000;
    const lags = ids
      .map((id) => {
        const index = indexes.get(id) as number;
        const seen = observer.seen.find((o) => o.size > index) as { at: number };
        return seen.at - (steady.written.get(id) as number);
      })
      .sort((a, b) => a - b);
    const steadyNote = `${ids.length} events written at ${round(ids.length / steady.seconds)}/s; write acknowledged → seen in a signed checkpoint (${round(steadySignsPer1000, 2)} Sign calls per 1,000 events at this rate)`;

    // Sustained load, more than the sealer keeps up with: signatures per event sealed while it lasts.
    const loadSigns = await signs();
    const loadStart = await treeSize(documents, table);
    const load = await writeEvents(documents, table, settings.loadRate, settings.loadSeconds);
    const sealedDuringLoad = (await treeSize(documents, table)) - loadStart;
    const loadSignCount = (await signs()) - loadSigns;
    await leafIndexes(documents, table, [...load.written.keys()], observer.latest);

    return [
      { name: 'audit seal lag p50', value: percentile(lags, 50), unit: 'ms', note: steadyNote },
      {
        name: 'audit seal lag p99',
        value: percentile(lags, 99),
        unit: 'ms',
        target: '≤ 3000',
        note: steadyNote,
      },
      {
        name: 'audit KMS Sign calls per 1,000 events',
        value: round((loadSignCount / Math.max(1, sealedDuringLoad)) * 1000, 2),
        unit: 'calls',
        target: '≤ 1',
        note: `sustained load: ${load.written.size} events written at ${round(load.written.size / load.seconds)}/s; ${loadSignCount} Sign calls while ${sealedDuringLoad} events were sealed`,
      },
      {
        name: 'audit sealing throughput',
        value: round(sealedDuringLoad / load.seconds),
        unit: 'events/s',
        note: 'events appended to the tree per second under that load (DynamoDB Local, one sealer)',
      },
    ];
  } finally {
    await observer.stop();
    documents.destroy();
  }
}

function measureVerification(count: number): BenchRow[] {
  const base = Date.parse('2026-11-01T00:00:00.000Z');
  const inputs = new LeafInputs();
  for (let i = 0; i < count; i++) inputs.add(eventLeafInput(benchEvent(new Date(base + i * 37), i)));
  const bytes = Array.from({ length: inputs.count }, (_, i) => inputs.input(i).length).reduce(
    (a, b) => a + b,
    0,
  );

  const sample = Array.from({ length: Math.min(count, 100_000) }, (_, i) =>
    benchEvent(new Date(base + i * 37), i),
  );
  const encodeTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    for (const event of sample) eventLeafInput(event);
    encodeTimes.push(((performance.now() - started) * count) / sample.length);
  }

  const rawTimes: number[] = [];
  const verifyTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    for (let i = 0; i < inputs.count; i++) hash('sha256', inputs.input(i), 'binary');
    rawTimes.push(performance.now() - started);
    started = performance.now();
    new MerkleLevels(inputs.leafHashes()).root();
    verifyTimes.push(performance.now() - started);
  }
  const raw = median(rawTimes);
  const verify = median(verifyTimes);
  const perSecond = (ms: number) => round((count / ms) * 1000);
  const size = `${count.toLocaleString('en')} events, ${round(bytes / count)} bytes each on average, one core`;
  return [
    {
      name: 'audit raw SHA-256 of the event bytes',
      value: perSecond(raw),
      unit: 'events/s',
      note: `${size}; ${round(bytes / 1e6 / (raw / 1000))} MB/s`,
    },
    {
      name: 'audit verification: leaf hashes + tree root',
      value: perSecond(verify),
      unit: 'events/s',
      target: '≥ 50% of raw SHA-256',
      note: `${round((raw / verify) * 100)}% of raw SHA-256; ${round(verify)} ms for the whole log`,
    },
    {
      name: 'audit canonical JSON encoding',
      value: perSecond(median(encodeTimes)),
      unit: 'events/s',
      note: 'event object → leaf input bytes; done once per event before hashing, not part of the ratio',
    },
  ];
}

/** Polls the newest checkpoint until it signs at least `size` leaves. */
async function signedAtLeast(documents: DynamoDBDocumentClient, table: string, size: number): Promise<void> {
  const observer = observeCheckpoints(documents, table);
  const deadline = Date.now() + 900_000;
  let reported = 0;
  try {
    while (observer.latest() < size) {
      if (Date.now() > deadline) throw new Error(`the log was not signed up to ${size} within 15 minutes`);
      if (observer.latest() - reported >= 20_000) {
        reported = observer.latest();
        console.log(`  sealed and signed ${reported} of ${size}…`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await observer.stop();
  }
}

/** `npm run audit -- verify` in a process of its own; wall-clock milliseconds and the size it verified. */
function verifyInChildProcess(
  gateway: string,
  token: string,
  state: string,
): Promise<{ ms: number; size: number }> {
  const started = performance.now();
  const args = ['--import', 'tsx', 'scripts/audit-cli.ts', 'verify', '--url', gateway, '--token', token];
  return new Promise((resolve, reject) => {
    // The same Node as the bench, as `npm run audit` would run it.
    execFile(
      process.execPath,
      [...args, '--state', state],
      { maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`verify failed: ${stdout}${stderr}`));
        const size = Number(/ size (\d+) /.exec(stdout)?.[1]);
        resolve({ ms: performance.now() - started, size });
      },
    );
  });
}

/** The old path: every event listed page by page, one request after the other, then re-hashed. */
async function verifyByPages(gateway: string, token: string): Promise<{ ms: number; size: number }> {
  const started = performance.now();
  const headers = { authorization: `Bearer ${token}`, 'x-himaya-user': 'bench-verifier' };
  const get = (path: string) => fetch(`${gateway}${path}`, { headers });
  const key = await importCheckpointKey(await (await get('/v1/audit/public-key')).text());
  const checkpoint = await verifyCheckpoint(await (await get('/v1/audit/checkpoint')).text(), key);
  const events: ListedEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
    const page = (await (await get(`/v1/audit/events?${query}`)).json()) as {
      items: ListedEvent[];
      nextCursor?: string;
    };
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const check = checkEvents(events, checkpoint, { now: new Date(), graceMs: 3_600_000 });
  if (!check.rootMatches) throw new Error('the paged verification did not match the checkpoint');
  return { ms: performance.now() - started, size: checkpoint.size };
}

async function measureVerificationOverHttp(stack: LocalStack, count: number): Promise<BenchRow[]> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: stack.endpoints.region,
      credentials: stack.endpoints.credentials,
    }),
  );
  const table = stack.endpoints.tables.AuditLog;
  const directory = await mkdtemp(join(tmpdir(), 'himaya-bench-verify-'));
  try {
    const start = await treeSize(documents, table);
    console.log(`  writing ${count} audit events and waiting for them to be sealed…`);
    await writeEvents(documents, table, 1_000_000, count / 1_000_000);
    await signedAtLeast(documents, table, start + count);
    const token = await stack.issuer.issue('compliance');
    const tiles = await verifyInChildProcess(stack.endpoints.gateway, token, join(directory, 'state.json'));
    const pages = await verifyByPages(stack.endpoints.gateway, token);
    const perSecond = ({ ms, size }: { ms: number; size: number }) => round((size / ms) * 1000);
    return [
      {
        name: 'audit verify over HTTP (entry bundles)',
        value: perSecond(tiles),
        unit: 'events/s',
        target: '≥ 20000',
        note: `\`npm run audit -- verify\` against the local gateway, its own process, start-up included: ${tiles.size} events in ${round(tiles.ms)} ms`,
      },
      {
        name: 'audit verify over HTTP (pages of events, before)',
        value: perSecond(pages),
        unit: 'events/s',
        note: `every event listed 500 a page, one request after the other, then re-hashed (in the bench process): ${pages.size} events in ${round(pages.ms)} ms`,
      },
    ];
  } finally {
    documents.destroy();
    await rm(directory, { recursive: true, force: true });
  }
}

interface AuditBenchSettings {
  rate: number;
  seconds: number;
  loadRate: number;
  loadSeconds: number;
  events: number;
  httpEvents: number;
}

/** Seal lag, KMS signatures per 1,000 events, verification speed against raw SHA-256 and over HTTP. */
export async function runAuditBench(stack: LocalStack): Promise<BenchRow[]> {
  const settings: AuditBenchSettings = {
    rate: setting('BENCH_AUDIT_RATE', 100),
    seconds: setting('BENCH_AUDIT_SECONDS', 10),
    loadRate: setting('BENCH_AUDIT_LOAD_RATE', 1000),
    loadSeconds: setting('BENCH_AUDIT_LOAD_SECONDS', 8),
    events: setting('BENCH_AUDIT_EVENTS', 1_000_000),
    httpEvents: setting('BENCH_AUDIT_HTTP_EVENTS', 100_000),
  };
  const sealing = await measureSealing(stack, settings);
  const overHttp = await measureVerificationOverHttp(stack, settings.httpEvents);
  return [...sealing, ...measureVerification(settings.events), ...overHttp];
}

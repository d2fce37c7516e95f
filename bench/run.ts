/**
 * `npm run bench [-- --duration 9 --rounds 3 --warmup 2 --connections 10 --cases 50 --flows a,b
 * --parts flows,timing,audit,stats,bundles --sealer inline|worker]` (or BENCH_DURATION, BENCH_ROUNDS,
 * BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_CASES, BENCH_FLOWS, BENCH_PARTS, BENCH_SEALER; every part, and
 * the sealer in a worker thread, by default): starts
 * the local stack in memory, seeds full cases and measures, side by side in one run, the main case flows
 * against a baseline route that does one plain DynamoDB GetItem on the same stack. Prints a table and
 * writes bench/results.json. `--profile DIR` also writes a CPU profile of each measured slice.
 *
 * How each figure is measured:
 * - requests/s: 2xx responses autocannon received, divided by the time measured.
 * - p50/p99: latency of each 2xx response as autocannon's client saw it (worker thread, hrtime precision).
 * - CPU/request: CPU time of the thread that runs the gateway, the functions and (unless `--sealer worker`
 *   runs it in a thread of its own) the audit sealer loop
 *   (process.threadCpuUsage), divided by the requests the gateway received; DynamoDB Local and the KMS
 *   emulator run as processes of their own, as the services do in AWS, and are not counted.
 * - KMS and DynamoDB calls/request: HTTP calls made while serving gateway requests (bench/calls.ts: Node's
 *   http diagnostics channels, attributed by async context), divided by the requests the gateway
 *   received, counted once the last calls of requests cut off at the end of a slice have finished. The
 *   notes give the calls per operation, the mean time of one call as the SDK's HTTP client saw it, and
 *   the calls the audit sealer made meanwhile (not counted per request). The KMS emulator's own count is
 *   checked against the calls seen.
 * Each flow is warmed up first (cold start, connection pools, JIT), and the warm-up is not counted; then
 * the flows are measured in interleaved rounds, so that other work on the machine weighs on all alike.
 * Then bench/timing.ts: whether the time of a request or a read tells a hit from a miss; bench/stats.ts:
 * whether reading a statistics table stays flat from 10,000 to 100,000 cases.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Request } from 'autocannon';
import { type LocalStack, startLocalStack } from '../local/stack';
import { IdentitySectionSchema } from '../src/domain/cases/schemas';
import { identityInputs } from '../src/domain/matching/subjects';
import { BASELINE_PATH, baselineRoute } from './baseline';
import { runBundleBench } from './bundles';
import {
  addCounts,
  addTallies,
  type CallCounter,
  type Counts,
  callsBetween,
  countCalls,
  countsBetween,
  type Service,
} from './calls';
import { benchCaseBody } from './case-body';
import { type LoadResult, runLoad, stopLoad } from './load';
import { runStatsBench } from './stats';
import { runTimingBench } from './timing';
import type { BenchRow } from './types';

type AuditBench = (stack: LocalStack) => Promise<BenchRow[]>;
// The access-log measurements (seal lag, Sign calls per 1,000 events, verification speed).
const auditBench: AuditBench | undefined = (await import('./audit')).runAuditBench;

const TARGET_RATIO = 2;
const FLOW_NAMES = [
  'baseline',
  'read-case',
  'create-case',
  'create-case-unindexed',
  'create-case-idempotent',
  'match',
] as const;
type FlowName = (typeof FLOW_NAMES)[number];
/** The parts of a run, in the order they run: the flows, then what is measured after them. */
const PART_NAMES = ['flows', 'timing', 'audit', 'stats', 'bundles'] as const;
type PartName = (typeof PART_NAMES)[number];

interface Settings {
  duration: number;
  warmup: number;
  connections: number;
  /** Measured rounds; each flow runs `duration / rounds` seconds per round. */
  rounds: number;
  cases: number;
  /** The flows to run, in this order. */
  flows: FlowName[];
  /** A directory to write a CPU profile of each measured slice into. */
  profile: string | undefined;
  /** The parts to run. */
  parts: PartName[];
  /**
   * Where the audit sealer loop runs: `worker`, a thread of its own (as `npm start` runs it, and as in
   * AWS, a function of its own), or `inline`, on the thread of the gateway and the functions.
   */
  sealer: 'inline' | 'worker';
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: process.env.BENCH_DURATION ?? '9' },
      rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '3' },
      warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '2' },
      connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '10' },
      cases: { type: 'string', default: process.env.BENCH_CASES ?? '50' },
      flows: { type: 'string', default: process.env.BENCH_FLOWS ?? '' },
      parts: { type: 'string', default: process.env.BENCH_PARTS ?? '' },
      sealer: { type: 'string', default: process.env.BENCH_SEALER ?? 'worker' },
      profile: { type: 'string' },
    },
  });
  const positive = (name: keyof Settings, integer: boolean) => {
    const value = Number(values[name]);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new Error(
        `--${name} must be a positive ${integer ? 'integer' : 'number'}, not "${values[name]}"`,
      );
    }
    return value;
  };
  const flows = namesOf('flows', String(values.flows), FLOW_NAMES);
  const parts = namesOf('parts', String(values.parts), PART_NAMES);
  return {
    duration: positive('duration', false),
    warmup: positive('warmup', false),
    connections: positive('connections', true),
    rounds: positive('rounds', true),
    cases: positive('cases', true),
    flows: flows.length > 0 ? flows : [...FLOW_NAMES],
    profile: values.profile,
    parts: parts.length > 0 ? parts : [...PART_NAMES],
    sealer: sealerPlace(String(values.sealer)),
  };
}

function sealerPlace(value: string): Settings['sealer'] {
  if (value !== 'inline' && value !== 'worker')
    throw new Error(`--sealer must be inline or worker, not "${value}"`);
  return value;
}

/** `a,b` → the known names it lists; an unknown one is an error. */
function namesOf<T extends string>(option: string, list: string, known: readonly T[]): T[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(known as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown ${option}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return names as T[];
}

interface Flow {
  name: FlowName;
  /** The status every response must have. */
  status: number;
  requests: Request[];
  idempotencyKey?: boolean;
  /** Why the flow makes the GenerateMac calls it makes. */
  macNote?: string;
}

interface FlowResult {
  flow: Flow;
  load: LoadResult;
  /** CPU time of this thread (gateway, functions, sealer loop), ms. */
  cpuMs: number;
  /** Requests the gateway received. */
  requests: number;
  /** What the KMS emulator counted, the background work's calls included. */
  emulatorKms: Record<string, number>;
  /** Calls for the requests, their summed time, failed attempts and background calls (see calls.ts). */
  calls: Counts;
  callMs: Counts;
  failed: Counts;
  background: Counts;
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const round = (value: number, digits: number) => Number(value.toFixed(digits));
/** `Query 1.00 (2.1 ms)`: calls per request and, when known, the mean time of one call. */
const perRequest = (counts: Record<string, number>, requests: number, callMs: Record<string, number> = {}) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => {
      const ms = callMs[operation];
      return `${operation} ${(count / requests).toFixed(2)}${ms === undefined ? '' : ` (${(ms / count).toFixed(1)} ms)`}`;
    })
    .join(', ') || 'none';
/** `GetRecords 40, Sign 2`: absolute counts. */
const tally = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');

async function seedCases(
  stack: LocalStack,
  headers: Record<string, string>,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  const body = JSON.stringify(benchCaseBody());
  const createOne = async () => {
    const response = await fetch(`${stack.endpoints.gateway}/v1/cases`, { method: 'POST', headers, body });
    const created = (await response.json()) as { caseId?: string };
    if (response.status !== 201 || !created.caseId) {
      throw new Error(`seeding a case failed: ${response.status} ${JSON.stringify(created)}`);
    }
    ids.push(created.caseId);
  };
  for (let done = 0; done < count; done += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - done) }, createOne));
  }
  return ids;
}

const specOf = (stack: LocalStack, settings: Settings, flow: Flow) => ({
  url: stack.endpoints.gateway,
  connections: settings.connections,
  requests: flow.requests,
  idempotencyKey: flow.idempotencyKey ?? false,
});

/** A CPU profile of this thread (where the gateway and the functions run). */
async function startProfile(): Promise<{ stop(): Promise<string> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return JSON.stringify(profile);
    },
  };
}

/** One measured slice of a flow: its load, and the calls its requests made (counted once they settled). */
async function measureSlice(
  stack: LocalStack,
  counter: CallCounter,
  settings: Settings,
  flow: Flow,
  duration: number,
  roundNumber: number,
): Promise<FlowResult> {
  await counter.settle();
  const before = counter.snapshot();
  const kmsBefore = await stack.kmsStats();
  const profiling = settings.profile ? await startProfile() : undefined;
  const cpuBefore = process.threadCpuUsage();
  const load = await runLoad({ ...specOf(stack, settings, flow), duration });
  await counter.settle();
  const cpu = process.threadCpuUsage(cpuBefore);
  if (profiling && settings.profile) {
    await mkdir(settings.profile, { recursive: true });
    await writeFile(join(settings.profile, `${flow.name}-${roundNumber}.cpuprofile`), await profiling.stop());
  }
  const after = counter.snapshot();
  return {
    flow,
    load,
    cpuMs: (cpu.user + cpu.system) / 1000,
    requests: after.requests - before.requests,
    emulatorKms: callsBetween(kmsBefore, await stack.kmsStats()),
    calls: countsBetween(before.calls, after.calls),
    callMs: countsBetween(before.callMs, after.callMs),
    failed: countsBetween(before.failed, after.failed),
    background: countsBetween(before.background, after.background),
  };
}

function merge(a: FlowResult, b: FlowResult): FlowResult {
  return {
    flow: a.flow,
    load: {
      duration: a.load.duration + b.load.duration,
      latencies: [...a.load.latencies, ...b.load.latencies],
      statuses: addTallies(a.load.statuses, b.load.statuses),
      errors: a.load.errors + b.load.errors,
    },
    cpuMs: a.cpuMs + b.cpuMs,
    requests: a.requests + b.requests,
    emulatorKms: addTallies(a.emulatorKms, b.emulatorKms),
    calls: addCounts(a.calls, b.calls),
    callMs: addCounts(a.callMs, b.callMs),
    failed: addCounts(a.failed, b.failed),
    background: addCounts(a.background, b.background),
  };
}

/**
 * Warms every flow up, then measures them in interleaved rounds (each flow `duration / rounds` seconds per
 * round), so that a change in the machine's load during the run weighs on every flow alike.
 */
async function measureAll(
  stack: LocalStack,
  counter: CallCounter,
  settings: Settings,
  flows: Flow[],
): Promise<FlowResult[]> {
  for (const flow of flows) {
    console.log(`warm-up: ${flow.name} (${settings.warmup} s)`);
    await runLoad({ ...specOf(stack, settings, flow), duration: settings.warmup });
  }
  const slice = settings.duration / settings.rounds;
  const results = new Map<Flow, FlowResult>();
  for (let round = 1; round <= settings.rounds; round += 1) {
    console.log(
      `round ${round}/${settings.rounds}: ${flows.map((flow) => flow.name).join(', ')} (${slice} s each)`,
    );
    for (const flow of flows) {
      const measured = await measureSlice(stack, counter, settings, flow, slice, round);
      const sofar = results.get(flow);
      results.set(flow, sofar ? merge(sofar, measured) : measured);
    }
  }
  return flows.map((flow) => results.get(flow) as FlowResult);
}

/** Responses with another status than the flow's, per status. */
function unexpectedStatuses(result: FlowResult): [string, number][] {
  return Object.entries(result.load.statuses).filter(([status]) => Number(status) !== result.flow.status);
}

/** The sealer's own KMS operations: not seen from this thread when it runs in a worker. */
const SEALER_KMS = new Set(['Sign', 'GetPublicKey']);

/** The calls of a flow to one service per request, then what failed on the way and the background calls. */
function callsNote(result: FlowResult, service: Service): string {
  const notes = [perRequest(result.calls[service], result.requests, result.callMs[service])];
  // Attempts that failed on the way (a reused keep-alive connection the server had just closed) never
  // reached the service: not counted as calls, only noted. The SDK retried them.
  const failed = sum(result.failed[service]);
  if (failed > 0) notes.push(`${failed} attempts failed before reaching it and were retried`);
  if (sum(result.background[service]) > 0) {
    notes.push(`audit sealer meanwhile: ${tally(result.background[service])}`);
  }
  return notes.join('; ');
}

/**
 * The emulator's own count must match what was seen leaving the functions and the sealer (in a worker,
 * the sealer's calls are not seen from here: then its operations are left out of the comparison).
 */
function kmsCheck(result: FlowResult, sealer: Settings['sealer']): string {
  const kmsSeen = addCounts(result.calls, result.background).kms;
  const counted = (counts: Record<string, number>) =>
    sum(
      sealer === 'worker'
        ? Object.fromEntries(Object.entries(counts).filter(([op]) => !SEALER_KMS.has(op)))
        : counts,
    );
  return counted(kmsSeen) === counted(result.emulatorKms)
    ? ''
    : `; MISMATCH: the KMS emulator counted ${tally(result.emulatorKms)}`;
}

function rowsOf(result: FlowResult, sealer: Settings['sealer'] = 'worker'): BenchRow[] {
  const { flow, load, requests } = result;
  const sorted = [...load.latencies].sort((a, b) => a - b);
  const unexpected = unexpectedStatuses(result);
  const problems = [
    ...unexpected.map(([status, count]) => `${count}× status ${status}`),
    ...(load.errors > 0 ? [`${load.errors} connection errors`] : []),
  ];
  const macs = result.calls.kms.GenerateMac ?? 0;
  return [
    {
      name: `${flow.name} requests/s`,
      value: round(load.latencies.length / load.duration, 1),
      unit: 'req/s',
      note: `${load.latencies.length} × ${flow.status} in ${round(load.duration, 2)} s${problems.length ? `; ${problems.join(', ')}` : ''}`,
    },
    { name: `${flow.name} latency p50`, value: round(percentile(sorted, 50), 2), unit: 'ms' },
    { name: `${flow.name} latency p99`, value: round(percentile(sorted, 99), 2), unit: 'ms' },
    {
      name: `${flow.name} CPU/request`,
      value: round(result.cpuMs / requests, 2),
      unit: 'ms',
      note:
        sealer === 'worker'
          ? 'main thread: gateway and functions (not the audit sealer in its worker, not DynamoDB Local, not the KMS emulator)'
          : 'main thread: gateway, functions and audit sealer loop (not DynamoDB Local, not the KMS emulator)',
    },
    {
      name: `${flow.name} KMS calls/request`,
      value: round(sum(result.calls.kms) / requests, 2),
      unit: 'calls',
      note: `${callsNote(result, 'kms')}${kmsCheck(result, sealer)}`,
    },
    // Apart: GenerateMac makes blind-index tokens (one per distinct index input, by design), every other
    // KMS call is key management for encryption (none in steady state).
    {
      name: `${flow.name} KMS calls/request for encryption`,
      value: round((sum(result.calls.kms) - macs) / requests, 2),
      unit: 'calls',
    },
    {
      name: `${flow.name} KMS GenerateMac/request`,
      value: round(macs / requests, 2),
      unit: 'calls',
      ...(flow.macNote ? { note: flow.macNote } : {}),
    },
    {
      name: `${flow.name} DynamoDB calls/request`,
      value: round(sum(result.calls.dynamodb) / requests, 2),
      unit: 'calls',
      note: callsNote(result, 'dynamodb'),
    },
  ];
}

/** The target: read-case p50 within 2× the baseline's (when both flows ran); marks the read-case p50 row. */
function targetRow(rows: BenchRow[]): BenchRow | undefined {
  const p50Row = (flow: string) => rows.find((row) => row.name === `${flow} latency p50`);
  const baseline = p50Row('baseline');
  const read = p50Row('read-case');
  if (!baseline || !read) return undefined;
  const ratio = read.value / baseline.value;
  read.target = `≤ ${round(TARGET_RATIO * baseline.value, 2)} ms (${TARGET_RATIO}× baseline p50)`;
  return {
    name: 'read-case p50 / baseline p50',
    value: round(ratio, 2),
    unit: '×',
    target: `≤ ${TARGET_RATIO}`,
    note: `${ratio <= TARGET_RATIO ? 'holds' : 'does NOT hold'} (read-case ${read.value} ms, baseline ${baseline.value} ms)`,
  };
}

function table(headers: string[], lines: string[][], rightAligned: Set<number>): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...lines.map((line) => (line[i] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

function summaryTable(results: FlowResult[], sealer: Settings['sealer']): string {
  return table(
    [
      'flow',
      'req/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/req',
      'KMS/req',
      'of it GenerateMac',
      'DynamoDB/req',
      'requests',
      'not ok',
    ],
    results.map((result) => {
      const row = (suffix: string) =>
        String(
          rowsOf(result, sealer).find((candidate) => candidate.name === `${result.flow.name} ${suffix}`)
            ?.value,
        );
      const notOk =
        unexpectedStatuses(result).reduce((total, [, count]) => total + count, 0) + result.load.errors;
      return [
        result.flow.name,
        row('requests/s'),
        row('latency p50'),
        row('latency p99'),
        row('CPU/request'),
        row('KMS calls/request'),
        row('KMS GenerateMac/request'),
        row('DynamoDB calls/request'),
        String(result.requests),
        String(notOk),
      ];
    }),
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
  );
}

function rowsTable(rows: BenchRow[]): string {
  return table(
    ['name', 'value', 'unit', 'target', 'note'],
    rows.map((row) => [row.name, String(row.value), row.unit, row.target ?? '', row.note ?? '']),
    new Set([1]),
  );
}

/** The stack and counter of a run, once started: what cleaning up stops. */
interface BenchRun {
  stack: LocalStack | undefined;
  counter: CallCounter | undefined;
}

/** Stops the load, the counter and the stack and removes the data directory; once, however often called. */
function cleanupOnce(dataDir: string, run: BenchRun): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  return () => {
    cleaning ??= (async () => {
      await stopLoad();
      run.counter?.close();
      await run.stack?.stop();
      await rm(dataDir, { recursive: true, force: true });
    })();
    return cleaning;
  };
}

/** The police looking for the one child of the match flow's case, her name written as the station did. */
const MATCH_LOOKUP = { name: { ar: 'حِصة علي آل ظاهري' }, dateOfBirth: '2012-05-06' };
const MATCH_CHILD = {
  name: { ar: 'حصة علي الظاهري', en: 'Hessa Ali Al Dhaheri' },
  dateOfBirth: '2012-05-06',
};

/** The blind-index inputs of the benchmark's case: one GenerateMac each when it is created. */
const CREATE_INDEX_INPUTS = identityInputs(IdentitySectionSchema.parse(benchCaseBody().sections.identity));
const CREATE_MAC_NOTE =
  `blind indexes: one per distinct index input of the identity section, ${CREATE_INDEX_INPUTS.length} here ` +
  `(${CREATE_INDEX_INPUTS.map(({ index }) => index).join(', ')}: two children, one with an Emirates ID)`;

function flowsOf(
  headers: Record<string, string>,
  caseIds: readonly string[],
  lookupHeaders: Record<string, string>,
): Flow[] {
  const { identity: _indexed, ...unindexedSections } = benchCaseBody().sections;
  const unindexedBody = JSON.stringify({ ...benchCaseBody(), sections: unindexedSections });
  const createRequest: Request = {
    method: 'POST',
    path: '/v1/cases',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(benchCaseBody()),
  };
  return [
    {
      name: 'baseline',
      status: 200,
      requests: caseIds.map((id) => ({
        method: 'GET',
        path: BASELINE_PATH.replace('{caseId}', id),
        headers,
      })),
    },
    {
      name: 'read-case',
      status: 200,
      requests: caseIds.map((id) => ({
        method: 'GET',
        path: `/v1/cases/${id}`,
        headers: { ...headers, 'X-Himaya-Purpose': 'child-protection' },
      })),
    },
    { name: 'create-case', status: 201, requests: [createRequest], macNote: CREATE_MAC_NOTE },
    // The same case without its identity section: nothing to index, so no KMS call at all.
    { name: 'create-case-unindexed', status: 201, requests: [{ ...createRequest, body: unindexedBody }] },
    {
      name: 'create-case-idempotent',
      status: 201,
      requests: [createRequest],
      idempotencyKey: true,
      macNote: CREATE_MAC_NOTE,
    },
    {
      // One case found (by name + date and name + year: two GenerateMac), its event and match.found written.
      name: 'match',
      status: 200,
      requests: [
        {
          method: 'POST',
          path: '/v1/matches',
          headers: { ...lookupHeaders, 'Content-Type': 'application/json' },
          body: JSON.stringify(MATCH_LOOKUP),
        },
      ],
    },
  ];
}

/** The case the match flow finds: the only one about its child. */
async function seedMatchCase(stack: LocalStack, headers: Record<string, string>): Promise<void> {
  const body = benchCaseBody();
  const created = await fetch(`${stack.endpoints.gateway}/v1/cases`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...body, sections: { ...body.sections, identity: { children: [MATCH_CHILD] } } }),
  });
  if (created.status !== 201) throw new Error(`seeding the match case: ${created.status}`);
}

/** Seeds the cases the read flows read, and the chosen flows over them. */
async function prepareFlows(
  stack: LocalStack,
  settings: Settings,
): Promise<{ flows: Flow[]; caseIds: string[] }> {
  const headers = {
    Authorization: `Bearer ${await stack.issuer.issue('cfpc')}`,
    'X-Himaya-User': 'bench-caseworker',
  };
  console.log(`seeding ${settings.cases} full cases…`);
  const caseIds = await seedCases(stack, { ...headers, 'Content-Type': 'application/json' }, settings.cases);
  await seedMatchCase(stack, { ...headers, 'Content-Type': 'application/json' });
  const lookupHeaders = {
    Authorization: `Bearer ${await stack.issuer.issue('police')}`,
    'X-Himaya-User': 'bench-officer',
    'X-Himaya-Purpose': 'criminal-investigation',
  };
  const flows = flowsOf(headers, caseIds, lookupHeaders).filter((flow) => settings.flows.includes(flow.name));
  return { flows, caseIds };
}

/** Every flow's rows, the target row when both its flows ran, the timing rows, then the access-log rows. */
async function collectRows(
  stack: LocalStack,
  settings: Settings,
  results: FlowResult[],
  caseIds: readonly string[],
): Promise<{ rows: BenchRow[]; target: BenchRow | undefined }> {
  const rows = results.flatMap((result) => rowsOf(result, settings.sealer));
  const target = targetRow(rows);
  if (target) rows.push(target);
  const runs = (part: PartName) => settings.parts.includes(part);
  if (runs('timing')) {
    console.log('timing of hits and misses…');
    rows.push(...(await runTimingBench(stack, caseIds)));
  }
  if (runs('audit') && auditBench) {
    console.log('audit benchmark…');
    rows.push(...(await auditBench(stack)));
  }
  if (runs('stats')) {
    console.log('statistics over 10,000 and 100,000 cases…');
    rows.push(...(await runStatsBench(stack)));
  }
  if (runs('bundles')) {
    console.log('bundle sizes and cold init…');
    rows.push(...(await runBundleBench(stack)));
  }
  return { rows, target };
}

interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average before and after: other work on the machine skews the figures. */
  loadAverage: { before: number; after: number };
}

function describeMachine(loadBefore: number): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0] ?? 0, 2) },
  };
}

interface Report {
  machine: Machine;
  settings: Settings;
  caseCount: number;
  results: FlowResult[];
  rows: BenchRow[];
  target: BenchRow | undefined;
}

function printReport({ machine, settings, caseCount, results, rows, target }: Report): void {
  console.log(
    `\n${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; ${settings.connections} connections, ` +
      `${settings.duration} s per flow in ${settings.rounds} rounds after ${settings.warmup} s warm-up; ` +
      `${caseCount} seeded cases; load average ${machine.loadAverage.before} → ${machine.loadAverage.after}\n`,
  );
  console.log(summaryTable(results, settings.sealer));
  if (target) console.log(`\nTarget: read-case p50 within ${TARGET_RATIO}× the baseline's: ${target.note}`);
  console.log(`\n${rowsTable(rows)}`);
}

async function writeResults({ machine, settings, rows }: Report): Promise<void> {
  const file = new URL('./results.json', import.meta.url);
  await writeFile(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings, rows }, null, 2)}\n`,
  );
  console.log(`\nwritten to bench/results.json`);
}

async function main(): Promise<void> {
  const settings = readSettings();
  const loadBefore = loadavg()[0] ?? 0;
  const dataDir = await mkdtemp(join(tmpdir(), 'himaya-bench-'));
  const run: BenchRun = { stack: undefined, counter: undefined };
  const cleanup = cleanupOnce(dataDir, run);
  process.once('SIGINT', () => {
    console.error('\nSIGINT: stopping…');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    // The match flow measures lookups, not the per-agency limit (30 a minute by default).
    process.env.MATCH_LOOKUPS_PER_MINUTE ??= '1000000000';
    console.log('starting the local stack (in memory)…');
    const stack = await startLocalStack({
      dataDir,
      inMemory: true,
      port: 0,
      extraRoutes: [baselineRoute()],
      sealerThread: settings.sealer === 'worker',
    });
    run.stack = stack;
    const counter = countCalls(stack.endpoints);
    run.counter = counter;
    const { flows, caseIds } = await prepareFlows(stack, settings);
    const results = settings.parts.includes('flows') ? await measureAll(stack, counter, settings, flows) : [];
    const { rows, target } = await collectRows(stack, settings, results, caseIds);
    const report: Report = {
      machine: describeMachine(loadBefore),
      settings,
      caseCount: caseIds.length,
      results,
      rows,
      target,
    };
    printReport(report);
    await writeResults(report);
    if (results.some((result) => result.load.errors > 0 || unexpectedStatuses(result).length > 0)) {
      console.error('some requests failed: the figures above are not trustworthy');
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

await main();

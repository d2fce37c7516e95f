/**
 * `GET /v1/stats` over 10,000 and 100,000 cases' worth of counters: the read must not grow with the number
 * of cases, only with the months, agencies and dimension values of the table asked for.
 *
 * The counters are made as the aggregator makes them, from generated events (case created, the owner's
 * first action, a request made and decided for one case in three) through `contributions`, then summed per
 * counter and written through the Stats table adapter (`apply`, about 90 counters a transaction), not one
 * event at a time: 100,000 cases would take the aggregator minutes on the local stack, and the point here is
 * the read. 10,000 cases fall in 2024, 100,000 in 2025; each table is read over its year, as compliance (all
 * agencies, the protection of each agency's view included). Run alone with `npx tsx bench/stats.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../local/stack';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbStatsStore } from '../src/adapters/dynamodb/stats-store';
import { CATEGORIES, EMIRATES, STATUSES, URGENCIES } from '../src/domain/cases/schemas';
import { contributions, netted, type StatsEvent } from '../src/domain/stats/contributions';
import type { Counter, TableId } from '../src/domain/stats/tables';
import type { BenchRow } from './types';

const SIZES = [
  { cases: 10_000, year: 2024 },
  { cases: 100_000, year: 2025 },
] as const;
const TABLES: TableId[] = ['reports-by-emirate', 'rapid-response', 'exchange-requests'];
const READS = Number(process.env.BENCH_STATS_READS ?? 60);
const WARMUP_READS = 10;
const AGENCIES = ['cfpc', 'police'] as const;

/** A small seeded PRNG (mulberry32): the same cases every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return <T>(values: readonly T[]): T => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return values[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * values.length)] as T;
  };
}

const MINUTES = [0.5, 3, 20, 45, 90, 300, 900, 2000, 5000];

/** The statistics events of one generated case. */
function eventsOfCase(n: number, year: number, pick: ReturnType<typeof seeded>): StatsEvent[] {
  const createdAt = new Date(Date.UTC(year, n % 12, 1 + (n % 28), n % 24)).toISOString();
  const urgency = pick(URGENCIES);
  const agency = pick(AGENCIES);
  const caseId = `bench-${year}-${n}`;
  const later = (minutes: number) => new Date(Date.parse(createdAt) + minutes * 60_000).toISOString();
  const facts = { caseId, ownerAgency: agency, urgency, createdAt, version: 1 };
  const events: StatsEvent[] = [
    {
      type: 'case.created',
      case: { ...facts, category: pick(CATEGORIES), status: pick(STATUSES), emirate: pick(EMIRATES) },
    },
    {
      type: 'report.first-action',
      caseId,
      agency,
      urgency,
      createdAt,
      dueAt: later(1440),
      actedAt: later(pick(MINUTES)),
      escalated: false,
    },
  ];
  if (n % 3 === 0) {
    const request = { requestId: `${caseId}-r`, toAgency: agency, urgency, createdAt };
    events.push({ type: 'request.created', ...request });
    events.push({
      type: 'request.decided',
      ...request,
      decidedAt: later(pick(MINUTES)),
      decision: pick(['approve', 'deny'] as const),
    });
  }
  return events;
}

/** Every counter of `cases` generated cases, summed: what the aggregator would have left. */
export function countersOf(cases: number, year: number): Counter[] {
  const pick = seeded(year);
  const deltas: Counter[] = [];
  for (let n = 0; n < cases; n += 1) {
    for (const event of eventsOfCase(n, year, pick)) deltas.push(...contributions(event));
  }
  return netted(deltas);
}

async function seed(stack: LocalStack, cases: number, year: number): Promise<number> {
  const env = { AWS_REGION: stack.endpoints.region, DYNAMODB_ENDPOINT: stack.endpoints.dynamodb };
  const store = dynamoDbStatsStore(documentClient(dynamoDbClient(env)), stack.endpoints.tables.Stats);
  const counters = countersOf(cases, year);
  for (let start = 0; start < counters.length; start += 90) {
    await store.apply(`bench:${year}:${start}`, counters.slice(start, start + 90));
  }
  return counters.length;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function readLatencies(stack: LocalStack, token: string, path: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let n = 0; n < WARMUP_READS + READS; n += 1) {
    const started = performance.now();
    const response = await fetch(`${stack.endpoints.gateway}${path}`, {
      headers: { authorization: `Bearer ${token}`, 'x-himaya-user': 'researcher-1' },
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    if (n >= WARMUP_READS) latencies.push(performance.now() - started);
  }
  return latencies;
}

/** Seeds both sizes, then reads each table of each size in turn: p50 per table and size. */
export async function runStatsBench(stack: LocalStack): Promise<BenchRow[]> {
  const seeded = [];
  for (const size of SIZES) seeded.push({ ...size, counters: await seed(stack, size.cases, size.year) });
  const token = await stack.issuer.issue('compliance');
  const rows: BenchRow[] = [];
  for (const table of TABLES) {
    const p50s = [];
    for (const size of seeded) {
      const path = `/v1/stats?table=${table}&from=${size.year}-01&to=${size.year}-12`;
      const p50 = median(await readLatencies(stack, token, path));
      p50s.push(p50);
      rows.push({
        name: `stats ${table}, ${size.cases.toLocaleString('en')} cases`,
        value: Number(p50.toFixed(1)),
        unit: 'ms p50',
        note: `${size.counters} counters in all tables of that year; ${READS} reads, one at a time`,
      });
    }
    const [small, large] = p50s as [number, number];
    rows.push({
      name: `stats ${table}: 100,000 / 10,000 cases`,
      value: Number((large / small).toFixed(2)),
      unit: '×',
      target: '≈ 1 (flat)',
    });
  }
  return rows;
}

const runAlone = process.argv[1]?.endsWith('bench/stats.ts') === true;
if (runAlone) {
  const { startLocalStack } = await import('../local/stack');
  const dataDir = await mkdtemp(join(tmpdir(), 'himaya-bench-stats-'));
  const stack = await startLocalStack({ dataDir, inMemory: true, port: 0, sealer: false });
  try {
    for (const row of await runStatsBench(stack)) {
      console.log(`${row.name.padEnd(52)} ${String(row.value).padStart(8)} ${row.unit}  ${row.note ?? ''}`);
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

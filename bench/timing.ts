/**
 * Does an answer's timing tell whether a case exists? Two pairs of calls that must look alike to a caller
 * who may not see the case, each measured over interleaved pairs, one call at a time, from the client:
 * - `POST /v1/requests` naming the agency that holds the case (a hit) against one naming a case that does
 *   not exist (a miss), both answered 201;
 * - `GET /v1/cases/{caseId}` by an agency without a grant on an existing case against one on no case,
 *   both answered 404.
 * The figure is the common-language effect size: the probability that a hit is slower than a miss, over
 * every (hit, miss) pair of the two samples (ties count half). 0.5 means the time says nothing.
 */
import { randomUUID } from 'node:crypto';
import type { LocalStack } from '../local/stack';
import type { BenchRow } from './types';

const PAIRS = Number(process.env.BENCH_TIMING_PAIRS ?? 300);
const WARMUP_PAIRS = 30;

interface Call {
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  status: number;
}

async function timed(base: string, call: Call): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}${call.path}`, {
    method: call.method,
    headers: call.headers,
    ...(call.body ? { body: call.body } : {}),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== call.status) {
    throw new Error(`${call.method} ${call.path} answered ${response.status}, not ${call.status}`);
  }
  return elapsed;
}

/** P(hit > miss) over every pair of the two samples, ties counting half. */
export function probabilityHitSlower(hits: readonly number[], misses: readonly number[]): number {
  let score = 0;
  for (const hit of hits) {
    for (const miss of misses) score += hit > miss ? 1 : hit === miss ? 0.5 : 0;
  }
  return score / (hits.length * misses.length);
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Interleaved pairs, the order inside each pair alternating; the warm-up pairs are not kept. */
async function measurePairs(base: string, pairOf: (n: number) => [Call, Call]) {
  const hits: number[] = [];
  const misses: number[] = [];
  for (let n = 0; n < WARMUP_PAIRS + PAIRS; n += 1) {
    const [hit, miss] = pairOf(n);
    const hitFirst = n % 2 === 0;
    const first = await timed(base, hitFirst ? hit : miss);
    const second = await timed(base, hitFirst ? miss : hit);
    if (n < WARMUP_PAIRS) continue;
    hits.push(hitFirst ? first : second);
    misses.push(hitFirst ? second : first);
  }
  return { hits, misses };
}

function rowOf(name: string, what: string, sample: { hits: number[]; misses: number[] }): BenchRow {
  const p = probabilityHitSlower(sample.hits, sample.misses);
  return {
    name,
    value: round(p, 3),
    unit: 'P(hit slower)',
    target: '0.45–0.55',
    note: `${sample.hits.length} interleaved pairs; ${what}; p50 hit ${round(median(sample.hits), 1)} ms, miss ${round(median(sample.misses), 1)} ms`,
  };
}

/** Cases owned by the Centre that the police may not see, one per pair (a request takes a place per case). */
async function seedHidden(base: string, centre: Record<string, string>, count: number): Promise<string[]> {
  const body = JSON.stringify({
    category: 'neglect',
    urgency: 'low',
    region: { emirate: 'sharjah' },
    sections: {
      report: { receivedAt: '2026-11-20T08:15:00Z', channel: 'school', narrative: 'Bench report' },
    },
  });
  const ids: string[] = [];
  for (let done = 0; done < count; done += 10) {
    const batch = Array.from({ length: Math.min(10, count - done) }, async () => {
      const response = await fetch(`${base}/v1/cases`, { method: 'POST', headers: centre, body });
      const created = (await response.json()) as { caseId?: string };
      if (response.status !== 201 || !created.caseId) throw new Error(`seeding failed: ${response.status}`);
      ids.push(created.caseId);
    });
    await Promise.all(batch);
  }
  return ids;
}

/** `readCaseIds`: full cases of the Centre, read by the police without a grant. */
export async function runTimingBench(stack: LocalStack, readCaseIds: readonly string[]): Promise<BenchRow[]> {
  const base = stack.endpoints.gateway;
  const json = { 'Content-Type': 'application/json' };
  const centre = {
    Authorization: `Bearer ${await stack.issuer.issue('cfpc')}`,
    'X-Himaya-User': 'bench-cw',
    ...json,
  };
  const police = {
    Authorization: `Bearer ${await stack.issuer.issue('police')}`,
    'X-Himaya-User': 'bench-officer',
  };
  const hidden = await seedHidden(base, centre, WARMUP_PAIRS + PAIRS);

  const ask = (caseId: string): Call => ({
    method: 'POST',
    path: '/v1/requests',
    headers: { ...police, ...json },
    status: 201,
    body: JSON.stringify({
      caseId,
      agency: 'cfpc',
      sections: ['report'],
      purpose: 'criminal-investigation',
      legalBasis: 'Federal Law No. 3 of 2016, art. 44',
      urgency: 'medium',
      justification: 'Benchmark of the request path',
    }),
  });
  const requests = await measurePairs(base, (n) => [ask(hidden[n] as string), ask(randomUUID())]);

  const read = (caseId: string): Call => ({
    method: 'GET',
    path: `/v1/cases/${caseId}`,
    headers: { ...police, 'X-Himaya-Purpose': 'criminal-investigation' },
    status: 404,
  });
  const reads = await measurePairs(base, (n) => [
    read(readCaseIds[n % readCaseIds.length] as string),
    read(randomUUID()),
  ]);

  return [
    rowOf('request: case held vs no case', 'POST /v1/requests, both 201', requests),
    rowOf('read: no grant vs no case', 'GET /v1/cases/{id} by the police, both 404', reads),
  ];
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, type LocalStack, startLocalStack } from '../../local/stack';
import { openStreamReader } from '../../local/stream-reader';
import { documentClient } from '../../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../../src/adapters/dynamodb/audit-store';
import { dynamoDbExchangeStore } from '../../src/adapters/dynamodb/exchange-store';
import { dynamoDbStatsStore } from '../../src/adapters/dynamodb/stats-store';
import { type StatsStreamRecord, statsEventsFromStream } from '../../src/adapters/dynamodb/stats-stream';
import { CATEGORIES } from '../../src/domain/cases/schemas';
import { sweepDeadlines } from '../../src/domain/exchange/deadlines';
import { DEFAULT_POLICY } from '../../src/domain/exchange/policy';
import type { Cell, Panel, StatsTable } from '../../src/domain/stats/build-table';
import { bucketOf, bucketValue } from '../../src/domain/stats/histogram';
import { monthOf, quarterOf } from '../../src/domain/stats/periods';
import type { StatsCounterStore } from '../../src/domain/stats/ports';
import { aggregateStats } from '../../src/domain/stats/stats-service';
import type { TableId } from '../../src/domain/stats/tables';
import { minimalCaseBody } from '../support/cases';
import { fetchChecked } from '../support/contract';
import { localDynamoDb } from '../support/local-dynamodb';

/**
 * Statistics end to end, on a stack of this file's own (its counters count only what this file does): cases,
 * requests and emergency accesses made through the API, counted by the aggregator off the Cases stream,
 * published by `GET /v1/stats` with disclosure control. Every expected figure below is counted by hand from
 * the fixture.
 *
 * The fixture: the Centre records 12 neglect reports (high, Dubai) and 11 abuse reports (low, Sharjah), and
 * moves one abuse report to `under-assessment`; the police record 3 neglect reports (high, Dubai). The police
 * ask the Centre about each of the 12 neglect reports (high): the Centre approves 11, the police withdraw the
 * 12th, on which the Centre then adds a note (its first action there). The police break glass on two abuse
 * reports; compliance finds the first justified. A day later the deadline sweep escalates the police's three
 * reports, on which they never acted (high: 24 h).
 */
type Client = 'cfpc' | 'police' | 'compliance';

let local: LocalStack;
let dataDir: string;
let tokens: Record<Client, string>;
let store: StatsCounterStore;
let month: string;
/** The fixture's duration in minutes: every first action and decision it times took no longer. */
let fixtureMinutes: number;

async function send(
  client: Client,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; user?: string } = {},
) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${tokens[client]}`,
    'x-himaya-user': options.user ?? 'researcher-1',
    ...options.headers,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetchChecked(`${local.endpoints.gateway}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? safeJson(text) : undefined,
  };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function createReport(client: 'cfpc' | 'police', overrides: Record<string, unknown>) {
  const created = await send(client, 'POST', '/v1/cases', { body: minimalCaseBody(overrides) });
  expect(created.status, created.text).toBe(201);
  return created.json as { caseId: string; createdAt: string };
}

async function requestAbout(caseId: string) {
  const asked = await send('police', 'POST', '/v1/requests', {
    body: {
      caseId,
      agency: 'cfpc',
      sections: ['report'],
      purpose: 'criminal-investigation',
      legalBasis: 'Federal Law No. 3 of 2016, art. 44',
      urgency: 'high',
      justification: 'Joint investigation of the same address',
    },
  });
  expect(asked.status, asked.text).toBe(201);
  return asked.json?.requestId as string;
}

async function inGroups<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>) {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(run))));
  }
  return results;
}

async function buildFixture() {
  const neglect = await inGroups([...Array(12).keys()], 4, () =>
    createReport('cfpc', { category: 'neglect', urgency: 'high', region: { emirate: 'dubai' } }),
  );
  const abuse = await inGroups([...Array(11).keys()], 4, () =>
    createReport('cfpc', { category: 'abuse', urgency: 'low', region: { emirate: 'sharjah' } }),
  );
  await inGroups([...Array(3).keys()], 3, () =>
    createReport('police', { category: 'neglect', urgency: 'high', region: { emirate: 'dubai' } }),
  );
  month = monthOf((neglect[0] as { createdAt: string }).createdAt);
  const moved = await send('cfpc', 'PATCH', `/v1/cases/${abuse[0]?.caseId}`, {
    headers: { 'if-match': '"1"' },
    body: { status: 'under-assessment' },
  });
  expect(moved.status, moved.text).toBe(200);
  const requests = await inGroups(neglect, 4, (report) => requestAbout(report.caseId));
  await inGroups(requests.slice(0, 11), 4, async (requestId) => {
    const decided = await send('cfpc', 'POST', `/v1/requests/${requestId}/decision`, {
      body: { decision: 'approve', reason: 'Joint investigation agreed' },
    });
    expect(decided.status, decided.text).toBe(200);
  });
  const withdrawn = await send('police', 'POST', `/v1/requests/${requests[11]}/withdraw`);
  expect(withdrawn.status, withdrawn.text).toBe(200);
  const noted = await send('cfpc', 'POST', `/v1/cases/${neglect[11]?.caseId}/notes`, {
    body: { kind: 'update', text: 'Home visit booked' },
  });
  expect(noted.status, noted.text).toBe(201);
  await breakGlassAndReview([abuse[1]?.caseId as string, abuse[2]?.caseId as string]);
  await sweepADayLater();
}

/** The deadline sweep, as the schedule runs it, judging deadlines 25 hours from now. */
async function sweepADayLater() {
  const documents = documentClient(localDynamoDb(local.endpoints));
  const { Cases, AuditLog } = local.endpoints.tables;
  const swept = await sweepDeadlines(
    {
      store: dynamoDbExchangeStore(documents, Cases, dynamoDbAuditStore(documents, AuditLog)),
      publisher: { publish: async () => undefined },
      policy: DEFAULT_POLICY,
      clock: () => new Date(),
    },
    new Date(Date.now() + 25 * 3_600_000),
  );
  expect(swept.escalated.map((item) => `${item.kind} ${item.agency}`)).toEqual([
    'report police',
    'report police',
    'report police',
  ]);
}

async function breakGlassAndReview(caseIds: string[]) {
  const accesses = await inGroups(caseIds, 2, async (caseId) => {
    const opened = await send('police', 'POST', `/v1/cases/${caseId}/emergency-access`, {
      headers: { 'x-himaya-purpose': 'emergency' },
      body: { justification: 'Child reported missing tonight', sections: ['report'] },
    });
    expect(opened.status, opened.text).toBe(201);
    return opened.json?.requestId as string;
  });
  const reviews = await send('compliance', 'GET', '/v1/audit/reviews?kind=emergency-access');
  const items = reviews.json?.items as { reviewId: string; requestId?: string }[];
  const first = items.find((review) => review.requestId === accesses[0]);
  const closed = await send('compliance', 'POST', `/v1/audit/reviews/${first?.reviewId}`, {
    body: { outcome: 'justified', finding: 'Missing-child report confirmed' },
  });
  expect(closed.status, closed.text).toBe(200);
}

/** The raw counters, counted by hand: table → agency → `dims|measure` → value (zeros left out). */
const EXPECTED_COUNTERS = (): Record<string, Record<string, Record<string, number>>> => ({
  'reports-by-month': {
    cfpc: { 'neglect|count': 12, 'abuse|count': 11 },
    police: { 'neglect|count': 3 },
  },
  'reports-by-emirate': {
    cfpc: { 'dubai,neglect|count': 12, 'sharjah,abuse|count': 11 },
    police: { 'dubai,neglect|count': 3 },
  },
  'reports-by-urgency-status': {
    cfpc: { 'high,received|count': 12, 'low,received|count': 10, 'low,under-assessment|count': 1 },
    police: { 'high,received|count': 3 },
  },
  // The PATCH, the 11 approvals and the note are the Centre's first actions, all within their deadlines;
  // the police's three reports missed theirs, counted once, at their escalation.
  'rapid-response': { cfpc: { 'high|met': 12, 'low|met': 1 }, police: { 'high|missed': 3 } },
  'exchange-requests': { cfpc: { 'high,approved|count': 11, 'high,withdrawn|count': 1 } },
  'emergency-access': { police: { 'awaiting-review|count': 1, 'justified|count': 1 } },
  escalations: { police: { 'high,report|count': 3 } },
});

async function countersNow(table: TableId) {
  const byAgency: Record<string, Record<string, number>> = {};
  for (const counter of await store.read(table, [month])) {
    if (counter.value === 0 || counter.measure.startsWith('h')) continue;
    const agency = byAgency[counter.agency] ?? {};
    byAgency[counter.agency] = agency;
    agency[`${counter.dims.join(',')}|${counter.measure}`] = counter.value;
  }
  return byAgency;
}

async function settledCounters() {
  const expected = EXPECTED_COUNTERS();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = Object.fromEntries(
      await Promise.all(Object.keys(expected).map(async (t) => [t, await countersNow(t as TableId)])),
    );
    if (isDeepStrictEqual(seen, expected) || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const stats = (client: Client, query: string, headers: Record<string, string> = {}, user?: string) =>
  send(client, 'GET', `/v1/stats?${query}`, { headers, ...(user ? { user } : {}) });

const figure = (cell: Cell | undefined) => (cell === undefined || 'suppressed' in cell ? '[c]' : cell.value);
/** A panel as rows of figures, `[c]` for a suppressed one: the way a reader sees it. */
const figures = (panel: Panel | undefined) =>
  Object.fromEntries((panel?.rows ?? []).map((row) => [row.key, row.cells.map(figure)]));

/** The whole quarter holding a month, as `from` and `to`. */
function quarterAround(of: string) {
  const [year, quarter] = quarterOf(of).split('-Q').map(Number) as [number, number];
  const first = String(3 * quarter - 2).padStart(2, '0');
  const last = String(3 * quarter).padStart(2, '0');
  return { from: `${year}-${first}`, to: `${year}-${last}` };
}

/**
 * A published median or p90 of the fixture's durations: each lasted between 0 and the whole fixture, so the
 * figure is at most the value of the bucket holding the fixture's duration (0 for a fixture under a minute).
 */
function expectWithinFixture(value: number | string | undefined) {
  expect(typeof value).toBe('number');
  expect(value as number).toBeGreaterThanOrEqual(0);
  expect(value as number).toBeLessThanOrEqual(bucketValue(bucketOf(fixtureMinutes)));
}

/** Each row and column (totals included) holds no suppressed entry, or at least two. */
function expectNoLoneSuppression(panel: Panel | undefined) {
  const grid = (panel?.rows ?? []).map((row) => row.cells.map((cell) => 'suppressed' in cell));
  for (const row of grid) expect(row.filter(Boolean).length).not.toBe(1);
  for (const c of grid[0]?.keys() ?? []) expect(grid.filter((row) => row[c]).length).not.toBe(1);
}

describe('GET /v1/stats over the aggregator', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'himaya-stats-'));
    local = await startLocalStack({ dataDir, inMemory: true, port: 0, sealer: false });
    tokens = {
      cfpc: await local.issuer.issue('cfpc'),
      police: await local.issuer.issue('police'),
      compliance: await local.issuer.issue('compliance'),
    };
    store = dynamoDbStatsStore(documentClient(localDynamoDb(local.endpoints)), local.endpoints.tables.Stats);
    const started = Date.now();
    await buildFixture();
    fixtureMinutes = (Date.now() - started) / 60_000;
  });

  afterAll(async () => {
    await local?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('counts every change once, as counted by hand', async () => {
    expect(await settledCounters()).toEqual(EXPECTED_COUNTERS());
  });

  it('publishes an agency’s own table exactly where no count is 1–10', async () => {
    // Prepare
    await settledCounters();
    const zeros = CATEGORIES.map((category) => ({ neglect: 12, abuse: 11 })[category as string] ?? 0);

    // Act
    const own = await stats('cfpc', `table=reports-by-month&from=${month}&to=${month}`);

    // Assess
    expect(own.status, own.text).toBe(200);
    const table = own.json as unknown as StatsTable;
    expect(table.scope).toEqual({ agency: 'cfpc' });
    expect(figures(table.panels[0])).toEqual({ [month]: [...zeros, 23], total: [...zeros, 23] });
  });

  it('suppresses counts of 1–10 and their complements', async () => {
    // Prepare
    await settledCounters();

    // Act
    const own = await stats('cfpc', `table=reports-by-urgency-status&from=${month}&to=${month}`);

    // Assess: low/received 10, low/under-assessment 1 and its column total 1 are small; the total row's
    // received (22) is their complement, so that the total row has no lone suppression.
    const panel = (own.json as unknown as StatsTable).panels[0];
    expect(figures(panel)).toEqual({
      critical: [0, 0, 0, 0, 0, 0],
      high: [12, 0, 0, 0, 0, 12],
      medium: [0, 0, 0, 0, 0, 0],
      low: ['[c]', '[c]', 0, 0, 0, 11],
      total: ['[c]', '[c]', 0, 0, 0, 23],
    });
    expectNoLoneSuppression(panel);
  });

  it('counts the sweep’s escalations for the agency that had to act', async () => {
    // Prepare
    await settledCounters();

    // Act
    const own = await stats('police', `table=escalations&from=${month}&to=${month}`);

    // Assess: the police's 3 missed reports, small, with their totals
    expect(figures((own.json as unknown as StatsTable).panels[0])).toEqual({
      critical: [0, 0, 0],
      high: [0, '[c]', '[c]'],
      medium: [0, 0, 0],
      low: [0, 0, 0],
      total: [0, '[c]', '[c]'],
    });
  });

  it('hides from the all-agency table what an agency could work out beside its own figures', async () => {
    // Prepare
    await settledCounters();
    const shown = CATEGORIES.map((category) => ({ neglect: '[c]', abuse: 11 })[category as string] ?? 0);
    const query = `table=reports-by-month&from=${month}&to=${month}`;

    // Act
    const compliance = await stats('compliance', query);
    const centreAll = await stats('cfpc', `${query}&scope=all`);
    const policeOwn = await stats('police', query);

    // Assess: 15 neglect reports in all, but 15 − the Centre's 12 = the police's 3; so is the total (26 − 23)
    const table = compliance.json as unknown as StatsTable;
    expect(table.scope).toBe('all-agencies');
    expect(figures(table.panels[0])).toEqual({ [month]: [...shown, '[c]'], total: [...shown, '[c]'] });
    expect(centreAll.json).toEqual(compliance.json);
    const policeFigures = figures((policeOwn.json as unknown as StatsTable).panels[0]);
    expect(policeFigures[month]?.[CATEGORIES.indexOf('neglect')]).toBe('[c]');
  });

  it('shows rates over 11 or more only: the share of deadlines met and the time to decision', async () => {
    // Prepare
    await settledCounters();

    // Act
    const rapid = await stats('cfpc', `table=rapid-response&from=${month}&to=${month}`);
    const decisions = await stats('cfpc', `table=exchange-decision-time&from=${month}&to=${month}`);

    // Assess: 12 high reports met their deadline, 1 low one; the low row is suppressed with its rates, and
    // the high row's count as its complement, its share with it (a rate is hidden whenever its count is);
    // the total, 13 of 13 met, stays, and so do its median and p90 (13 first actions timed)
    const rows = figures((rapid.json as unknown as StatsTable).panels[0]);
    expect(rows.high?.slice(0, 2)).toEqual(['[c]', '[c]']);
    expect(rows.low).toEqual(['[c]', '[c]', '[c]', '[c]']);
    expect(rows.total?.slice(0, 2)).toEqual([13, 100]);
    // the medians and p90s of the 12 high and the 13 timed first actions, each within the fixture's time
    for (const value of [...(rows.high?.slice(2) ?? []), ...(rows.total?.slice(2) ?? [])]) {
      expectWithinFixture(value);
    }
    expect(rows.high?.[2]).toBeLessThanOrEqual(rows.high?.[3] as number);
    expect(rows.total?.[2]).toBeLessThanOrEqual(rows.total?.[3] as number);
    // no critical or medium report: a count of 0, its share and times over nothing not shown
    expect([rows.critical, rows.medium]).toEqual([
      [0, '[c]', '[c]', '[c]'],
      [0, '[c]', '[c]', '[c]'],
    ]);
    // 11 requests decided (the 12th was withdrawn, not decided), all high: no other row has one
    const decided = figures((decisions.json as unknown as StatsTable).panels[0]);
    expect(decided.high?.[0]).toBe(11);
    expect(decided.total?.[0]).toBe(11);
    for (const value of [...(decided.high?.slice(1) ?? []), ...(decided.total?.slice(1) ?? [])]) {
      expectWithinFixture(value);
    }
    expect(decided.high?.[1]).toBeLessThanOrEqual(decided.high?.[2] as number);
    expect(decided.total?.slice(1)).toEqual(decided.high?.slice(1));
    for (const urgency of ['critical', 'medium', 'low']) expect(decided[urgency]).toEqual([0, '[c]', '[c]']);
  });

  it('publishes reports by emirate for a whole quarter, one panel, suppressed like the monthly table', async () => {
    // Prepare
    await settledCounters();
    const { from, to } = quarterAround(month);
    const query = `table=reports-by-emirate&from=${from}&to=${to}`;
    const zeros = [0, 0, 0, 0, 0, 0, 0];
    const row = (counts: Record<string, number | string>) => [
      ...CATEGORIES.map((category) => counts[category] ?? 0),
      counts.total ?? 0,
    ];

    // Act
    const own = await stats('cfpc', query);
    const compliance = await stats('compliance', query);

    // Assess: the Centre's own 12 neglect reports in Dubai and 11 abuse reports in Sharjah, none small
    expect(own.status, own.text).toBe(200);
    const table = own.json as unknown as StatsTable;
    expect([table.from, table.to]).toEqual([from, to]);
    expect(table.panels.map((panel) => panel.label)).toEqual([quarterOf(month)]);
    expect(figures(table.panels[0])).toEqual({
      'abu-dhabi': zeros,
      dubai: row({ neglect: 12, total: 12 }),
      sharjah: row({ abuse: 11, total: 11 }),
      ajman: zeros,
      'umm-al-quwain': zeros,
      'ras-al-khaimah': zeros,
      fujairah: zeros,
      total: row({ abuse: 11, neglect: 12, total: 23 }),
    });
    // every agency's: Dubai's 15 neglect reports, their row and column totals and the grand total (26) less
    // the Centre's own give away the police's 3, so all four are suppressed; Sharjah's 11 are the Centre's alone
    expect(compliance.status, compliance.text).toBe(200);
    const all = (compliance.json as unknown as StatsTable).panels[0];
    expect(figures(all)).toEqual({
      'abu-dhabi': zeros,
      dubai: row({ neglect: '[c]', total: '[c]' }),
      sharjah: row({ abuse: 11, total: 11 }),
      ajman: zeros,
      'umm-al-quwain': zeros,
      'ras-al-khaimah': zeros,
      fujairah: zeros,
      total: row({ abuse: 11, neglect: '[c]', total: '[c]' }),
    });
    expectNoLoneSuppression(all);
  });

  it('publishes the requests the Centre was asked by outcome, the one withdrawal and its complement hidden', async () => {
    // Prepare
    await settledCounters();
    const query = `table=exchange-requests&from=${month}&to=${month}`;

    // Act
    const centre = await stats('cfpc', query);
    const police = await stats('police', query);

    // Assess: 12 high requests, 11 approved and 1 withdrawn; the 1 is small, so the 11 beside it in its row
    // and the column total of each (11 and 1) go with it; the 12 in all stay
    expect(centre.status, centre.text).toBe(200);
    const panel = (centre.json as unknown as StatsTable).panels[0];
    expect(figures(panel)).toEqual({
      critical: [0, 0, 0, 0, 0],
      high: [0, '[c]', 0, '[c]', 12],
      medium: [0, 0, 0, 0, 0],
      low: [0, 0, 0, 0, 0],
      total: [0, '[c]', 0, '[c]', 12],
    });
    expectNoLoneSuppression(panel);
    // the police were asked nothing
    const zeros = [0, 0, 0, 0, 0];
    expect(figures((police.json as unknown as StatsTable).panels[0])).toEqual({
      critical: zeros,
      high: zeros,
      medium: zeros,
      low: zeros,
      total: zeros,
    });
  });

  it('publishes the police’s emergency accesses by review outcome, every count small and suppressed', async () => {
    // Prepare
    await settledCounters();
    const query = `table=emergency-access&from=${month}&to=${month}`;

    // Act
    const police = await stats('police', query);
    const centre = await stats('cfpc', query);

    // Assess: two accesses, one awaiting review and one found justified: 1, 1 and 2 are all small
    expect(police.status, police.text).toBe(200);
    const panel = (police.json as unknown as StatsTable).panels[0];
    expect(panel?.columns.map((column) => column.key)).toEqual([
      'awaiting-review',
      'justified',
      'not-justified',
      'referred',
      'total',
    ]);
    expect(figures(panel)).toEqual({
      [month]: ['[c]', '[c]', 0, 0, '[c]'],
      total: ['[c]', '[c]', 0, 0, '[c]'],
    });
    expectNoLoneSuppression(panel);
    // the Centre used none
    expect(figures((centre.json as unknown as StatsTable).panels[0])).toEqual({
      [month]: [0, 0, 0, 0, 0],
      total: [0, 0, 0, 0, 0],
    });
  });

  it('answers CSV for Accept: text/csv, with [c] marks', async () => {
    // Prepare
    await settledCounters();
    const shown = CATEGORIES.map((category) => ({ neglect: '[c]', abuse: '11' })[category as string] ?? '0');

    // Act
    const csv = await stats('compliance', `table=reports-by-month&from=${month}&to=${month}`, {
      accept: 'text/csv',
    });

    // Assess
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text).toBe(
      [
        ['Month', ...CATEGORIES, 'Total'].join(','),
        [month, ...shown, '[c]'].join(','),
        ['Total', ...shown, '[c]'].join(','),
        '',
      ].join('\r\n'),
    );
  });

  it('gives an ETag and a short private lifetime, and 304 to If-None-Match', async () => {
    // Prepare
    await settledCounters();
    const query = `table=exchange-requests&from=${month}&to=${month}`;
    const first = await stats('cfpc', query);
    const etag = first.headers.get('etag') as string;

    // Act
    const again = await stats('cfpc', query);
    const notModified = await stats('cfpc', query, { 'if-none-match': etag });
    const asCsv = await stats('cfpc', query, { accept: 'text/csv' });
    const stale = await stats('cfpc', query, { 'if-none-match': '"something-else"' });

    // Assess
    expect(first.headers.get('cache-control')).toBe('private, max-age=60');
    expect(again.headers.get('etag')).toBe(etag);
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(asCsv.headers.get('etag')).not.toBe(etag);
    expect(stale.status).toBe(200);
  });

  it('writes one access-log event per read, 304s included', async () => {
    // Prepare
    const user = `researcher-${Date.now()}`;
    const query = `table=emergency-access&from=${month}&to=${month}`;

    // Act
    const read = await stats('compliance', query, {}, user);
    await stats('compliance', query, { 'if-none-match': read.headers.get('etag') as string }, user);
    const log = await send('compliance', 'GET', `/v1/audit/events?user=${user}`);

    // Assess
    const events = log.json?.items as { action: string; outcome: { status: number } | number }[];
    expect(events.map((event) => event.action)).toEqual(['stats.read', 'stats.read']);
  });

  it('refuses a period that ends before it starts, a quarterly table over part of a quarter, and an unknown table', async () => {
    const reversed = await stats('cfpc', 'table=reports-by-month&from=2026-05&to=2026-04');
    const partial = await stats('cfpc', 'table=reports-by-emirate&from=2026-01&to=2026-02');
    const unknown = await stats('cfpc', 'table=cases-by-name&from=2026-01&to=2026-02');
    expect([reversed.status, partial.status, unknown.status]).toEqual([400, 400, 400]);
  });

  it('adds nothing when the same stream batch is delivered again', async () => {
    // Prepare: every record of the Cases stream so far, as the event-source mapping would hand them over
    const before = await settledCounters();
    const reader = await openStreamReader(
      localDynamoDb(local.endpoints),
      new DynamoDBStreamsClient({
        endpoint: local.endpoints.dynamodb,
        region: LOCAL_REGION,
        credentials: local.endpoints.credentials,
      }),
      local.endpoints.tables.Cases,
    );
    const records = [];
    for (let page = await reader.read(); page.length > 0; page = await reader.read()) records.push(...page);
    const handler = (
      (await import('../../functions/stats-aggregator')) as {
        handler: (event: DynamoDBStreamEvent, context: Context) => Promise<void>;
      }
    ).handler;
    const batch = { Records: records } as unknown as DynamoDBStreamEvent;

    // Act
    await handler(batch, {} as Context);
    await handler(batch, {} as Context);
    const events = statsEventsFromStream(records as StatsStreamRecord[], DEFAULT_POLICY);
    const outcome = await aggregateStats(store, events);

    // Assess
    expect(events.length).toBeGreaterThan(40);
    expect(outcome).toEqual({ applied: 0, repeated: events.length });
    expect(await settledCounters()).toEqual(before);
  });
});

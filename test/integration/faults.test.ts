import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProcess } from '../../local/child-process';
import { startGateway } from '../../local/gateway';
import { type Issuer, openIssuer } from '../../local/issuer';
import { type LocalStack, readDirectoryFile, startLocalStack } from '../../local/stack';
import { DEADLINES } from '../../src/timeouts';
import { auditCli, auditTable, waitFor } from '../support/audit-log';
import { fullCaseBody } from '../support/cases';
import { fetchChecked } from '../support/contract';
import { localDynamoDb, scanItems } from '../support/local-dynamodb';

/**
 * Real faults under real traffic (DESIGN §6): DynamoDB Local and the KMS emulator, each a process of its
 * own, are paused (SIGSTOP) and killed (SIGKILL) while creates, notes, reads and listings are in flight,
 * on persistent data. Whatever a dependency does, every request is answered before the function's own
 * timeout (a later answer would be API Gateway's 502 in AWS), a failure is a 503 with Retry-After, every
 * acknowledged write can be read back, every unanswered write is settled by its retry, and the access
 * log says what each client was told, and verifies.
 *
 * The file runs a local stack of its own, on data in a temporary folder; the tests build on one another
 * (the last ones settle and audit what the first ones sent), in order. Its functions keep an unwrapped
 * branch key for one second only, so that a paused KMS is felt as soon as that second has passed.
 */
const FUNCTION_DEADLINE_MS = DEADLINES.functionTimeoutSeconds * 1000;
const BRANCH_KEY_TTL_SECONDS = 1;
const RUN = `faults-${randomUUID().slice(0, 8)}`;

let local: LocalStack;
let dataDir: string;
let token: string;
let compliance: string;
let documents: DynamoDBDocumentClient;
let tagCount = 0;
const nextTag = () => `${RUN}-${++tagCount}`;

interface Reply {
  status: number;
  code: string | undefined;
  contentType: string;
  retryAfter: string | null;
  json: Record<string, unknown> | undefined;
  requestId: string;
  sentAt: number;
  ms: number;
}

/** Every request this file sent, by request id: what the access log must agree with. */
const answered = new Map<string, Reply>();

async function send(
  method: string,
  path: string,
  options: { body?: unknown; key?: string; purpose?: string } = {},
): Promise<Reply> {
  const sentAt = Date.now();
  const response = await fetchChecked(`${local.endpoints.gateway}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'x-himaya-user': 'caseworker-faults',
      ...(options.purpose ? { 'x-himaya-purpose': options.purpose } : {}),
      ...(options.key ? { 'idempotency-key': options.key } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const reply: Reply = {
    status: response.status,
    code: typeof json?.code === 'string' ? json.code : undefined,
    contentType: response.headers.get('content-type') ?? '',
    retryAfter: response.headers.get('retry-after'),
    json,
    requestId: response.headers.get('x-amzn-requestid') ?? '',
    sentAt,
    ms: Date.now() - sentAt,
  };
  answered.set(reply.requestId, reply);
  return reply;
}

/** A create or a note, with what it takes to send it again and to find what it stored. */
interface Write {
  kind: 'create' | 'note';
  path: string;
  key: string;
  body: Record<string, unknown>;
  /** The city of a created case, the text of a note: in clear (city) or readable back (note). */
  tag: string;
  /** The case a note is added to. */
  caseId?: string;
  reply: Reply;
}

/** Every write this file sent, acknowledged or not. */
const writes: Write[] = [];

async function write(w: Omit<Write, 'reply'>): Promise<Write> {
  const sent = { ...w, reply: await send('POST', w.path, { body: w.body, key: w.key }) };
  writes.push(sent);
  return sent;
}

const createCase = (tag = nextTag()) =>
  write({
    kind: 'create',
    path: '/v1/cases',
    key: randomUUID(),
    body: fullCaseBody({ region: { emirate: 'sharjah', city: tag } }),
    tag,
  });

const addNote = (caseId: string, tag = nextTag()) =>
  write({
    kind: 'note',
    path: `/v1/cases/${caseId}/notes`,
    key: randomUUID(),
    body: { kind: 'update', text: tag },
    tag,
    caseId,
  });

const readCase = (caseId: string) => send('GET', `/v1/cases/${caseId}`, { purpose: 'child-protection' });
const listCases = () => send('GET', '/v1/cases?limit=5');

async function createdCase(): Promise<string> {
  const created = await createCase();
  expect(created.reply.status).toBe(201);
  return String(created.reply.json?.caseId);
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** A 503 problem+json that tells the client when to retry. */
function expectUnavailable(reply: Reply, codes = ['service-unavailable', 'outcome-unknown']): void {
  expect(reply.status, `answered ${reply.status} ${reply.code ?? ''}`).toBe(503);
  expect(reply.contentType).toMatch(/^application\/problem\+json/);
  expect(reply.retryAfter).toMatch(/^\d+$/);
  expect(codes).toContain(reply.code);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client does after a 503: wait a moment (less than Retry-After, to keep the test short). */
const backOff = (reply: Reply) => (isSuccess(reply.status) ? undefined : pause(250));

/**
 * Creates and notes (on `notesOn`) from `writers` loops, and reads and listings from one more, back to
 * back until `isOver`: at any moment some request is in flight. Every reply is kept.
 */
function traffic(notesOn: string, isOver: () => boolean, writers = 2) {
  const reads: Reply[] = [];
  const writeLoop = async (n: number) => {
    for (let i = 0; !isOver(); i++) {
      const sent = await ((n + i) % 2 === 0 ? createCase() : addNote(notesOn));
      await backOff(sent.reply);
    }
  };
  const readLoop = async () => {
    for (let i = 0; !isOver(); i++) {
      const reply = await (i % 2 === 0 ? readCase(notesOn) : listCases());
      reads.push(reply);
      await backOff(reply);
    }
  };
  const first = writes.length;
  const done = Promise.all([...Array.from({ length: writers }, (_, n) => writeLoop(n)), readLoop()]);
  return done.then(() => ({ writes: writes.slice(first), reads }));
}

/** Pauses a process for as long as `during` runs: SIGSTOP, then SIGCONT whatever happens. */
async function whilePaused<T>(target: LocalProcess, during: () => Promise<T>): Promise<T> {
  process.kill(target.pid as number, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(target.pid as number, 'SIGCONT');
  }
}

/** Kills a process outright and starts it again on the same port and data. */
async function killAndRestart(target: LocalProcess, downMs: number): Promise<void> {
  process.kill(target.pid as number, 'SIGKILL');
  await pause(downMs);
  await target.restart();
}

/** The cases stored with a city of this file, by city. */
async function storedCases(): Promise<Map<string, string[]>> {
  const items = await scanItems(documents, local.endpoints.tables.Cases, { consistentRead: true });
  const byTag = new Map<string, string[]>();
  for (const item of items) {
    const city = (item.region as { city?: string } | undefined)?.city;
    if (item.sk !== 'CASE' || !city?.startsWith(RUN)) continue;
    byTag.set(city, [...(byTag.get(city) ?? []), String(item.caseId)]);
  }
  return byTag;
}

/** The ids of the notes on the cases, by text, read back through the API: one read per case. */
/** Every note of the cases, paged through `GET …/notes` (a case read carries only the newest). */
async function storedNotes(caseIds: Iterable<string>): Promise<Map<string, string[]>> {
  const byText = new Map<string, string[]>();
  for (const caseId of new Set(caseIds)) {
    let cursor: string | undefined;
    do {
      const query = `limit=20${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await send('GET', `/v1/cases/${caseId}/notes?${query}`, { purpose: 'child-protection' });
      expect(page.status).toBe(200);
      for (const note of (page.json?.items ?? []) as { noteId: string; text: string }[]) {
        byText.set(note.text, [...(byText.get(note.text) ?? []), note.noteId]);
      }
      cursor = page.json?.nextCursor as string | undefined;
    } while (cursor);
  }
  return byText;
}

/** Where each write is found stored: the ids of the cases or notes it made (none, or one). */
async function storedOf(some: Write[]): Promise<string[][]> {
  const cases = await storedCases();
  const notes = await storedNotes(some.flatMap((w) => (w.caseId ? [w.caseId] : [])));
  return some.map((w) => (w.kind === 'create' ? cases : notes).get(w.tag) ?? []);
}

const idOf = (w: Write, reply = w.reply) => (w.kind === 'create' ? reply.json?.caseId : reply.json?.noteId);

/** Each acknowledged write, read back: the case with its city, the note with its text, stored once. */
async function expectReadable(acknowledged: Write[]): Promise<void> {
  const stored = await storedOf(acknowledged);
  const lost = acknowledged.filter((w, i) => stored[i]?.length !== 1 || stored[i]?.[0] !== idOf(w));
  const described = lost.map((w) => `${w.kind} ${w.reply.status} ${w.reply.requestId} ${w.reply.ms} ms`);
  expect(stored, `not stored as acknowledged: ${described.join('; ')}`).toEqual(
    acknowledged.map((w) => [idOf(w)]),
  );
  for (const w of acknowledged.filter((w) => w.kind === 'create')) {
    const read = await readCase(String(idOf(w)));
    expect(read.status).toBe(200);
    expect(read.json?.region).toMatchObject({ city: w.tag });
  }
}

interface StoredEvent {
  requestId: string;
  action: string;
  outcome: number;
  disposition?: string;
}

async function eventsByRequest(): Promise<Map<string, StoredEvent[]>> {
  const items = await scanItems(documents, local.endpoints.tables.AuditLog, { consistentRead: true });
  const byRequest = new Map<string, StoredEvent[]>();
  for (const item of items) {
    if (!String(item.pk).startsWith('EVENT#')) continue;
    const event = item as unknown as StoredEvent;
    byRequest.set(event.requestId, [...(byRequest.get(event.requestId) ?? []), event]);
  }
  return byRequest;
}

/** Each acknowledged write has its access-log event, with the status the client got. */
async function expectAudited(acknowledged: Write[]): Promise<void> {
  const events = await eventsByRequest();
  for (const w of acknowledged) {
    const outcomes = (events.get(w.reply.requestId) ?? []).map((event) => event.outcome);
    expect(outcomes, `${w.kind} ${w.tag}`).toEqual([w.reply.status]);
  }
}

// A stall takes up to the function's deadline to answer, and a retry waits as long again.
describe('requests while DynamoDB Local or the KMS emulator is paused or killed', {
  timeout: 150_000,
}, () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'himaya-faults-'));
    process.env.BRANCH_KEY_CACHE_TTL_SECONDS = String(BRANCH_KEY_TTL_SECONDS);
    local = await startLocalStack({ dataDir, port: 0, sealer: { pollIntervalMs: 100, batchWindowMs: 300 } });
    [token, compliance] = await Promise.all([local.issuer.issue('cfpc'), local.issuer.issue('compliance')]);
    documents = DynamoDBDocumentClient.from(localDynamoDb(local.endpoints));
    // Cold starts (module loads, first connections) happen here, not under a fault.
    const caseId = await createdCase();
    expect((await addNote(caseId)).reply.status).toBe(201);
    expect((await readCase(caseId)).status).toBe(200);
    expect((await listCases()).status).toBe(200);
  });

  afterAll(async () => {
    documents?.destroy();
    await local?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Traffic on a fresh case, then `dependency` paused under it and one of each request sent into the stall,
   * after `settleMs` (for KMS: until the cached branch key has expired).
   */
  async function probesWhilePaused(dependency: Parameters<typeof whilePaused>[0], settleMs = 0) {
    const notesOn = await createdCase();
    let over = false;
    const running = traffic(notesOn, () => over);
    await pause(1000);
    return whilePaused(dependency, async () => {
      await pause(settleMs);
      const sent = Promise.all([createCase(), addNote(notesOn), readCase(notesOn), listCases()]);
      over = true;
      const [create, note, read, list] = await sent;
      return { notesOn, create: create.reply, note: note.reply, read, list, during: await running };
    });
  }

  /** Every answer came before the function's deadline, every failure as a 503; every 2xx write stands. */
  async function expectDeadlinesKept(probes: Awaited<ReturnType<typeof probesWhilePaused>>) {
    const replies = [probes.create, probes.note, probes.read, probes.list];
    replies.push(...probes.during.reads, ...probes.during.writes.map((w) => w.reply));
    for (const reply of replies) {
      expect(reply.ms).toBeLessThan(FUNCTION_DEADLINE_MS);
      if (!isSuccess(reply.status)) expectUnavailable(reply);
    }
    const acknowledged = probes.during.writes.filter((w) => isSuccess(w.reply.status));
    await expectReadable(acknowledged);
    await expectAudited(acknowledged);
  }

  it('answers 503 with Retry-After before the function deadline while DynamoDB Local is paused mid-traffic', async () => {
    // Prepare, act: pause under the traffic, then send one of each request into the stall.
    const probes = await probesWhilePaused(local.processes.dynamodb);

    // Assess
    expectUnavailable(probes.create);
    expectUnavailable(probes.note);
    expectUnavailable(probes.read, ['service-unavailable']);
    expectUnavailable(probes.list, ['service-unavailable']);
    await expectDeadlinesKept(probes);
    expect((await listCases()).status).toBe(200);
  });

  it('answers 503 with Retry-After before the function deadline while the KMS emulator is paused past the branch key TTL; listing needs no KMS', async () => {
    // Prepare, act
    const probes = await probesWhilePaused(local.processes.kms, BRANCH_KEY_TTL_SECONDS * 1000 + 250);

    // Assess
    expectUnavailable(probes.create, ['service-unavailable']);
    expectUnavailable(probes.note, ['service-unavailable']);
    expectUnavailable(probes.read, ['service-unavailable']);
    expect(probes.list.status).toBe(200);
    await expectDeadlinesKept(probes);
    expect((await readCase(probes.notesOn)).status).toBe(200);
  });

  it('keeps every acknowledged write, with its access-log event, when DynamoDB Local and the KMS emulator are killed mid-traffic and restarted on the same data', async () => {
    // Prepare
    const notesOn = await createdCase();
    let over = false;
    const running = traffic(notesOn, () => over, 3);
    await pause(1000);

    // Act
    await killAndRestart(local.processes.dynamodb, 500);
    await pause(1000);
    await killAndRestart(local.processes.kms, 300);
    await pause(1000);
    over = true;
    const during = await running;

    // Assess
    const replies = [...during.reads, ...during.writes.map((w) => w.reply)];
    expect(replies.filter((reply) => reply.status === 503).length).toBeGreaterThan(0);
    for (const reply of replies) {
      expect(reply.ms).toBeLessThan(FUNCTION_DEADLINE_MS);
      if (!isSuccess(reply.status)) expectUnavailable(reply);
    }
    const acknowledged = during.writes.filter((w) => isSuccess(w.reply.status));
    expect(acknowledged.length).toBeGreaterThan(0);
    await expectReadable(acknowledged);
    await expectAudited(acknowledged);
  });

  it('settles every unanswered write with a retry under the same Idempotency-Key and body: 201 and the resource, stored once', async () => {
    // Prepare: a client retries once the first attempt can no longer be running (the function's timeout).
    const unanswered = writes.filter((w) => !isSuccess(w.reply.status));
    expect(unanswered.length).toBeGreaterThan(0);
    const latest = Math.max(...unanswered.map((w) => w.reply.sentAt));
    await pause(Math.max(0, latest + FUNCTION_DEADLINE_MS + 1000 - Date.now()));
    const landed = await storedOf(unanswered);

    // Act: a few at a time. A first attempt that started late may still hold its key (409 `in-progress`,
    // until its own deadline): the client waits the Retry-After it is given and sends again, as a client should.
    const retry = async (w: Write): Promise<Reply> => {
      for (let attempt = 1; ; attempt++) {
        const reply = await send('POST', w.path, { body: w.body, key: w.key });
        if (reply.code !== 'in-progress' || attempt === 3) return reply;
        await pause(Math.min(Number(reply.retryAfter ?? 1), 15) * 1000);
      }
    };
    const retries: Reply[] = [];
    for (let i = 0; i < unanswered.length; i += 8) {
      retries.push(...(await Promise.all(unanswered.slice(i, i + 8).map(retry))));
    }

    // Assess: each retry answers 201 with the resource, the one that had landed if one had, stored once.
    const stored = await storedOf(unanswered);
    const settled = unanswered.map((w, i) => {
      const retry = retries[i] as Reply;
      // A refused retry shows its problem code beside its status.
      const status = retry.code ? `${retry.status} ${retry.code}` : retry.status;
      return { write: `${w.kind} ${w.tag}`, status, stored: stored[i], id: idOf(w, retry) };
    });
    expect(settled).toEqual(
      settled.map(({ write, id }, i) => ({
        write,
        status: 201,
        stored: [id],
        id: (landed[i] as string[])[0] ?? expect.any(String),
      })),
    );
    // `service-unavailable` tells the client nothing was stored: only `outcome-unknown` may have landed.
    const landedThoughDenied = unanswered
      .filter((w, i) => w.reply.code === 'service-unavailable' && (landed[i] as string[]).length > 0)
      .map((w) => `${w.kind} ${w.tag}`);
    expect(landedThoughDenied).toEqual([]);
  });

  it('keeps an access log whose events each match the answer the client saw, and which verifies after the restarts', async () => {
    // Prepare: every event of this file's requests is sealed into a signed checkpoint.
    const audit = auditTable(local.endpoints, local.endpoints.tables.AuditLog);
    try {
      await waitFor(
        'every audit event sealed into a signed checkpoint',
        async () => {
          const events = await scanItems(documents, local.endpoints.tables.AuditLog, {
            consistentRead: true,
          });
          const stored = events.filter((item) => String(item.pk).startsWith('EVENT#'));
          const signed = await audit.latestCheckpointSize();
          return stored.every((item) => typeof item.leafIndex === 'number' && item.leafIndex < signed)
            ? true
            : undefined;
        },
        // Sealing lags when other files' stacks share the 2 cores.
        75_000,
      );
    } finally {
      audit.close();
    }

    // Act
    const events = await eventsByRequest();
    const verified = await auditCli([
      'verify',
      '--url',
      local.endpoints.gateway,
      '--token',
      compliance,
      '--state',
      join(dataDir, 'verifier-state.json'),
      '--archive',
      local.endpoints.checkpointArchive as string,
    ]);

    // Assess: the log verifies. An event written with the data says it was committed; the others say
    // what the client was told. Where an event's own write timed out and landed anyway, the 503 that
    // replaced the answer is recorded after it: every request's answer is in the log.
    expect(verified.code, [...verified.out, ...verified.err].join('\n')).toBe(0);
    const mismatches = [...answered.values()].flatMap((reply) => {
      const told = (events.get(reply.requestId) ?? []).filter((event) => event.disposition !== 'committed');
      return told.length > 0 && !told.some((event) => event.outcome === reply.status)
        ? told.map((event) => ({ action: event.action, outcome: event.outcome, answered: reply.status }))
        : [];
    });
    expect(mismatches).toEqual([]);
    for (const reply of answered.values()) {
      if (isSuccess(reply.status)) expect(events.get(reply.requestId)?.length, reply.requestId).toBe(1);
    }
  });
});

describe('the local gateway', () => {
  let dir: string;
  let issuer: Issuer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'himaya-gateway-'));
    issuer = await openIssuer(join(dir, 'issuer-key.json'), await readDirectoryFile());
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers 504 problem+json when a function has not answered within the integration timeout, and lets it run on', async () => {
    // Prepare: a function that answers after the gateway has given up.
    let finished = false;
    const gateway = await startGateway({
      port: 0,
      issuer,
      integrationTimeoutMs: 300,
      loadHandler: async () => async () => {
        await pause(1000);
        finished = true;
        return { statusCode: 200, body: '{"status":"ok"}' };
      },
    });

    try {
      // Act
      const started = Date.now();
      const response = await fetchChecked(`${gateway.url}/v1/health`);
      const elapsed = Date.now() - started;

      // Assess
      expect(response.status).toBe(504);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 504, code: 'timeout' });
      expect(elapsed).toBeLessThan(1000);
      expect(finished).toBe(false);
      await waitFor('the function to finish', async () => (finished ? true : undefined), 5000);
    } finally {
      await gateway.close();
    }
  });
});

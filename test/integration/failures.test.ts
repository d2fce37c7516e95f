import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type Gateway, type LambdaHandler, startGateway } from '../../local/gateway';
import { openIssuer } from '../../local/issuer';
import { readDirectoryFile } from '../../local/stack';
import { captureOutput, type LogRecord } from '../support/captured-output';
import { CANARIES, fullCaseBody } from '../support/cases';
import { fetchChecked } from '../support/contract';
import { type Fault, type FaultProxy, faults, startFaultProxy } from '../support/fault-proxy';
import { localDynamoDb, scanItems } from '../support/local-dynamodb';

/**
 * Fail closed (DESIGN §4, §6): with KMS stopped, or DynamoDB failing at any one SDK call of a request,
 * the caller gets 503 problem+json with nothing of the case in it, and afterwards every stored case or
 * note has its successful audit event and no successful event stands for a write that did not happen.
 *
 * This file runs its own gateway, whose functions reach DynamoDB Local and the KMS emulator of the shared
 * stack through fault proxies. Other files use the same tables at the same time, so everything here is
 * scoped to this file's requests and cases: each case carries a city starting with RUN (metadata, in clear).
 *
 * Sections are encrypted under branch keys that a function unwraps with KMS and then caches for a TTL
 * (`BRANCH_KEY_CACHE_TTL_SECONDS`). Here it is an hour, and the cache is warmed first, so that the requests
 * make the same SDK calls every time; the last block loads the functions again with a TTL of seconds, to
 * show KMS failing closed once the TTL has passed.
 *
 * The SDK clients retry once (maxAttempts 2). A fault fails every attempt of the call it hits: a dependency
 * outage that outlasts the retries is what must fail closed; a single failed attempt that the retry absorbs
 * is a success, and one test shows that separately.
 */
const stack = inject('stack');
const RUN = `failures-${randomUUID().slice(0, 8)}`;
const TRANSACT = 'DynamoDB_20120810.TransactWriteItems';
const WRITE_ACTIONS = ['case.create', 'case.update', 'case.note'];
const DYNAMODB_FAULTS: [string, Fault][] = [
  ['InternalServerError', faults.dynamoDbInternalError],
  ['ProvisionedThroughputExceeded', faults.dynamoDbThroughputExceeded],
  ['connection dropped', faults.drop],
];
/** What a 503 body must not carry: stack frames, SDK or service names, error text. */
const INTERNALS = /\sat\s.+:\d+|exception|dynamodb|kms|trent|amazonaws|econn|socket|error:/i;

let dynamodb: FaultProxy;
let kms: FaultProxy;
let gateway: Gateway;
let token: string;
let tables: DynamoDBDocumentClient;
let output: ReturnType<typeof captureOutput>;
const myRequests = new Set<string>();
let tagCount = 0;
const nextTag = () => `${RUN}-${++tagCount}`;

interface Reply {
  status: number;
  contentType: string;
  retryAfter: string | null;
  text: string;
  json: Record<string, unknown> | undefined;
  requestId: string;
}

async function send(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetchChecked(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'x-himaya-user': 'officer-failures',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const requestId = response.headers.get('x-amzn-requestid') ?? '';
  myRequests.add(requestId);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    retryAfter: response.headers.get('retry-after'),
    text,
    json,
    requestId,
  };
}

const createCase = (tag: string) =>
  send('POST', '/v1/cases', {
    body: fullCaseBody({ region: { emirate: 'sharjah', city: tag } }),
    headers: { 'idempotency-key': randomUUID() },
  });

async function createdCase(): Promise<{ tag: string; caseId: string }> {
  const tag = nextTag();
  const created = await createCase(tag);
  expect(created.status).toBe(201);
  return { tag, caseId: String(created.json?.caseId) };
}

/** What is stored for this file's cases and requests, read from the tables directly. */
interface Ledger {
  cases: { caseId: string; tag: string; version: number }[];
  notes: { caseId: string }[];
  events: {
    requestId: string;
    caseId?: string;
    action: string;
    outcome: number;
    disposition?: string | undefined;
  }[];
}

const scan = (table: string) => scanItems(tables, table, { consistentRead: true });

async function readLedger(): Promise<Ledger> {
  const [caseItems, auditItems] = await Promise.all([scan(stack.tables.Cases), scan(stack.tables.AuditLog)]);
  const cases = caseItems
    .filter((item) => item.sk === 'CASE' && String((item.region as { city?: string })?.city).startsWith(RUN))
    .map((item) => ({
      caseId: String(item.caseId),
      tag: String((item.region as { city: string }).city),
      version: Number(item.version),
    }));
  const caseIds = new Set(cases.map((c) => c.caseId));
  const notes = caseItems
    .filter((item) => String(item.sk).startsWith('NOTE#') && caseIds.has(String(item.caseId)))
    .map((item) => ({ caseId: String(item.caseId) }));
  const events = auditItems
    .filter((item) => myRequests.has(String(item.requestId)) || caseIds.has(String(item.caseId)))
    .map((item) => ({
      requestId: String(item.requestId),
      ...(item.caseId === undefined ? {} : { caseId: String(item.caseId) }),
      action: String(item.action),
      outcome: Number(item.outcome),
      disposition: item.disposition === undefined ? undefined : String(item.disposition),
    }));
  return { cases, notes, events };
}

const outcomesOf = (ledger: Ledger, reply: Reply) =>
  ledger.events.filter((event) => event.requestId === reply.requestId).map((event) => event.outcome);

const isSuccess = (outcome: number) => outcome >= 200 && outcome < 300;

/** The strings anywhere in a log record, but for the top-level keys named. */
function stringsIn(value: unknown, skipKeys: string[] = []): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as LogRecord)
    .filter(([key]) => !skipKeys.includes(key))
    .flatMap(([, inner]) => stringsIn(inner));
}

/**
 * The invariant of DESIGN §6: each stored case has exactly one successful create event, one successful
 * update event per version after the first, and one successful note event per stored note; and no
 * successful write event names a case that is not stored.
 */
function expectEveryWriteAudited(ledger: Ledger): void {
  // A replayed answer records no write: each stored write has exactly one event that says it was made.
  const successes = (caseId: string, action: string) =>
    ledger.events.filter(
      (e) =>
        e.caseId === caseId && e.action === action && isSuccess(e.outcome) && e.disposition !== 'replayed',
    ).length;
  const stored = ledger.cases.map((c) => ({
    caseId: c.caseId,
    'case.create': 1,
    'case.update': c.version - 1,
    'case.note': ledger.notes.filter((note) => note.caseId === c.caseId).length,
  }));
  const audited = ledger.cases.map((c) => ({
    caseId: c.caseId,
    'case.create': successes(c.caseId, 'case.create'),
    'case.update': successes(c.caseId, 'case.update'),
    'case.note': successes(c.caseId, 'case.note'),
  }));
  expect(audited).toEqual(stored);
  const storedIds = new Set(ledger.cases.map((c) => c.caseId));
  const claimsWithoutData = ledger.events.filter(
    (e) =>
      WRITE_ACTIONS.includes(e.action) &&
      isSuccess(e.outcome) &&
      e.disposition !== 'replayed' &&
      !storedIds.has(e.caseId ?? ''),
  );
  expect(claimsWithoutData).toEqual([]);
}

/**
 * A 503 problem+json that says nothing of the case or of what failed inside: `service-unavailable`, or
 * `outcome-unknown` for a write DynamoDB neither confirmed nor refused.
 */
function expectFailedClosed(reply: Reply, code = 'service-unavailable'): void {
  expect(reply.status).toBe(503);
  expect(reply.contentType).toMatch(/^application\/problem\+json/);
  expect(reply.retryAfter).toBe('1');
  expect(reply.json).toEqual({
    type: `https://himaya.example/problems/${code}`,
    title: 'Service Unavailable',
    status: 503,
    detail: expect.any(String),
    code,
  });
  expect(reply.text).not.toMatch(INTERNALS);
  for (const canary of Object.values(CANARIES)) expect(reply.text).not.toContain(canary);
}

interface Target {
  tag: string;
  caseId?: string;
}

/** A write, the state it starts from, and whether it is found applied in the tables. */
interface Write {
  name: string;
  successStatus: number;
  prepare(): Promise<Target>;
  act(target: Target): Promise<Reply>;
  applied(ledger: Ledger, target: Target): boolean;
}

const versionOf = (ledger: Ledger, caseId: string | undefined) =>
  ledger.cases.find((c) => c.caseId === caseId)?.version;

const updateCase = (caseId: string | undefined) =>
  send('PATCH', `/v1/cases/${caseId}`, {
    body: {
      status: 'intervention',
      sections: { assessment: { riskLevel: 'critical', summary: CANARIES.assessment, findings: [] } },
    },
    headers: { 'if-match': '"1"' },
  });

const addNote = (caseId: string | undefined) =>
  send('POST', `/v1/cases/${caseId}/notes`, {
    body: { kind: 'police-response', text: CANARIES.note },
    headers: { 'idempotency-key': randomUUID() },
  });

const WRITES: Write[] = [
  {
    name: 'create',
    successStatus: 201,
    prepare: async () => ({ tag: nextTag() }),
    act: ({ tag }) => createCase(tag),
    applied: (ledger, { tag }) => ledger.cases.some((c) => c.tag === tag),
  },
  {
    name: 'update',
    successStatus: 200,
    prepare: createdCase,
    act: ({ caseId }) => updateCase(caseId),
    applied: (ledger, { caseId }) => versionOf(ledger, caseId) === 2,
  },
  {
    name: 'note',
    successStatus: 201,
    prepare: createdCase,
    act: ({ caseId }) => addNote(caseId),
    applied: (ledger, { caseId }) => ledger.notes.some((note) => note.caseId === caseId),
  },
];

const readCase = (caseId: string | undefined) =>
  send('GET', `/v1/cases/${caseId}`, { headers: { 'x-himaya-purpose': 'child-protection' } });

/** The SDK calls (targets, in order) that one successful run of `act` makes through `proxy`. */
async function callsOf(proxy: FaultProxy, act: () => Promise<Reply>): Promise<string[]> {
  proxy.reset();
  const reply = await act();
  expect(reply.status).toBeLessThan(300);
  return proxy.calls().map((call) => call.target);
}

/** Arms `proxy` to fail the i-th call of `calls` (counted among the calls to the same target). */
function failCallAt(proxy: FaultProxy, calls: string[], i: number, fault: Fault): void {
  const target = calls[i] as string;
  proxy.reset();
  proxy.failCall(target, calls.slice(0, i).filter((t) => t === target).length, fault);
}

/** The calls the armed fault failed: it must hit the call it was meant for, and only that one. */
const failedCalls = () =>
  dynamodb
    .calls()
    .filter((call) => call.failed)
    .map((call) => call.target);

describe('requests when KMS or DynamoDB fails', () => {
  beforeAll(async () => {
    dynamodb = await startFaultProxy(stack.dynamodb);
    kms = await startFaultProxy(stack.kms);
    // The functions read their configuration at import, so it is set before the first request loads them.
    // They log as deployed (INFO), into a capture: the run prints nothing, and one test reads the lines.
    output = captureOutput();
    Object.assign(process.env, stack.environment, {
      DYNAMODB_ENDPOINT: dynamodb.url,
      KMS_ENDPOINT: kms.url,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      BRANCH_KEY_CACHE_TTL_SECONDS: '3600',
    });
    const issuer = await openIssuer(stack.issuerKeyFile, await readDirectoryFile());
    gateway = await startGateway({
      port: 0,
      issuer,
      loadHandler: async (fn) =>
        ((await import(`../../functions/${fn}.ts`)) as { handler: LambdaHandler }).handler,
    });
    token = await issuer.issue('cfpc');
    tables = DynamoDBDocumentClient.from(localDynamoDb(stack));
    // The branch key's active version (writes) and the version cases are read under, unwrapped once.
    const warm = await createdCase();
    expect((await readCase(warm.caseId)).status).toBe(200);
    dynamodb.reset();
    kms.reset();
  });

  afterEach(() => {
    dynamodb.reset();
    kms.reset();
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([dynamodb?.close(), kms?.close()]);
    tables?.destroy();
    output?.restore();
  });

  it('retries a single failed attempt of the write transaction: the case is stored once, with one event', async () => {
    // Prepare
    const tag = nextTag();
    dynamodb.failCall(TRANSACT, 0, faults.dynamoDbInternalError, { attempts: 1 });

    // Act
    const created = await createCase(tag);

    // Assess
    expect(created.status).toBe(201);
    expect(dynamodb.calls().find((call) => call.target === TRANSACT)).toEqual({
      target: TRANSACT,
      attempts: 2,
      failed: true,
    });
    const ledger = await readLedger();
    expect(ledger.cases.filter((c) => c.tag === tag)).toHaveLength(1);
    expect(outcomesOf(ledger, created)).toEqual([201]);
    expectEveryWriteAudited(ledger);
  });

  it.each(WRITES)(
    '$name: a DynamoDB error at any one of its SDK calls never leaves data without its event, nor an event without its data',
    async (write) => {
      // Prepare: the calls a successful write makes. The transaction holds the data and its event;
      // a call after it (the idempotency record's completion) fails only after the write is committed.
      const start = await write.prepare();
      const calls = await callsOf(dynamodb, () => write.act(start));
      expect(calls.filter((target) => target === TRANSACT)).toHaveLength(1);
      const commit = calls.indexOf(TRANSACT);

      // Act: fail each call in turn, every attempt of it, in each of the ways DynamoDB fails.
      const attempts: { i: number; fault: string; target: Target; reply: Reply; hit: string[] }[] = [];
      for (const i of calls.keys()) {
        for (const [fault, answer] of DYNAMODB_FAULTS) {
          const target = await write.prepare();
          failCallAt(dynamodb, calls, i, answer);
          const reply = await write.act(target);
          attempts.push({ i, fault, target, reply, hit: failedCalls() });
        }
      }
      dynamodb.reset();

      // Assess. Before the commit: 503, and nothing written but the 503 event. After it: the write stands
      // with its event, so the caller is told it succeeded; a 503 would deny a write the log records.
      const ledger = await readLedger();
      const observed = attempts.map(({ i, fault, target, reply, hit }) => ({
        call: `${i}:${calls[i]}`,
        fault,
        hit,
        status: reply.status,
        applied: write.applied(ledger, target),
        events: outcomesOf(ledger, reply),
      }));
      const expected = attempts.map(({ i, fault }) => {
        const committed = i > commit;
        const status = committed ? write.successStatus : 503;
        return {
          call: `${i}:${calls[i]}`,
          fault,
          hit: [calls[i]],
          status,
          applied: committed,
          events: [status],
        };
      });
      expect(observed).toEqual(expected);
      // A transaction that failed with a server error or a dropped connection may have been applied, as
      // far as the function can tell: it says so. A throttled one (a 400) surely was not.
      for (const { i, fault, reply } of attempts.filter((attempt) => attempt.reply.status === 503)) {
        const unknown = calls[i] === TRANSACT && fault !== 'ProvisionedThroughputExceeded';
        expectFailedClosed(reply, unknown ? 'outcome-unknown' : 'service-unavailable');
      }
      expectEveryWriteAudited(ledger);
    },
  );

  it('a create whose answer is lost says outcome-unknown; its retry answers the case that landed, and the log tells both', async () => {
    // Prepare: the transaction reaches DynamoDB and is applied, every time, but no answer comes back.
    const tag = nextTag();
    const key = randomUUID();
    const body = fullCaseBody({ region: { emirate: 'sharjah', city: tag } });
    const post = (sent: unknown) =>
      send('POST', '/v1/cases', { body: sent, headers: { 'idempotency-key': key } });
    dynamodb.reset();
    dynamodb.failCall(TRANSACT, 0, faults.loseAnswer);

    // Act
    const lost = await post(body);
    dynamodb.reset();
    const retried = await post(body);
    const again = await post(body);
    const reused = await post({ ...body, urgency: 'low' });

    // Assess: one case, answered to every retry of the same request; another body under the key is refused.
    const ledger = await readLedger();
    expectFailedClosed(lost, 'outcome-unknown');
    expect(ledger.cases.filter((c) => c.tag === tag)).toHaveLength(1);
    const stored = ledger.cases.find((c) => c.tag === tag);
    expect([retried.status, again.status]).toEqual([201, 201]);
    expect(retried.json?.caseId).toBe(stored?.caseId);
    expect(again.json).toEqual(retried.json);
    expect(reused.status).toBe(422);
    expect(reused.json?.code).toBe('idempotency-key-reused');
    // The write's own event says what was committed; the event of the answer says what the client was told.
    const events = ledger.events.filter(
      (event) => event.caseId === stored?.caseId && event.action === 'case.create',
    );
    expect(
      events
        .filter((event) => event.requestId === lost.requestId)
        .map((e) => [e.outcome, e.disposition])
        .sort(),
    ).toEqual([
      [201, 'committed'],
      [503, undefined],
    ]);
  });

  it('read: a DynamoDB error at any one of its SDK calls gives 503 and no content, and the 503 is logged', async () => {
    // Prepare
    const { caseId } = await createdCase();
    const calls = await callsOf(dynamodb, () => readCase(caseId));
    const auditPut = calls.lastIndexOf('DynamoDB_20120810.PutItem');
    expect(auditPut).toBe(calls.length - 1);

    // Act
    const attempts: { i: number; fault: string; reply: Reply; hit: string[] }[] = [];
    for (const i of calls.keys()) {
      for (const [fault, answer] of DYNAMODB_FAULTS) {
        failCallAt(dynamodb, calls, i, answer);
        const reply = await readCase(caseId);
        attempts.push({ i, fault, reply, hit: failedCalls() });
      }
    }
    dynamodb.reset();

    // Assess: when the read's event cannot be written (it is written while the sections are decrypted),
    // nothing is returned, and the 503 that replaced the answer is logged, as is a read of the case failing.
    // A failure of the notes page, read beside the event, comes after the event was written ahead ("ahead",
    // 200): the 503 that replaced the answer is logged beside it.
    const ledger = await readLedger();
    const ahead = (i: number) => i > 0 && calls[i] !== 'DynamoDB_20120810.PutItem';
    const observed = attempts.map(({ i, fault, reply, hit }) => ({
      call: `${i}:${calls[i]}`,
      fault,
      hit,
      status: reply.status,
      events: ledger.events
        .filter((event) => event.requestId === reply.requestId)
        .map((event) => [event.outcome, event.disposition])
        .sort(),
    }));
    const expected = attempts.map(({ i, fault }) => ({
      call: `${i}:${calls[i]}`,
      fault,
      hit: [calls[i]],
      status: 503,
      events: ahead(i)
        ? [
            [200, 'ahead'],
            [503, undefined],
          ]
        : [[503, undefined]],
    }));
    expect(observed).toEqual(expected);
    for (const { reply } of attempts) {
      expectFailedClosed(reply);
      expect(reply.json).not.toHaveProperty('sections');
    }
    expectEveryWriteAudited(ledger);
  });

  it('read: when the answer to its event’s write is lost and the SDK retries, the read answers 200 with one event', async () => {
    // Prepare: the audit Put lands but its first answer never comes back; the retry finds the event there.
    const { caseId } = await createdCase();
    dynamodb.reset();
    dynamodb.failCall('DynamoDB_20120810.PutItem', 0, faults.loseAnswer, { attempts: 1 });

    // Act
    const reply = await readCase(caseId);

    // Assess: the event that landed is the read's event, and it is the only one: no 503 that was not true.
    const retried = dynamodb.calls().find((call) => call.target === 'DynamoDB_20120810.PutItem');
    expect(retried).toMatchObject({ attempts: 2, failed: true });
    expect(reply.status).toBe(200);
    expect(reply.json).toHaveProperty('sections');
    const ledger = await readLedger();
    expect(outcomesOf(ledger, reply)).toEqual([200]);
    expectEveryWriteAudited(ledger);
  });

  describe('once the branch key cache TTL has passed', () => {
    const TTL_SECONDS = 3;
    const ttlPassed = () => new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 250));
    const sorted = (outcomes: number[]) => [...outcomes].sort();

    beforeAll(() => {
      // The gateway imports the functions for each request: from here on, fresh ones with a short TTL.
      process.env.BRANCH_KEY_CACHE_TTL_SECONDS = String(TTL_SECONDS);
      vi.resetModules();
    });

    afterAll(() => {
      process.env.BRANCH_KEY_CACHE_TTL_SECONDS = '3600';
      vi.resetModules();
    });

    it('serves from the cached branch key while KMS is stopped; once the TTL has passed, answers 503 to create, read, update and note', async () => {
      // Prepare: the branch key unwrapped just now, for writing and for reading
      const existing = await createdCase();
      expect((await readCase(existing.caseId)).status).toBe(200);
      const newTag = nextTag();
      kms.stop();

      // Act
      const withinTtl = await readCase(existing.caseId);
      await ttlPassed();
      const replies = {
        create: await createCase(newTag),
        read: await readCase(existing.caseId),
        update: await updateCase(existing.caseId),
        note: await addNote(existing.caseId),
      };
      kms.reset();

      // Assess, with KMS back. The read's event is written while it decrypts: then its 503 is logged beside it.
      expect(withinTtl.status).toBe(200);
      for (const reply of Object.values(replies)) expectFailedClosed(reply);
      const ledger = await readLedger();
      expect(ledger.cases.some((c) => c.tag === newTag)).toBe(false);
      expect(versionOf(ledger, existing.caseId)).toBe(1);
      expect(ledger.notes.filter((n) => n.caseId === existing.caseId)).toEqual([]);
      const outcomes = Object.fromEntries(
        Object.entries(replies).map(([name, reply]) => [name, sorted(outcomesOf(ledger, reply))]),
      );
      expect(outcomes).toEqual({ create: [503], read: [200, 503], update: [503], note: [503] });
      const readEvents = ledger.events.filter((event) => event.requestId === replies.read.requestId);
      expect(readEvents.map((event) => [event.outcome, event.disposition]).sort()).toEqual([
        [200, 'ahead'],
        [503, undefined],
      ]);
      expectEveryWriteAudited(ledger);
    });

    it('logs a failed request by the names of its errors only: no message, stack, token, body or section', async () => {
      // Prepare
      const existing = await createdCase();
      const newTag = nextTag();
      output.clear();
      kms.stop();
      await ttlPassed();

      // Act
      const replies = [
        await createCase(newTag),
        await readCase(existing.caseId),
        await updateCase(existing.caseId),
        await addNote(existing.caseId),
      ];
      kms.reset();

      // Assess
      for (const reply of replies) expectFailedClosed(reply);
      const records = output.records();
      const errorsOf = (reply: Reply) =>
        records.filter((r) => r.level === 'ERROR' && r.function_request_id === reply.requestId);
      for (const reply of replies) expect(errorsOf(reply).length, reply.requestId).toBeGreaterThanOrEqual(1);
      for (const record of replies.flatMap(errorsOf)) {
        expect(stringsIn(record).some((text) => /\w(Error|Exception)$/.test(text))).toBe(true);
      }
      expect(output.strayLines()).toEqual([]);
      // `message` is the line's fixed text; every other string is a name, an id, a time or a status.
      expect(
        records.flatMap((record) => stringsIn(record, ['message'])).filter((text) => /\s/.test(text)),
      ).toEqual([]);
      const secrets = [token, newTag, ...Object.values(CANARIES), faults.kmsInternal.body.message];
      for (const line of output.lines) for (const secret of secrets) expect(line).not.toContain(secret);
      for (const line of output.lines) expect(line).not.toMatch(/\sat\s.+:\d+/);
    });

    it.each([
      ['fails', faults.kmsInternal],
      ['refuses a disabled key', faults.kmsKeyDisabled],
      // Every attempt times out; a read's keyring reports it by message only, never as a damaged record.
      ['does not answer in time', faults.loseAnswer],
    ] as const)(
      'answers 503 when KMS %s at the Decrypt that unwraps the branch key for a create or a read',
      async (_, fault) => {
        // Prepare
        const existing = await createdCase();
        const newTag = nextTag();

        // Act
        await ttlPassed();
        kms.failCall('TrentService.Decrypt', 0, fault);
        const create = await createCase(newTag);
        kms.reset();
        await ttlPassed();
        kms.failCall('TrentService.Decrypt', 0, fault);
        const read = await readCase(existing.caseId);

        // Assess
        expectFailedClosed(create);
        expectFailedClosed(read);
        const ledger = await readLedger();
        expect(ledger.cases.some((c) => c.tag === newTag)).toBe(false);
        expect([outcomesOf(ledger, create), sorted(outcomesOf(ledger, read))]).toEqual([[503], [200, 503]]);
        expectEveryWriteAudited(ledger);
      },
    );
  });
});

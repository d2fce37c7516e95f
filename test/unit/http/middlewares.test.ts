import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../../../src/domain/audit/canonical';
import type { AuditEvent } from '../../../src/domain/audit/event';
import type { Directory } from '../../../src/domain/directory';
import {
  CaseNotFoundError,
  DependencyUnavailableError,
  RequestKeyReusedError,
  WriteOutcomeUnknownError,
} from '../../../src/domain/errors';
import type { ApiContext } from '../../../src/http/api-request';
import {
  ForbiddenError,
  IdempotencyInProgressError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../../src/http/errors';
import { accessLog } from '../../../src/http/middlewares/access-log';
import { authorization } from '../../../src/http/middlewares/authorization';
import { idempotency } from '../../../src/http/middlewares/idempotency';
import { jsonBody, MAX_BODY_BYTES } from '../../../src/http/middlewares/json-body';
import { problemJson } from '../../../src/http/middlewares/problem-json';
import { requestContext } from '../../../src/http/middlewares/request-context';
import { requestMetrics } from '../../../src/http/middlewares/request-metrics';
import { loneSurrogatePath, requestValidation } from '../../../src/http/middlewares/request-validation';
import type { ApiMiddleware, ApiMiddyRequest } from '../../../src/http/middlewares/types';
import { problemResponse } from '../../../src/http/problem';
import { routes } from '../../../src/http/routes';
import { createLogger } from '../../../src/observability/logger';
import { MemoryIdempotencyStore } from '../../support/fakes/memory-idempotency-store';

/** The authorizer's claims of an event, to change one. */
const claimsOf = (event: APIGatewayProxyEvent) =>
  event.requestContext.authorizer?.claims as Record<string, string>;

const fixture = readFileSync(new URL('../../events/api-gateway-add-note.json', import.meta.url), 'utf8');
const directory: Directory = {
  agencies: [
    { id: 'police', name: { en: 'Police', ar: 'الشرطة' }, kind: 'police' },
    { id: 'cfpc', name: { en: 'Centre', ar: 'المركز' }, kind: 'social-services' },
  ],
  clients: [{ id: 'police', agency: 'police', scopes: ['cases.read', 'cases.write'] }],
  oversight: [],
} as unknown as Directory;
const NOW = new Date('2026-11-30T10:00:00.000Z');

/** The add-note event of the fixture, changed as a test needs. */
function noteEvent(change: (event: APIGatewayProxyEvent) => void = () => {}): APIGatewayProxyEvent {
  const event = JSON.parse(fixture) as APIGatewayProxyEvent;
  change(event);
  return event;
}

function requestOf(event: APIGatewayProxyEvent): ApiMiddyRequest {
  const context = { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 10_000 } as unknown as ApiContext;
  return { event, context, response: undefined, error: undefined, internal: {} } as ApiMiddyRequest;
}

/** Runs the `before` hooks in order, as middy does, and returns the request. */
async function runBefores(event: APIGatewayProxyEvent, ...chain: ApiMiddleware[]) {
  const request = requestOf(event);
  for (const middleware of chain) await middleware.before?.(request);
  return request;
}

const context = () => requestContext({ routes, directory });

describe('requestContext', () => {
  it('resolves the route and reads who is asking, once', async () => {
    const request = await runBefores(noteEvent(), context());

    expect(request.context.api?.route.operationId).toBe('addNote');
    expect(request.context.api?.identity).toMatchObject({
      clientId: 'police',
      agency: 'police',
      isAccessToken: true,
      scopes: ['cases.read', 'cases.write'],
      user: { value: 'officer.ahmed', sent: true },
      purpose: { value: null, sent: false },
      caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
    });
  });

  it('holds an invalid header as absent, never verbatim', async () => {
    const request = await runBefores(
      noteEvent((e) => (e.headers['x-himaya-user'] = 'drop table;')),
      context(),
    );

    expect(request.context.api?.identity.user).toEqual({ value: null, sent: true });
  });

  it('refuses a path no route has', async () => {
    await expect(
      runBefores(
        noteEvent((e) => (e.resource = '/v1/unknown')),
        context(),
      ),
    ).rejects.toBeInstanceOf(RouteNotFoundError);
  });
});

describe('authorization', () => {
  it('gives the operation the caller', async () => {
    const request = await runBefores(noteEvent(), context(), authorization());

    expect(request.context.api?.auth).toEqual({
      agency: 'police',
      clientId: 'police',
      scopes: ['cases.read', 'cases.write'],
      user: 'officer.ahmed',
    });
  });

  it.each([
    ['no claims', (e: APIGatewayProxyEvent) => (e.requestContext.authorizer = null), UnauthorizedError],
    ['an ID token', (e: APIGatewayProxyEvent) => (claimsOf(e).token_use = 'id'), UnauthorizedError],
    [
      'no write scope',
      (e: APIGatewayProxyEvent) => (claimsOf(e).scope = 'himaya/cases.read'),
      ForbiddenError,
    ],
    [
      'an unregistered client',
      (e: APIGatewayProxyEvent) => (claimsOf(e).client_id = 'other'),
      ForbiddenError,
    ],
    ['no officer', (e: APIGatewayProxyEvent) => delete e.headers['x-himaya-user'], ValidationError],
    [
      'a malformed Idempotency-Key',
      (e: APIGatewayProxyEvent) => (e.headers['idempotency-key'] = 'short'),
      ValidationError,
    ],
  ])('refuses %s', async (_, change, refusal) => {
    await expect(runBefores(noteEvent(change), context(), authorization())).rejects.toBeInstanceOf(refusal);
  });

  it('says whether the officer header was missing or invalid', async () => {
    const missing = runBefores(
      noteEvent((e) => delete e.headers['x-himaya-user']),
      context(),
      authorization(),
    );
    const invalid = runBefores(
      noteEvent((e) => (e.headers['x-himaya-user'] = ' ')),
      context(),
      authorization(),
    );

    await expect(missing).rejects.toMatchObject({
      errors: [{ path: 'headers.x-himaya-user', message: 'required' }],
    });
    await expect(invalid).rejects.toMatchObject({
      errors: [{ path: 'headers.x-himaya-user', message: 'invalid value' }],
    });
  });
});

describe('jsonBody and requestValidation', () => {
  it('parses and validates the body, params and query of the route', async () => {
    const request = await runBefores(noteEvent(), context(), jsonBody(), requestValidation());

    expect(request.context.api?.body).toEqual({
      kind: 'update',
      text: 'Visited the family; the child is safe at school.',
    });
    expect(request.context.api?.params).toEqual({ caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10' });
  });

  it('refuses a body over the limit, one not sent as JSON, and one that is not JSON', async () => {
    const tooLarge = noteEvent((e) => (e.body = JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) })));
    const asText = noteEvent((e) => (e.headers['content-type'] = 'text/plain'));
    const broken = noteEvent((e) => (e.body = '{"text": '));
    const absent = noteEvent((e) => (e.body = null));

    await expect(runBefores(tooLarge, context(), jsonBody())).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(runBefores(asText, context(), jsonBody())).rejects.toMatchObject({ statusCode: 415 });
    for (const type of ['application/foo+json', 'application/json; charset=latin1', 'application/jsonx']) {
      const other = noteEvent((e) => (e.headers['content-type'] = type));
      await expect(runBefores(other, context(), jsonBody())).rejects.toMatchObject({ statusCode: 415 });
    }
    const upper = noteEvent((e) => (e.headers['content-type'] = 'Application/JSON; Charset=UTF-8'));
    await expect(runBefores(upper, context(), jsonBody())).resolves.toBeDefined();
    await expect(runBefores(broken, context(), jsonBody())).rejects.toMatchObject({ statusCode: 422 });
    await expect(runBefores(absent, context(), jsonBody())).rejects.toMatchObject({ statusCode: 422 });
  });

  it('names each invalid field', async () => {
    const event = noteEvent((e) => {
      e.body = JSON.stringify({ kind: 'gossip', text: 'x', extra: 1 });
      e.pathParameters = { caseId: 'not-a-uuid' };
    });

    const refused = runBefores(event, context(), jsonBody(), requestValidation());

    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    const error = (await refused.catch((e: ValidationError) => e)) as ValidationError;
    expect(error.errors?.map((issue) => issue.path)).toEqual(expect.arrayContaining(['body.kind', 'body']));
  });

  it('finds a lone surrogate in a key or a string at any depth, and takes surrogate pairs', () => {
    let nested: unknown = ['\udc00'];
    for (let i = 0; i < 100_000; i++) nested = [nested];

    expect(loneSurrogatePath({ a: [{ b: 'x' }, { c: 'ok \ud800' }] })).toBe('a.1.c');
    expect(loneSurrogatePath({ a: { '\udfff': 1 } })).toBe('a.\ufffd');
    expect(loneSurrogatePath('\ud83d\ude00 \ud800')).toBe('');
    expect(
      loneSurrogatePath({ a: ['\ud83d\ude00', 'عبدالله', 7, null, true], '\ud83d\ude00': 'x' }),
    ).toBeUndefined();
    expect(loneSurrogatePath(nested)).toBe(`${'0.'.repeat(100_000)}0`);
  });

  it('refuses a lone surrogate in the body, a path or query parameter, or a header it reads', async () => {
    const refusals: [(event: APIGatewayProxyEvent) => void, string][] = [
      [(e) => (e.body = '{"kind":"update","text":"seen \\ud800"}'), 'body.text'],
      [(e) => (e.body = '{"kind":"update","text":"seen","\\udc00":{}}'), 'body.\ufffd'],
      [(e) => (e.pathParameters = { caseId: '\ud800' }), 'params.caseId'],
      [(e) => (e.queryStringParameters = { limit: '1\udbff' }), 'query.limit'],
      [(e) => (e.headers['if-match'] = '"1\ud800"'), 'headers.if-match'],
      [(e) => (e.headers['idempotency-key'] = 'key-\ud800-0001'), 'headers.idempotency-key'],
    ];
    for (const [change, path] of refusals) {
      const refused = runBefores(noteEvent(change), context(), jsonBody(), requestValidation());

      const error = (await refused.catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.errors).toEqual([{ path, message: 'contains a lone UTF-16 surrogate' }]);
    }
  });
});

describe('accessLog', () => {
  const recorderOf = (fail = false) => {
    const events: AuditEvent[] = [];
    return {
      events,
      record: vi.fn(async (event: AuditEvent) => {
        if (fail) throw new DependencyUnavailableError(new Error('stalled'));
        events.push(event);
      }),
    };
  };
  const log = (recorder: ReturnType<typeof recorderOf>) =>
    accessLog({ recorder, clock: () => NOW, logger: createLogger('test') });

  it('records one event with the status the caller gets', async () => {
    const recorder = recorderOf();
    const middleware = log(recorder);
    const request = await runBefores(noteEvent(), context(), middleware);
    request.response = { statusCode: 404, body: '' };

    await middleware.after?.(request);

    expect(recorder.events).toEqual([
      expect.objectContaining({
        action: 'case.note',
        outcome: 404,
        agency: 'police',
        user: 'officer.ahmed',
        caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
        time: NOW.toISOString(),
      }),
    ]);
  });

  it('records the refusal of a lone surrogate with an event that has canonical JSON', async () => {
    const recorder = recorderOf();
    const middleware = log(recorder);
    const event = noteEvent((e) => {
      e.body = '{"text":"\\ud800"}';
      e.path = `${e.path}\ud800`;
    });
    const request = requestOf(event);
    const chain = [context(), middleware, authorization(), jsonBody(), requestValidation()];

    const refused = await (async () => {
      for (const step of chain) await step.before?.(request);
    })().catch((error: unknown) => error);
    request.response = problemResponse(refused);
    await middleware.onError?.(request);

    expect(recorder.events).toHaveLength(1);
    expect(canonicalJson(recorder.events[0])).toContain('"outcome":400');
  });

  it('writes nothing when the operation recorded its event in its own transaction', async () => {
    const recorder = recorderOf();
    const middleware = log(recorder);
    const request = await runBefores(noteEvent(), context(), middleware);
    request.context.api?.trail?.recorded(request.context.api.trail.eventFor(201));
    request.response = { statusCode: 201, body: '{}' };

    await middleware.after?.(request);

    expect(recorder.record).not.toHaveBeenCalled();
  });

  it('adds the answer when it differs from what the write committed, and marks a replayed answer', async () => {
    const recorder = recorderOf();
    const middleware = log(recorder);
    const failed = await runBefores(noteEvent(), context(), middleware);
    failed.context.api?.trail?.recorded(failed.context.api.trail.eventFor(201));
    failed.response = { statusCode: 503, body: '' };
    const replay = await runBefores(noteEvent(), context(), middleware);
    replay.context.api?.trail?.replayed();
    replay.response = { statusCode: 201, body: '{}' };

    await middleware.after?.(failed);
    await middleware.after?.(replay);

    expect(recorder.events.map((e) => [e.outcome, e.disposition])).toEqual([
      [503, undefined],
      [201, 'replayed'],
    ]);
  });

  it('writes an event ahead through the trail, and adds the answer only when it differs', async () => {
    const recorder = recorderOf();
    const middleware = log(recorder);
    const served = await runBefores(noteEvent(), context(), middleware);
    const failed = await runBefores(noteEvent(), context(), middleware);

    await served.context.api?.trail?.recordAhead(200);
    await failed.context.api?.trail?.recordAhead(200);
    served.response = { statusCode: 200, body: '{}' };
    failed.response = { statusCode: 503, body: '' };
    await middleware.after?.(served);
    await middleware.after?.(failed);

    expect(recorder.events.map((e) => [e.outcome, e.disposition])).toEqual([
      [200, 'ahead'],
      [200, 'ahead'],
      [503, undefined],
    ]);
  });

  it('fails a write ahead whose outcome is unknown as unavailable, so that the caller gets 503', async () => {
    const middleware = accessLog({
      recorder: { record: async () => Promise.reject(new WriteOutcomeUnknownError(new Error('timeout'))) },
      clock: () => NOW,
      logger: createLogger('test'),
    });
    const request = await runBefores(noteEvent(), context(), middleware);

    // Not WriteOutcomeUnknownError (a subclass), whose answer would tell the caller to retry a write.
    await expect(request.context.api?.trail?.recordAhead(200)).rejects.toMatchObject({
      name: 'DependencyUnavailableError',
    });
  });

  it('returns nothing but a 503 when the event cannot be written', async () => {
    const middleware = log(recorderOf(true));
    const request = await runBefores(noteEvent(), context(), middleware);
    request.response = { statusCode: 200, body: '{"sections":{"report":"secret"}}' };

    await middleware.after?.(request);

    expect(request.response.statusCode).toBe(503);
    expect(request.response.body).not.toContain('secret');
  });
});

describe('problemJson', () => {
  it('answers any error as problem+json and logs a 5xx by error names only', async () => {
    const logger = createLogger('test');
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const request = requestOf(noteEvent());
    request.error = new DependencyUnavailableError(new Error('national id 784-1990 in an SDK message'));

    await problemJson(logger).onError?.(request);

    expect(request.response?.statusCode).toBe(503);
    expect(logged).toHaveBeenCalledWith('request failed', {
      operation: undefined,
      errorName: 'DependencyUnavailableError',
      causeName: 'Error',
    });
    expect(JSON.stringify(logged.mock.calls)).not.toContain('784-1990');
  });
});

describe('idempotency', () => {
  const ID_KEY = new Uint8Array(32).fill(3);
  const chainFor = (store: MemoryIdempotencyStore, caseVisible = async () => true) => [
    context(),
    authorization(),
    jsonBody(),
    requestValidation(),
    idempotency({ store, idKey: async () => ID_KEY, caseVisible, fn: 'cases', logger: createLogger('test') }),
  ];
  const created: APIGatewayProxyResult = {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      noteId: 'n-1',
      kind: 'update',
      text: 'Visited the family; the child is safe at school.',
    }),
  };

  async function firstRequest(store: MemoryIdempotencyStore) {
    const chain = chainFor(store);
    const request = await runBefores(noteEvent(), ...chain);
    request.response = created;
    await chain.at(-1)?.after?.(request);
    return request;
  }

  it('answers a retry with the first response, and keeps no echo of the request body in clear', async () => {
    const store = new MemoryIdempotencyStore();
    const first = await firstRequest(store);

    const retry = await runBefores(noteEvent(), ...chainFor(store));

    expect(first.context.api?.replay).toBeUndefined();
    expect(retry.context.api?.replay).toEqual(created);
    expect(JSON.stringify([...store.records.values()])).not.toContain('the child is safe');
  });

  it('claims no key for a body with a lone surrogate: its digest has no canonical JSON', async () => {
    const store = new MemoryIdempotencyStore();
    const refused = noteEvent((e) => (e.body = '{"text":"\\ud800"}'));

    await expect(runBefores(refused, ...chainFor(store))).rejects.toBeInstanceOf(ValidationError);

    expect(store.records.size).toBe(0);
    expect((await runBefores(noteEvent(), ...chainFor(store))).context.api?.replay).toBeUndefined();
  });

  it('refuses the same key with another body, and a retry while the first still runs', async () => {
    const store = new MemoryIdempotencyStore();
    await firstRequest(store);
    const other = noteEvent((e) => (e.body = JSON.stringify({ text: 'Another note entirely.' })));
    const running = new MemoryIdempotencyStore();
    await runBefores(noteEvent(), ...chainFor(running));

    await expect(runBefores(other, ...chainFor(store))).rejects.toBeInstanceOf(RequestKeyReusedError);
    await expect(runBefores(noteEvent(), ...chainFor(running))).rejects.toBeInstanceOf(
      IdempotencyInProgressError,
    );
  });

  it('keeps only keyed digests: no plain hash of the body, the key or the path', async () => {
    const store = new MemoryIdempotencyStore();
    const first = await firstRequest(store);
    const event = noteEvent();
    const body = JSON.parse(event.body ?? '{}') as { text: string };
    const hashes = [event.body ?? '', canonicalJson(body), body.text].flatMap((text) =>
      ['md5', 'sha256'].flatMap((hash) => {
        const digest = createHash(hash).update(text).digest();
        return [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
      }),
    );

    const stored = JSON.stringify([...store.records.values()]);

    for (const hash of hashes) expect(stored).not.toContain(hash);
    expect(stored).not.toContain('note-2026-11-30-0001');
    expect(first.context.api?.write?.digest).toBeDefined();
  });

  it('takes a percent-encoded path for the same resource as the plain one', async () => {
    const plain = await runBefores(noteEvent(), ...chainFor(new MemoryIdempotencyStore()));
    const encoded = await runBefores(
      noteEvent((e) => (e.path = e.path.replace('/0b8f', '/%30b8%66'))),
      ...chainFor(new MemoryIdempotencyStore()),
    );

    expect(encoded.context.api?.write).toEqual(plain.context.api?.write);
  });

  it('answers a retry 404 once the caller can no longer see the case, as for a case that does not exist', async () => {
    const store = new MemoryIdempotencyStore();
    await firstRequest(store);

    await expect(runBefores(noteEvent(), ...chainFor(store, async () => false))).rejects.toBeInstanceOf(
      CaseNotFoundError,
    );
  });

  it('lets a retry run again when the first one failed', async () => {
    const store = new MemoryIdempotencyStore();
    const chain = chainFor(store);
    const failed = await runBefores(noteEvent(), ...chain);
    failed.error = new DependencyUnavailableError();
    await chain.at(-1)?.onError?.(failed);

    const retry = await runBefores(noteEvent(), ...chainFor(store));

    expect(retry.context.api?.replay).toBeUndefined();
  });
});

describe('requestMetrics', () => {
  it('counts each request by the outcome class of the status sent', async () => {
    const metrics = new Metrics({ namespace: 'Himaya', serviceName: 'himaya-test' });
    const dimension = vi.spyOn(metrics, 'addDimension');
    const request = requestOf(noteEvent());
    request.response = { statusCode: 503, body: '' };

    await requestMetrics(metrics).onError?.(request);

    expect(dimension).toHaveBeenCalledWith('outcome', '5xx');
  });
});

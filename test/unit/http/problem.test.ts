import { describe, expect, it } from 'vitest';
import {
  EventNotSealedError,
  ProofIntegrityError,
  ProofRangeError,
} from '../../../src/domain/audit/proof-service';
import {
  AccessChangedError,
  SectionIntegrityError,
  StaleVersionError,
} from '../../../src/domain/cases/ports';
import {
  AccessContentionError,
  CaseNotFoundError,
  ConfigurationError,
  DependencyUnavailableError,
  DuplicateRequestError,
  EmergencyAccessLiveError,
  PurposeNotPermittedError,
  RequestNotFoundError,
  RuleViolationError,
  ShareNotFoundError,
  VersionRequiredError,
} from '../../../src/domain/errors';
import { AlreadyDecidedError, EmergencyCapReachedError } from '../../../src/domain/exchange/ports';
import { InvalidCursorError } from '../../../src/domain/paging';
import { ReviewClosedError } from '../../../src/domain/reviews/ports';
import { RouteNotFoundError, ValidationError } from '../../../src/http/errors';
import { problemResponse, toProblem } from '../../../src/http/problem';

describe('the error to problem+json mapping', () => {
  it.each([
    [new CaseNotFoundError(), 404, 'not-found'],
    [new RequestNotFoundError(), 404, 'not-found'],
    [new ShareNotFoundError(), 404, 'not-found'],
    [new InvalidCursorError(), 400, 'invalid-request'],
    [
      new ProofRangeError('from must not exceed to.', [{ path: 'query.from', message: 'at most 3' }]),
      400,
      'invalid-request',
    ],
    [new AccessContentionError(), 409, 'access-changed'],
    [new DuplicateRequestError('A note was already added.'), 409, 'duplicate-request'],
    [new AlreadyDecidedError(), 409, 'already-decided'],
    [new ReviewClosedError(), 409, 'already-closed'],
    [new EventNotSealedError(), 409, 'not-yet-sealed'],
    [new StaleVersionError(), 412, 'stale-version'],
    [new PurposeNotPermittedError(), 403, 'purpose-not-permitted'],
    [new RuleViolationError('Only the owning agency updates a case.', 'not-owner'), 422, 'not-owner'],
    [new VersionRequiredError(), 428, 'precondition-required'],
    [new SectionIntegrityError(), 500, 'integrity-failure'],
    [new ProofIntegrityError(), 500, 'integrity-failure'],
    [new ConfigurationError('No key is configured for this agency.'), 500, 'configuration'],
    [new DependencyUnavailableError(new Error('socket hang up')), 503, 'service-unavailable'],
  ])('maps %s to its status and code', (error, status, code) => {
    const { problem } = toProblem(error);

    expect(problem).toMatchObject({ status, code, type: `https://himaya.example/problems/${code}` });
    expect(problem.detail).toBe(error.message);
  });

  it('names the live emergency grant in the 409, as extension members', () => {
    const error = new EmergencyAccessLiveError(
      '6f1c2a4e-2b1d-4c3e-9f00-1a2b3c4d5e6f',
      '2026-12-01T14:00:00.000Z',
    );

    expect(toProblem(error).problem).toMatchObject({
      status: 409,
      code: 'emergency-access-live',
      grantId: '6f1c2a4e-2b1d-4c3e-9f00-1a2b3c4d5e6f',
      expiresAt: '2026-12-01T14:00:00.000Z',
    });
  });

  it('answers the daily cap with 429 and Retry-After until the day ends', () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();

    const { problem, headers } = toProblem(new EmergencyCapReachedError(inAnHour));

    expect(problem).toMatchObject({ status: 429, code: 'emergency-cap-reached' });
    expect(Number(headers['Retry-After'])).toBeGreaterThan(3_500);
    expect(Number(headers['Retry-After'])).toBeLessThanOrEqual(3_600);
  });

  it('answers a store contention that escaped its retry as the retry would have', () => {
    expect(toProblem(new AccessChangedError())).toEqual(toProblem(new AccessContentionError()));
  });

  it('names the broken rule and the fields of a rule violation', () => {
    const error = new RuleViolationError('No such agency.', 'unknown-agency', [
      { path: 'body.agency', message: 'No such agency.' },
    ]);

    expect(toProblem(error).problem).toMatchObject({
      status: 422,
      code: 'unknown-agency',
      errors: [{ path: 'body.agency', message: 'No such agency.' }],
    });
  });

  it('keeps the status and headers of the HTTP layer’s own errors', () => {
    const { problem, headers } = toProblem(
      new ValidationError('Header x is missing.', [{ path: 'headers.x', message: 'required' }]),
    );
    const unavailable = problemResponse(new DependencyUnavailableError());

    expect(problem).toMatchObject({ status: 400, code: 'invalid-request', errors: [{ path: 'headers.x' }] });
    expect(headers).toEqual({});
    expect(unavailable.headers).toMatchObject({ 'Retry-After': '1', 'Cache-Control': 'no-store' });
  });

  it('answers a case the caller may not see exactly as an unknown path: byte-identical bodies', () => {
    expect(problemResponse(new CaseNotFoundError())).toEqual(problemResponse(new RouteNotFoundError()));
  });

  it('turns anything unknown into a 500 that repeats nothing of the error', () => {
    const leaky = new Error(
      'AccessDeniedException: arn:aws:kms:me-central-1:111111111111:key/secret national id 784-1990',
    );
    const response = problemResponse(leaky);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'internal',
      detail: 'The request could not be completed.',
    });
    expect(response.body).not.toMatch(/arn:|784-1990|AccessDenied/);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
  });

  it('reads the statuses middy’s JSON body parser throws: 415 stays, unparseable JSON is a 400', () => {
    const middyError = (statusCode: number) => Object.assign(new Error('middy'), { statusCode });

    expect(toProblem(middyError(415)).problem).toMatchObject({ status: 415, code: 'unsupported-media-type' });
    expect(toProblem(middyError(422)).problem).toMatchObject({ status: 400, code: 'malformed-json' });
    expect(toProblem(middyError(500)).problem).toMatchObject({ status: 500, code: 'internal' });
  });
});

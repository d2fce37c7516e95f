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
  RequestNotFoundError,
  RuleViolationError,
  ShareNotFoundError,
  VersionRequiredError,
} from '../../../src/domain/errors';
import { AlreadyDecidedError } from '../../../src/domain/exchange/ports';
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

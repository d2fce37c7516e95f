import type { APIGatewayProxyResult } from 'aws-lambda';
import { EventNotSealedError, ProofRangeError } from '../domain/audit/proof-service';
import { AccessChangedError, StaleVersionError } from '../domain/cases/ports';
import {
  AccessContentionError,
  ConfigurationError,
  DependencyUnavailableError,
  DuplicateRequestError,
  EmergencyAccessLiveError,
  IntegrityFailureError,
  NotFoundError,
  PurposeNotPermittedError,
  RequestKeyReusedError,
  RuleViolationError,
  VersionRequiredError,
  WriteOutcomeUnknownError,
} from '../domain/errors';
import { AlreadyDecidedError, EmergencyCapReachedError } from '../domain/exchange/ports';
import { MatchRateLimitedError } from '../domain/matching/ports';
import { InvalidCursorError } from '../domain/paging';
import { ReviewClosedError } from '../domain/reviews/ports';
import { StatsPeriodError } from '../domain/stats/periods';
import { HttpError, MalformedJsonError, UnsupportedMediaTypeError, ValidationError } from './errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
  grantId?: string;
  expiresAt?: string;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
type Translation = [ErrorClass<Error>, (error: never) => HttpError];

/**
 * The one mapping from the domain's errors to HTTP statuses, first match wins (a subclass before its
 * base). A case the caller may not see and a missing one both end here as the same 404 body.
 */
const TRANSLATIONS: Translation[] = [
  [NotFoundError, (e: NotFoundError) => new HttpError('not-found', e.message)],
  [
    InvalidCursorError,
    () =>
      new ValidationError('The cursor is not valid.', [{ path: 'query.cursor', message: 'invalid cursor' }]),
  ],
  [ProofRangeError, (e: ProofRangeError) => new ValidationError(e.message, e.fields)],
  [
    StatsPeriodError,
    (e: StatsPeriodError) => new ValidationError(e.message, [{ path: 'query.to', message: e.message }]),
  ],
  [AccessContentionError, (e: AccessContentionError) => new HttpError('access-changed', e.message)],
  // Only reached if a store's contention escaped its retry: the same answer.
  [AccessChangedError, () => new HttpError('access-changed', new AccessContentionError().message)],
  [DuplicateRequestError, (e: DuplicateRequestError) => new HttpError('duplicate-request', e.message)],
  [AlreadyDecidedError, (e: AlreadyDecidedError) => new HttpError('already-decided', e.message)],
  [
    EmergencyAccessLiveError,
    (e: EmergencyAccessLiveError) =>
      new HttpError('emergency-access-live', e.message, {
        extensions: { grantId: e.grantId, expiresAt: e.expiresAt },
      }),
  ],
  [
    EmergencyCapReachedError,
    (e: EmergencyCapReachedError) =>
      new HttpError('emergency-cap-reached', e.message, {
        headers: { 'Retry-After': String(secondsUntil(e.resetsAt)) },
      }),
  ],
  [
    MatchRateLimitedError,
    (e: MatchRateLimitedError) =>
      new HttpError('match-rate-limited', e.message, {
        headers: { 'Retry-After': String(secondsUntil(e.resetsAt)) },
      }),
  ],
  [
    PurposeNotPermittedError,
    (e: PurposeNotPermittedError) => new HttpError('purpose-not-permitted', e.message),
  ],
  [ReviewClosedError, (e: ReviewClosedError) => new HttpError('already-closed', e.message)],
  [EventNotSealedError, (e: EventNotSealedError) => new HttpError('not-yet-sealed', e.message)],
  [StaleVersionError, (e: StaleVersionError) => new HttpError('stale-version', e.message)],
  [
    RuleViolationError,
    (e: RuleViolationError) => new HttpError(e.rule, e.message, e.fields ? { errors: e.fields } : {}),
  ],
  [VersionRequiredError, (e: VersionRequiredError) => new HttpError('precondition-required', e.message)],
  [RequestKeyReusedError, (e: RequestKeyReusedError) => new HttpError('idempotency-key-reused', e.message)],
  [
    IntegrityFailureError,
    (e: IntegrityFailureError) => new HttpError('integrity-failure', e.message, { cause: e }),
  ],
  [ConfigurationError, (e: ConfigurationError) => new HttpError('configuration', e.message, { cause: e })],
  // Before its base class: the client is told the write may have landed, and how to find out.
  [
    WriteOutcomeUnknownError,
    (e: WriteOutcomeUnknownError) =>
      new HttpError('outcome-unknown', e.message, { cause: e, headers: { 'Retry-After': '1' } }),
  ],
  [
    DependencyUnavailableError,
    (e: DependencyUnavailableError) =>
      new HttpError('service-unavailable', e.message, {
        cause: e,
        headers: { 'Retry-After': '1' },
      }),
  ],
];

/** Whole seconds from now until `at`, at least 1. */
function secondsUntil(at: string): number {
  const seconds = Math.ceil((Date.parse(at) - Date.now()) / 1000);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
}

/** Errors thrown by middy's own middlewares (the JSON body parser) carry a status but not our shape. */
function fromMiddy(statusCode: number): HttpError | undefined {
  if (statusCode === 415) return new UnsupportedMediaTypeError();
  // The JSON body parser reports unparseable JSON (or a forbidden `__proto__` key) as 422: bad input.
  if (statusCode === 422) return new MalformedJsonError();
  return undefined;
}

const INTERNAL = () => new HttpError('internal', 'The request could not be completed.');

/** Any error as the HTTP error it answers with; anything unknown is a 500 that names nothing. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  for (const [type, translate] of TRANSLATIONS) {
    if (error instanceof type) return translate(error as never);
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return (typeof statusCode === 'number' && fromMiddy(statusCode)) || INTERNAL();
}

/** An RFC 9457 problem: never a stack trace, never SDK text. */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  const known = toHttpError(error);
  const problem: Problem = {
    type: `https://himaya.example/problems/${known.code}`,
    title: known.title,
    status: known.statusCode,
    detail: known.message,
    code: known.code,
  };
  if (known.errors && known.errors.length > 0) problem.errors = known.errors;
  Object.assign(problem, known.extensions);
  return { problem, headers: known.headers };
}

/** The body carries no request id, so a denied case and a missing case give byte-identical bodies. */
export function problemResponse(error: unknown): APIGatewayProxyResult {
  const { problem, headers } = toProblem(error);
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}

/**
 * The errors of the HTTP layer itself: a request that never reached the domain (no route, no valid token,
 * a body that is not JSON, an `Idempotency-Key` misused). Each carries its status and a stable `code`.
 * Domain errors carry neither; `problem.ts` maps both kinds to problem+json.
 */
import type { FieldIssue } from '../domain/errors';
import { PROBLEM_CODES, type ProblemCodeName } from './problem-codes';

/** The extension members a problem may carry (see `ProblemSchema`). */
export interface ProblemExtensions {
  grantId?: string;
  expiresAt?: string;
}

/** An answer in problem+json: its `code` (which fixes status and title), the detail, and any headers. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ProblemCodeName;
  readonly title: string;
  readonly errors: FieldIssue[] | undefined;
  readonly headers: Record<string, string>;
  /** RFC 9457 extension members, declared in the Problem schema (e.g. the live grant of a 409). */
  readonly extensions: ProblemExtensions;

  constructor(
    code: ProblemCodeName,
    detail: string,
    options: {
      cause?: unknown;
      errors?: FieldIssue[];
      headers?: Record<string, string>;
      extensions?: ProblemExtensions;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = PROBLEM_CODES[code].status;
    this.code = code;
    this.title = PROBLEM_CODES[code].title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export class ValidationError extends HttpError {
  constructor(detail: string, errors: FieldIssue[] = [], cause?: unknown) {
    super('invalid-request', detail, { errors, cause });
    this.name = 'ValidationError';
  }
}

export class MalformedJsonError extends HttpError {
  constructor() {
    super('malformed-json', 'The body is not valid JSON.');
    this.name = 'MalformedJsonError';
  }
}

export class UnauthorizedError extends HttpError {
  constructor(detail = 'A valid bearer access token is required.') {
    super('unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends HttpError {
  constructor(detail = 'The access token does not carry the scope this operation needs.') {
    super('insufficient-scope', detail);
    this.name = 'ForbiddenError';
  }
}

/** No route has this path. The body is the same as a domain "not found", by design. */
export class RouteNotFoundError extends HttpError {
  constructor() {
    super('not-found', 'No such resource.');
    this.name = 'RouteNotFoundError';
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(allowed: string[]) {
    super('method-not-allowed', 'This path does not support that method.', {
      headers: { Allow: allowed.join(', ') },
    });
    this.name = 'MethodNotAllowedError';
  }
}

export class IdempotencyInProgressError extends HttpError {
  /** `retryAfterSeconds`: until the first attempt's claim on the key expires (its function's deadline). */
  constructor(retryAfterSeconds = 1) {
    super('in-progress', 'A request with this Idempotency-Key is still in progress; retry shortly.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
    this.name = 'IdempotencyInProgressError';
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super('payload-too-large', `The request body exceeds ${limitBytes} bytes.`);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super('unsupported-media-type', 'Send the body as application/json.');
    this.name = 'UnsupportedMediaTypeError';
  }
}

/**
 * The errors a request can end with. Each carries its HTTP status and a stable machine-readable `code`;
 * `toProblem` (problem.ts) is the one place that turns any of them, or anything else, into problem+json.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: string,
    title: string,
    detail: string,
    options: { cause?: unknown; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends HttpError {
  constructor(detail: string, errors: FieldError[] = [], cause?: unknown) {
    super(400, 'invalid-request', 'Bad Request', detail, { errors, cause });
    this.name = 'ValidationError';
  }
}

export class UnauthorizedError extends HttpError {
  constructor(detail = 'A valid bearer access token is required.') {
    super(401, 'unauthorized', 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends HttpError {
  constructor(detail = 'The access token does not carry the scope this operation needs.') {
    super(403, 'insufficient-scope', 'Forbidden', detail);
    this.name = 'ForbiddenError';
  }
}

/** Also what a caller gets for a case it may not see: the body must not differ from a missing case's. */
export class NotFoundError extends HttpError {
  constructor(detail = 'No such resource.') {
    super(404, 'not-found', 'Not Found', detail);
    this.name = 'NotFoundError';
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(allowed: string[]) {
    super(405, 'method-not-allowed', 'Method Not Allowed', 'This path does not support that method.', {
      headers: { Allow: allowed.join(', ') },
    });
    this.name = 'MethodNotAllowedError';
  }
}

export class ConflictError extends HttpError {
  constructor(detail: string, code = 'conflict') {
    super(409, code, 'Conflict', detail);
    this.name = 'ConflictError';
  }
}

export class PreconditionFailedError extends HttpError {
  constructor(detail = 'The resource has changed since it was read; read it again.') {
    super(412, 'stale-version', 'Precondition Failed', detail);
    this.name = 'PreconditionFailedError';
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload-too-large', 'Payload Too Large', `The request body exceeds ${limitBytes} bytes.`);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, 'unsupported-media-type', 'Unsupported Media Type', 'Send the body as application/json.');
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class RuleViolationError extends HttpError {
  constructor(detail: string, code = 'rule-violation', errors?: FieldError[]) {
    super(422, code, 'Unprocessable Content', detail, { errors });
    this.name = 'RuleViolationError';
  }
}

export class PreconditionRequiredError extends HttpError {
  constructor(detail = 'Send If-Match with the ETag of the version you read.') {
    super(428, 'precondition-required', 'Precondition Required', detail);
    this.name = 'PreconditionRequiredError';
  }
}

/** KMS or DynamoDB failed: the request fails closed, nothing stored in clear, no content returned. */
export class DependencyUnavailableError extends HttpError {
  constructor(cause?: unknown) {
    super(
      503,
      'service-unavailable',
      'Service Unavailable',
      'A dependency failed; nothing was returned or stored. Retry later.',
      {
        cause,
        headers: { 'Retry-After': '1' },
      },
    );
    this.name = 'DependencyUnavailableError';
  }
}

import { RULES, type Rule } from '../domain/errors';

/** One problem `code`: the status it is answered with, its RFC 9457 title, and when it happens. */
export interface ProblemCode {
  status: number;
  title: string;
  means: string;
}

const rule = (means: string): ProblemCode => ({ status: 422, title: 'Unprocessable Content', means });

/** What each broken rule of the domain means to a caller (all 422). */
const RULE_MEANINGS: Record<Rule, string> = {
  'not-owner': 'Only the owning agency may do this (or, for a request, only the agency asked).',
  'not-requester': 'Only the agency that made a request may withdraw it.',
  'read-only-access': 'The caller’s access to the case is read-only (emergency access).',
  'own-case': 'The owning agency needs no emergency access to its own case.',
  'own-agency': 'An agency cannot share with or ask itself.',
  'unknown-agency': 'No such agency in the directory.',
  'unknown-section': 'No such case section.',
  'expiry-not-in-future': 'The expiry is not in the future.',
  'expiry-too-late': 'The expiry is later than the policy allows.',
  'sections-not-requested': 'An approval names a section that was not asked for.',
  'reporter-sealed': 'Emergency access never opens the reporter section.',
  'reporter-not-named': 'Only `reporter` was asked for: an approval must name it to share it.',
  'emergency-purpose-required': 'Emergency access is asked with `X-Himaya-Purpose: emergency`.',
  'emergency-section-closed': 'Emergency access opens only the configured sections.',
  'note-limit-reached': 'The agency has added as many notes to this case as the configured cap allows.',
  'open-request-limit-reached':
    'The agency has as many different requests about this case pending as the configured cap allows.',
  'section-too-large': 'A section is larger than 128 KiB as JSON.',
};

/**
 * Every problem `code` the API answers with: the one catalogue that `problem.ts` answers from, the
 * OpenAPI document publishes per operation, and the API Gateway's own answers use in AWS.
 */
export const PROBLEM_CODES = {
  'invalid-request': {
    status: 400,
    title: 'Bad Request',
    means: 'A header, parameter or body field is invalid.',
  },
  'malformed-json': { status: 400, title: 'Bad Request', means: 'The body is not valid JSON.' },
  unauthorized: { status: 401, title: 'Unauthorized', means: 'No valid bearer access token.' },
  'insufficient-scope': {
    status: 403,
    title: 'Forbidden',
    means: 'The token lacks the scope, or the client is not registered with an agency.',
  },
  'request-blocked': {
    status: 403,
    title: 'Forbidden',
    means: 'Blocked by the web application firewall (AWS).',
  },
  'purpose-not-permitted': {
    status: 403,
    title: 'Forbidden',
    means:
      'The caller’s grants on this case were not made for the purpose it reads under (emergency grants: `emergency` only).',
  },
  'not-found': {
    status: 404,
    title: 'Not Found',
    means: 'No such resource, or one the caller may not see: the two answers are identical.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method Not Allowed',
    means: 'The path does not take this method.',
  },
  'access-changed': {
    status: 409,
    title: 'Conflict',
    means:
      'The agency’s access to the case (or, for an update, the case item) kept changing under concurrent writes while the request ran; nothing was written. Retry.',
  },
  'duplicate-request': {
    status: 409,
    title: 'Conflict',
    means: 'This Idempotency-Key already created a resource whose record of the answer is gone.',
  },
  'emergency-access-live': {
    status: 409,
    title: 'Conflict',
    means:
      'The agency already holds live emergency access to the case (one at a time); `grantId` and `expiresAt` name it.',
  },
  'already-decided': { status: 409, title: 'Conflict', means: 'The request is no longer pending.' },
  'already-closed': { status: 409, title: 'Conflict', means: 'The review is already closed.' },
  'not-yet-sealed': {
    status: 409,
    title: 'Conflict',
    means: 'The event is not in a signed checkpoint yet; ask again shortly.',
  },
  'in-progress': {
    status: 409,
    title: 'Conflict',
    means: 'A request with this Idempotency-Key is still running; retry shortly.',
  },
  'stale-version': { status: 412, title: 'Precondition Failed', means: 'If-Match names an older version.' },
  'payload-too-large': { status: 413, title: 'Payload Too Large', means: 'The body exceeds 256 KiB.' },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported Media Type',
    means: 'The body is not sent as application/json.',
  },
  'idempotency-key-reused': rule('This Idempotency-Key was used with another request body.'),
  ...(Object.fromEntries(RULES.map((name) => [name, rule(RULE_MEANINGS[name])])) as Record<
    Rule,
    ProblemCode
  >),
  'precondition-required': {
    status: 428,
    title: 'Precondition Required',
    means: 'An update needs If-Match with the ETag read.',
  },
  'too-many-requests': { status: 429, title: 'Too Many Requests', means: 'Throttled (AWS); retry later.' },
  'emergency-cap-reached': {
    status: 429,
    title: 'Too Many Requests',
    means:
      'The agency used every emergency access allowed per UTC day; `Retry-After` says when the day ends. Operators are alerted.',
  },
  'match-rate-limited': {
    status: 429,
    title: 'Too Many Requests',
    means:
      'The agency made as many match lookups this minute as the configured limit allows; `Retry-After` says when the minute ends.',
  },
  internal: { status: 500, title: 'Internal Server Error', means: 'The request could not be completed.' },
  'integrity-failure': {
    status: 500,
    title: 'Internal Server Error',
    means: 'A stored record failed its integrity check; nothing was returned.',
  },
  configuration: {
    status: 500,
    title: 'Internal Server Error',
    means: 'The deployment lacks a key or setting.',
  },
  'bad-gateway': { status: 502, title: 'Bad Gateway', means: 'The function failed (API Gateway’s answer).' },
  'service-unavailable': {
    status: 503,
    title: 'Service Unavailable',
    means: 'KMS or DynamoDB failed; nothing was stored or returned. Retry after Retry-After.',
  },
  'outcome-unknown': {
    status: 503,
    title: 'Service Unavailable',
    means:
      'A write was sent but not confirmed: it may or may not be stored. Retry with the same Idempotency-Key and body: the retry answers the stored resource, or stores it.',
  },
  timeout: {
    status: 504,
    title: 'Gateway Timeout',
    means: 'The function did not answer in time (API Gateway).',
  },
} as const satisfies Record<string, ProblemCode>;

export type ProblemCodeName = keyof typeof PROBLEM_CODES;

/**
 * How long each part of a request may take, each deadline inside the next, so that whoever gives up
 * first can still answer properly: a stalled DynamoDB or KMS makes the function answer 503 problem+json
 * with Retry-After, never API Gateway's 502 (function timed out) or 504 (integration timed out).
 *
 *   one SDK call      ≤ 2 attempts × 2 s, + under 50 ms between them                  ≈ 4.05 s
 *   a failed request  ≤ 3 stalled calls in a row: the operation's own, then on the way
 *                       out the idempotency record's release and the 503's audit event ≈ 12.2 s
 *   the function      15 s (Lambda timeout)
 *   API Gateway       29 s (integration timeout, enforced by the local gateway as well)
 *
 * Calls made side by side (the Encryption SDK's one KMS call per section) count once. A throttled
 * attempt is answered at once and its retry waits under 1 s, which stays inside the same budget.
 */
export const DEADLINES = {
  /** Opening a connection to an AWS endpoint: a few round trips, even across a region. */
  connectMs: 300,
  /**
   * One attempt, from sending the request to its response (and, while reading the body, the longest
   * silence): DynamoDB and KMS answer in tens of milliseconds, so this means stalled, not slow.
   */
  requestMs: 2000,
  /** Attempts per SDK call, the first included: one retry, for a throttle or a dropped connection. */
  maxAttempts: 2,
  /** The SDK's delay before its first retry of a timeout or a 5xx is random, below this. */
  retryBackoffMs: 50,
  /** Stalled calls a failed request can make one after the other before it answers. */
  failurePathCalls: 3,
  /** The Lambda timeout of the API functions. */
  functionTimeoutSeconds: 15,
  /** API Gateway's integration timeout (REST APIs' default and maximum without a quota increase). */
  gatewayTimeoutSeconds: 29,
} as const;

/** The longest one SDK call can take, retry included. */
export const SDK_CALL_BUDGET_MS =
  DEADLINES.maxAttempts * DEADLINES.requestMs + (DEADLINES.maxAttempts - 1) * DEADLINES.retryBackoffMs;

/** The longest a request waiting on a stalled dependency takes to answer 503. */
export const FAILED_REQUEST_BUDGET_MS = DEADLINES.failurePathCalls * SDK_CALL_BUDGET_MS;

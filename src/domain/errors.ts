/**
 * What can go wrong in the domain, in its own words. No error here knows of HTTP: `src/http/problem.ts` is
 * the one place that maps each to a problem+json status. Messages are safe to show a caller; a `cause`
 * (an SDK error, say) is kept for logs and never shown.
 */

/**
 * Base of every error the domain and its ports raise on purpose; anything else reaching an adapter's
 * boundary is a failure of a dependency.
 */
export class DomainError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DomainError';
  }
}

/** A field of the caller's input that broke a rule: where, and why. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** What the caller asked for does not exist, or exists and must not be revealed to this caller. */
export class NotFoundError extends DomainError {
  constructor(message = 'No such resource.', options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

/** The case does not exist, or the caller may not see it: the two must be indistinguishable. */
export class CaseNotFoundError extends NotFoundError {
  constructor() {
    super();
    this.name = 'CaseNotFoundError';
  }
}

/** The request does not exist, is not addressed to the caller, or was never delivered to it. */
export class RequestNotFoundError extends NotFoundError {
  constructor() {
    super();
    this.name = 'RequestNotFoundError';
  }
}

export class ShareNotFoundError extends NotFoundError {
  constructor() {
    super('This agency holds no live share of the case.');
    this.name = 'ShareNotFoundError';
  }
}

export class ReviewNotFoundError extends NotFoundError {
  constructor() {
    super();
    this.name = 'ReviewNotFoundError';
  }
}

/**
 * The caller holds live grants on the case, none made for the purpose it reads under. It knows the case
 * exists (it was shared with it), so this is no secret; an agency with no grant gets `CaseNotFoundError`.
 */
export class PurposeNotPermittedError extends DomainError {
  constructor() {
    super('Your grants on this case were not made for this purpose (X-Himaya-Purpose).');
    this.name = 'PurposeNotPermittedError';
  }
}

/**
 * The agency already holds a live emergency grant on the case: one at a time. It is named, so the caller
 * uses it rather than stacking another.
 */
export class EmergencyAccessLiveError extends DomainError {
  readonly grantId: string;
  readonly expiresAt: string;

  constructor(grantId: string, expiresAt: string) {
    super('Your agency already holds live emergency access to this case; it lasts until expiresAt.');
    this.name = 'EmergencyAccessLiveError';
    this.grantId = grantId;
    this.expiresAt = expiresAt;
  }
}

/** The rules an operation can break, by name: the name is the problem `code` callers see. */
export const RULES = [
  'not-owner',
  'not-requester',
  'read-only-access',
  'own-case',
  'own-agency',
  'unknown-agency',
  'unknown-section',
  'expiry-not-in-future',
  'expiry-too-late',
  'sections-not-requested',
  'reporter-sealed',
  'reporter-not-named',
  'emergency-purpose-required',
  'emergency-section-closed',
  'note-limit-reached',
  'open-request-limit-reached',
  'section-too-large',
] as const;
export type Rule = (typeof RULES)[number];

/** An operation broke a rule of the exchange; `rule` names it. */
export class RuleViolationError extends DomainError {
  readonly rule: Rule;
  readonly fields: FieldIssue[] | undefined;

  constructor(message: string, rule: Rule, fields?: FieldIssue[]) {
    super(message);
    this.name = 'RuleViolationError';
    this.rule = rule;
    this.fields = fields;
  }
}

/** A write made again under the same client key: the first one stands. */
export class DuplicateRequestError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'DuplicateRequestError';
  }
}

/** An update must say which version it changes. */
export class VersionRequiredError extends DomainError {
  constructor() {
    super('Send If-Match with the ETag of the version you read.');
    this.name = 'VersionRequiredError';
  }
}

/** Who may see the case kept changing while the operation ran; nothing was written. */
export class AccessContentionError extends DomainError {
  constructor(message = 'The case changed while this request was served; retry it.') {
    super(message);
    this.name = 'AccessContentionError';
  }
}

/** A store or the key service failed, timed out or refused us: nothing was returned or stored. */
export class DependencyUnavailableError extends DomainError {
  constructor(cause?: unknown) {
    super('A dependency failed; nothing was returned or stored. Retry later.', { cause });
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * A write was sent but no answer came back (a timeout, a broken connection): it may or may not be stored.
 * A retry with the same Idempotency-Key and body settles it: it finds what landed, or writes it.
 */
export class WriteOutcomeUnknownError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super(cause);
    this.message =
      'The write may or may not have been stored. Retry with the same Idempotency-Key and body to find out.';
    this.name = 'WriteOutcomeUnknownError';
  }
}

/** A client key that already stands for another request: the first one's resource is not this one's. */
export class RequestKeyReusedError extends DomainError {
  constructor(cause?: unknown) {
    super('This Idempotency-Key was used with another request body.', { cause });
    this.name = 'RequestKeyReusedError';
  }
}

/** A stored record is not what was written (moved, altered, or under another key): show nothing. */
export class IntegrityFailureError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IntegrityFailureError';
  }
}

/** The deployment lacks something an operation needs (an agency's key, say). */
export class ConfigurationError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

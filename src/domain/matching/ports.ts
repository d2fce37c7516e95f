import type { AuditEvent } from '../audit/event';
import { DomainError } from '../errors';
import type { DomainEvent } from '../exchange/events';
import type { BlindIndexInput } from './blind-index';

/**
 * Blind-index tokens: HMAC-SHA-256 under the deployment's HMAC key (KMS `GenerateMac` in the adapter),
 * one call per input, in input order. Fails with `DependencyUnavailableError` when the key service fails.
 */
export interface BlindIndexer {
  tokens(inputs: readonly BlindIndexInput[]): Promise<Uint8Array[]>;
}

/**
 * One entry of the blind index, as stored: its truncated token (`key`) in clear, to be looked up; the
 * case it points to and its full token only inside `sealed` (encrypted under the owner's key, bound to
 * `entryId`). Nothing else links it to its case or to the case's other entries.
 */
export interface IndexEntry {
  entryId: string;
  key: string;
  ownerAgency: string;
  sealed: Uint8Array;
}

/** The entries a write adds, and the ids of those it removes, in the transaction of the case write. */
export interface IndexChange {
  put: IndexEntry[];
  remove: string[];
}

/** An entry found under a truncated token: a candidate until its full token is confirmed. */
export type IndexCandidate = Omit<IndexEntry, 'key'>;

/**
 * The lookups and writes of matching. Errors: `MatchRateLimitedError`; a failing store raises
 * `DependencyUnavailableError`.
 */
export interface MatchStore {
  /** Every entry under one truncated token. */
  candidates(key: string): Promise<IndexCandidate[]>;
  /** Counts one lookup of the agency in the minute starting at `minute`, refused past `limit`. */
  countLookup(agency: string, minute: string, limit: number): Promise<void>;
  /** The lookup's audit events and its `match.found` events (outbox), in one transaction. */
  recordLookup(events: AuditEvent[], found: DomainEvent[]): Promise<void>;
}

/** The agency made as many lookups this minute as the policy allows. */
export class MatchRateLimitedError extends DomainError {
  readonly resetsAt: string;

  constructor(resetsAt: string) {
    super('Your agency has made as many match lookups this minute as allowed; retry after Retry-After.');
    this.name = 'MatchRateLimitedError';
    this.resetsAt = resetsAt;
  }
}

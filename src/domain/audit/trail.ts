import type { AuditEvent } from './event';

/** What an event says the request concerned, beyond its path: the case, the resource, the grants used. */
export interface TrailDetails {
  caseId?: string;
  resource?: string;
  grantIds?: string[];
}

/**
 * The audit event of the request being served. A write asks for its event and stores it in the same
 * transaction as the data (marked `committed`), then says so; otherwise the function writes the event
 * itself, before any content is returned. Where the answer differs from what a committed event says
 * (the write landed, the answer was a failure), the function writes a second event with the answer.
 */
export interface AuditTrail {
  /** `resource` names what was acted on when the path does not (default: the path, plus a created case's id). */
  eventFor(outcome: number, details?: { caseId?: string; resource?: string }): AuditEvent;
  recorded(event: AuditEvent): void;
  /**
   * What the request turned out to concern when its path does not say (a request id names a case):
   * every event made after this carries it, a refusal's as much as a success's.
   */
  concerns(details: TrailDetails): void;
  /** The request was answered with what an earlier request under its Idempotency-Key stored. */
  replayed(): void;
  /**
   * Writes the event of the answer about to be given now, so that a read can write it while it decrypts;
   * the answer waits for it. If the answer then differs, the function writes a second event with it.
   * Fails with `DependencyUnavailableError` when the event may not be in the log.
   */
  recordAhead(outcome: number): Promise<void>;
}

/** Where an event is written on its own, when no transaction of the domain's wrote it (reads, refusals). */
export interface AuditEventRecorder {
  record(event: AuditEvent): Promise<void>;
}

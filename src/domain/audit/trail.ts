import type { AuditEvent } from './event';

/**
 * The audit event of the request being served. A write asks for its event and stores it in the same
 * transaction as the data, then says so; otherwise the function writes the event itself, before any
 * content is returned.
 */
export interface AuditTrail {
  eventFor(outcome: number, details?: { caseId?: string }): AuditEvent;
  recorded(event: AuditEvent): void;
}

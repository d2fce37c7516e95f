import type { AuditEvent } from '../../../src/domain/audit/event';
import type { AuditTrail, TrailDetails } from '../../../src/domain/audit/trail';

/** The audit trail of one request, in memory: the events asked for, those said recorded, what it concerns. */
export class MemoryTrail implements AuditTrail {
  readonly made: AuditEvent[] = [];
  readonly recordedEvents: AuditEvent[] = [];
  concerned: TrailDetails = {};
  wasReplayed = false;

  eventFor(outcome: number, details: { caseId?: string; resource?: string } = {}): AuditEvent {
    const caseId = details.caseId ?? this.concerned.caseId;
    const event: AuditEvent = {
      eventId: `event-${this.made.length + 1}`,
      time: '2026-12-01T10:00:00.000Z',
      agency: 'test',
      clientId: 'test',
      user: 'test',
      action: 'test',
      resource: details.resource ?? this.concerned.resource ?? '/v1/test',
      ...(caseId ? { caseId } : {}),
      outcome,
      requestId: 'request-1',
      sourceIp: '10.0.0.1',
    };
    this.made.push(event);
    return event;
  }

  recorded(event: AuditEvent): void {
    this.recordedEvents.push(event);
  }

  concerns(details: TrailDetails): void {
    this.concerned = { ...this.concerned, ...details };
  }

  replayed(): void {
    this.wasReplayed = true;
  }

  async recordAhead(outcome: number): Promise<void> {
    this.recorded(this.eventFor(outcome));
  }
}

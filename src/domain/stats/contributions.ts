import type { CATEGORIES, EMIRATES, STATUSES, Urgency } from '../cases/schemas';
import { bucketOf, minutesBetween } from './histogram';
import { monthOf } from './periods';
import { COUNT, type Counter, counterId, histogramMeasure, MET, MISSED, type TableId } from './tables';

type Category = (typeof CATEGORIES)[number];
type Emirate = (typeof EMIRATES)[number];
type Status = (typeof STATUSES)[number];

/**
 * What the statistics learn from a change, as the stream aggregator maps it from the
 * Cases table's stream: metadata and exchange records only. No event names a section, a person, or
 * free text; counters keep no case or request id.
 */
export interface CaseFacts {
  caseId: string;
  ownerAgency: string;
  category: Category;
  urgency: Urgency;
  status: Status;
  emirate: Emirate;
  createdAt: string;
  version: number;
}

export type StatsEvent =
  | { type: 'case.created'; case: CaseFacts }
  /** The metadata before and after one update (the stream's old and new image). */
  | { type: 'case.changed'; before: CaseFacts; after: CaseFacts }
  /**
   * The owner's first action on a new report. `escalated`: the report had been escalated before it (the
   * escalation already counted the deadline as missed).
   */
  | {
      type: 'report.first-action';
      caseId: string;
      agency: string;
      urgency: Urgency;
      createdAt: string;
      dueAt: string;
      actedAt: string;
      escalated: boolean;
    }
  | {
      type: 'report.overdue';
      caseId: string;
      agency: string;
      urgency: Urgency;
      createdAt: string;
      at: string;
    }
  | { type: 'request.created'; requestId: string; toAgency: string; urgency: Urgency; createdAt: string }
  | {
      type: 'request.decided';
      requestId: string;
      toAgency: string;
      urgency: Urgency;
      createdAt: string;
      decidedAt: string;
      decision: 'approve' | 'deny';
    }
  | { type: 'request.withdrawn'; requestId: string; toAgency: string; urgency: Urgency; createdAt: string }
  | { type: 'request.overdue'; requestId: string; toAgency: string; urgency: Urgency; at: string }
  | { type: 'emergency-access.granted'; requestId: string; agency: string; at: string }
  | {
      type: 'emergency-access.reviewed';
      requestId: string;
      agency: string;
      grantedAt: string;
      outcome: 'justified' | 'not-justified' | 'referred';
    };

/**
 * The idempotency key of an event: a natural key of the change, the same however often (and by
 * whichever path) it is delivered. Each names something that happens once: a case's creation, one
 * version of it, a request's decision. The aggregator writes `APPLIED#<key>` in the same transaction
 * as the counter updates, on condition it does not exist; a redelivery fails the condition and adds
 * nothing.
 */
export function contributionKey(event: StatsEvent): string {
  switch (event.type) {
    case 'case.created':
      return `case:${event.case.caseId}:v${event.case.version}`;
    case 'case.changed':
      return `case:${event.after.caseId}:v${event.after.version}`;
    case 'report.first-action':
      return `case:${event.caseId}:first-action`;
    case 'report.overdue':
      return `case:${event.caseId}:overdue`;
    case 'request.created':
    case 'request.decided':
    case 'request.withdrawn':
    case 'request.overdue':
      return `request:${event.requestId}:${event.type.slice('request.'.length)}`;
    case 'emergency-access.granted':
    case 'emergency-access.reviewed':
      return `request:${event.requestId}:${event.type.slice('emergency-access.'.length)}`;
  }
}

const delta = (table: TableId, at: string, agency: string, dims: string[], measure = COUNT, value = 1) => ({
  table,
  month: monthOf(at),
  agency,
  dims,
  measure,
  value,
});

/** A case's counts in the three report tables, all in its creation month. */
function caseCounts(facts: CaseFacts, sign: 1 | -1): Counter[] {
  const { ownerAgency: agency, createdAt: at } = facts;
  return [
    delta('reports-by-month', at, agency, [facts.category], COUNT, sign),
    delta('reports-by-emirate', at, agency, [facts.emirate, facts.category], COUNT, sign),
    delta('reports-by-urgency-status', at, agency, [facts.urgency, facts.status], COUNT, sign),
  ];
}

function firstAction(event: Extract<StatsEvent, { type: 'report.first-action' }>): Counter[] {
  const { agency, createdAt: at, urgency } = event;
  const minutes = minutesBetween(event.createdAt, event.actedAt);
  const deltas = [delta('rapid-response', at, agency, [urgency], histogramMeasure(bucketOf(minutes)))];
  if (event.escalated) return deltas;
  const met = new Date(event.actedAt).getTime() <= new Date(event.dueAt).getTime();
  return [...deltas, delta('rapid-response', at, agency, [urgency], met ? MET : MISSED)];
}

function requestDecided(event: Extract<StatsEvent, { type: 'request.decided' }>): Counter[] {
  const { toAgency: agency, createdAt: at, urgency } = event;
  const bucket = bucketOf(minutesBetween(event.createdAt, event.decidedAt));
  return [
    delta('exchange-requests', at, agency, [urgency, 'pending'], COUNT, -1),
    delta('exchange-requests', at, agency, [urgency, event.decision === 'approve' ? 'approved' : 'denied']),
    delta('exchange-decision-time', at, agency, [urgency], histogramMeasure(bucket)),
  ];
}

/**
 * The counter deltas of one event. Deltas may be negative (a status change moves a case from one
 * cell to another); counters are sums, so deltas commute and the order of delivery does not matter,
 * only that each event is applied once (`contributionKey`).
 */
export function contributions(event: StatsEvent): Counter[] {
  switch (event.type) {
    case 'case.created':
      return caseCounts(event.case, 1);
    case 'case.changed':
      return netted([...caseCounts(event.before, -1), ...caseCounts(event.after, 1)]);
    case 'report.first-action':
      return firstAction(event);
    case 'report.overdue':
      return [
        delta('rapid-response', event.createdAt, event.agency, [event.urgency], MISSED),
        delta('escalations', event.at, event.agency, [event.urgency, 'report']),
      ];
    case 'request.created':
      return [delta('exchange-requests', event.createdAt, event.toAgency, [event.urgency, 'pending'])];
    case 'request.decided':
      return requestDecided(event);
    case 'request.withdrawn':
      return [
        delta('exchange-requests', event.createdAt, event.toAgency, [event.urgency, 'pending'], COUNT, -1),
        delta('exchange-requests', event.createdAt, event.toAgency, [event.urgency, 'withdrawn']),
      ];
    case 'request.overdue':
      return [delta('escalations', event.at, event.toAgency, [event.urgency, 'request'])];
    case 'emergency-access.granted':
      return [delta('emergency-access', event.at, event.agency, ['awaiting-review'])];
    case 'emergency-access.reviewed':
      return [
        delta('emergency-access', event.grantedAt, event.agency, ['awaiting-review'], COUNT, -1),
        delta('emergency-access', event.grantedAt, event.agency, [event.outcome]),
      ];
  }
}

/** Deltas on the same counter summed, and those summing to zero dropped (an update that moved nothing). */
export function netted(deltas: readonly Counter[]): Counter[] {
  const sums = new Map<string, Counter>();
  for (const counter of deltas) {
    const id = counterId(counter);
    const seen = sums.get(id);
    sums.set(id, { ...counter, value: (seen?.value ?? 0) + counter.value });
  }
  return [...sums.values()].filter((counter) => counter.value !== 0);
}

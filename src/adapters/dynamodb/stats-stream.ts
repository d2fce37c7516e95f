import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Urgency } from '../../domain/cases/schemas';
import { dueAt, type ExchangePolicy } from '../../domain/exchange/policy';
import type { CaseFacts, StatsEvent } from '../../domain/stats/contributions';

/** A Cases stream record as the aggregator reads it (NEW_AND_OLD_IMAGES; Lambda's event and GetRecords). */
export interface StatsStreamRecord {
  eventName?: string | undefined;
  dynamodb?:
    | {
        NewImage?: Record<string, unknown> | undefined;
        OldImage?: Record<string, unknown> | undefined;
        /** Epoch seconds in Lambda's event; a Date from GetRecords. */
        ApproximateCreationDateTime?: number | Date | undefined;
      }
    | undefined;
}

type Item = Record<string, unknown>;
type Change = { name: string; old: Item | undefined; new: Item | undefined; at: string };

const imageOf = (image: Record<string, unknown> | undefined): Item | undefined =>
  image ? (unmarshall(image as Record<string, AttributeValue>) as Item) : undefined;

function changeOf(record: StatsStreamRecord): Change {
  const approximate = record.dynamodb?.ApproximateCreationDateTime;
  const at =
    approximate instanceof Date
      ? approximate
      : new Date(typeof approximate === 'number' ? approximate * 1000 : Date.now());
  return {
    name: record.eventName ?? '',
    old: imageOf(record.dynamodb?.OldImage),
    new: imageOf(record.dynamodb?.NewImage),
    at: at.toISOString(),
  };
}

/** The metadata the statistics count a case by: never a section, never the city. */
function caseFacts(item: Item): CaseFacts {
  return {
    caseId: String(item.caseId),
    ownerAgency: String(item.ownerAgency),
    category: item.category as CaseFacts['category'],
    urgency: item.urgency as Urgency,
    status: item.status as CaseFacts['status'],
    emirate: (item.region as { emirate: CaseFacts['emirate'] }).emirate,
    createdAt: String(item.createdAt),
    version: Number(item.version),
  };
}

/**
 * A case head's change: its creation, a new version, and the end of its first-action deadline (the
 * due-queue keys removed): by the sweep's escalation (`escalatedAt` set) or by the owner's first action,
 * whose time is the new version's `updatedAt` when it was an update, else the stream record's time.
 */
function caseEvents(change: Change, policy: ExchangePolicy): StatsEvent[] {
  const after = change.new;
  if (!after) return [];
  if (change.name === 'INSERT') return [{ type: 'case.created', case: caseFacts(after) }];
  const before = change.old;
  if (change.name !== 'MODIFY' || !before) return [];
  const events: StatsEvent[] = [];
  if (before.version !== after.version) {
    events.push({ type: 'case.changed', before: caseFacts(before), after: caseFacts(after) });
  }
  if (typeof before.gsi4pk === 'string' && after.gsi4pk === undefined) {
    const facts = caseFacts(before);
    const base = { caseId: facts.caseId, agency: facts.ownerAgency, urgency: facts.urgency };
    if (typeof after.escalatedAt === 'string' && before.escalatedAt === undefined) {
      events.push({ type: 'report.overdue', ...base, createdAt: facts.createdAt, at: after.escalatedAt });
    } else {
      const actedAt = before.version !== after.version ? String(after.updatedAt) : change.at;
      const due = dueAt(facts.createdAt, facts.urgency, policy);
      events.push({
        type: 'report.first-action',
        ...base,
        createdAt: facts.createdAt,
        dueAt: due,
        actedAt,
        escalated: false,
      });
    }
  }
  return events;
}

const OPEN = 'pending';

/** An access request's or emergency access's creation, decision, withdrawal or escalation. */
function requestEvents(change: Change): StatsEvent[] {
  const item = change.new;
  if (!item) return [];
  const requestId = String(item.requestId);
  const createdAt = String(item.createdAt);
  if (item.kind === 'emergency-access') {
    if (change.name !== 'INSERT') return [];
    return [{ type: 'emergency-access.granted', requestId, agency: String(item.fromAgency), at: createdAt }];
  }
  const base = { requestId, toAgency: String(item.toAgency), urgency: item.urgency as Urgency, createdAt };
  if (change.name === 'INSERT') return [{ type: 'request.created', ...base }];
  const before = change.old;
  if (change.name !== 'MODIFY' || !before) return [];
  const events: StatsEvent[] = [];
  const decision = item.decision as { decision: 'approve' | 'deny'; decidedAt: string } | undefined;
  if (before.status === OPEN && decision && (item.status === 'approved' || item.status === 'denied')) {
    events.push({
      type: 'request.decided',
      ...base,
      decidedAt: decision.decidedAt,
      decision: decision.decision,
    });
  }
  if (before.status === OPEN && item.status === 'withdrawn')
    events.push({ type: 'request.withdrawn', ...base });
  if (typeof item.escalatedAt === 'string' && before.escalatedAt === undefined) {
    events.push({
      type: 'request.overdue',
      requestId,
      toAgency: base.toAgency,
      urgency: base.urgency,
      at: item.escalatedAt,
    });
  }
  return events;
}

/** An emergency access's review closed by compliance with its outcome. */
function reviewEvents(change: Change): StatsEvent[] {
  const item = change.new;
  const before = change.old;
  if (change.name !== 'MODIFY' || !item || !before) return [];
  const closure = item.closure as { outcome: 'justified' | 'not-justified' | 'referred' } | undefined;
  if (item.kind !== 'emergency-access' || before.status !== 'open' || item.status !== 'closed') return [];
  if (!closure || typeof item.requestId !== 'string') return [];
  return [
    {
      type: 'emergency-access.reviewed',
      requestId: item.requestId,
      agency: String(item.agency),
      // The review is made in the emergency access's own transaction, at the same time.
      grantedAt: String(item.createdAt),
      outcome: closure.outcome,
    },
  ];
}

/**
 * What the statistics learn from a batch of Cases stream records: case heads, requests and emergency
 * accesses, and reviews. Every other item (sections' notes, grants, listings, the outbox…) is ignored,
 * and nothing read from a section: the images' `sections` are never looked at.
 */
export function statsEventsFromStream(
  records: readonly StatsStreamRecord[],
  policy: ExchangePolicy,
): StatsEvent[] {
  return records.flatMap((record): StatsEvent[] => {
    const change = changeOf(record);
    const type = (change.new ?? change.old)?.type;
    if (type === 'case') return caseEvents(change, policy);
    if (type === 'request') return requestEvents(change);
    if (type === 'review') return reviewEvents(change);
    return [];
  });
}

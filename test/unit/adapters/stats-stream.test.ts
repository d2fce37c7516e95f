import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { type StatsStreamRecord, statsEventsFromStream } from '../../../src/adapters/dynamodb/stats-stream';
import { DEFAULT_POLICY } from '../../../src/domain/exchange/policy';

/** Stream records as the Cases table writes them (NEW_AND_OLD_IMAGES), from plain items. */
const record = (
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
  at = 1_796_036_400,
): StatsStreamRecord => ({
  eventName,
  dynamodb: {
    ...(images.old ? { OldImage: marshall(images.old, { removeUndefinedValues: true }) } : {}),
    ...(images.new ? { NewImage: marshall(images.new, { removeUndefinedValues: true }) } : {}),
    ApproximateCreationDateTime: at,
  },
});

const CASE = {
  pk: 'CASE#c1',
  sk: 'CASE',
  type: 'case',
  caseId: 'c1',
  ownerAgency: 'cfpc',
  category: 'neglect',
  urgency: 'high',
  status: 'received',
  region: { emirate: 'dubai', city: 'Deira' },
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  version: 1,
  sections: { report: new Uint8Array([1, 2, 3]) },
  gsi4pk: 'DUE#report#high',
  gsi4sk: '2026-11-30T10:00:00.000Z#c1',
};

const REQUEST = {
  pk: 'REQUEST#r1',
  sk: 'REQUEST',
  type: 'request',
  requestId: 'r1',
  kind: 'access-request',
  caseId: 'c1',
  fromAgency: 'police',
  toAgency: 'cfpc',
  urgency: 'critical',
  status: 'pending',
  createdAt: '2026-11-30T11:00:00.000Z',
  justification: 'free text the statistics never read',
};

const map = (records: StatsStreamRecord[]) => statsEventsFromStream(records, DEFAULT_POLICY);

describe('statsEventsFromStream', () => {
  it('counts a new case by its metadata only: the emirate, never the city or a section', () => {
    const [created] = map([record('INSERT', { new: CASE })]);
    expect(created).toEqual({
      type: 'case.created',
      case: {
        caseId: 'c1',
        ownerAgency: 'cfpc',
        category: 'neglect',
        urgency: 'high',
        status: 'received',
        emirate: 'dubai',
        createdAt: CASE.createdAt,
        version: 1,
      },
    });
    expect(JSON.stringify(created)).not.toContain('Deira');
  });

  it('reads an update as the metadata before and after, and as the first action when it ends the deadline', () => {
    const updated = { ...CASE, status: 'intervention', version: 2, updatedAt: '2026-11-30T10:30:00.000Z' };
    delete (updated as Record<string, unknown>).gsi4pk;
    const events = map([record('MODIFY', { old: CASE, new: updated })]);
    expect(events.map((event) => event.type)).toEqual(['case.changed', 'report.first-action']);
    expect(events[1]).toMatchObject({
      actedAt: '2026-11-30T10:30:00.000Z',
      dueAt: '2026-12-01T10:00:00.000Z',
      escalated: false,
    });
  });

  it('takes a first action that changes no version (a share, a note) at the record’s time', () => {
    const { gsi4pk: _due, gsi4sk: _at, ...acted } = CASE;
    const [first] = map([record('MODIFY', { old: CASE, new: acted }, 1_796_036_400)]);
    expect(first).toMatchObject({ type: 'report.first-action', actedAt: '2026-11-30T11:00:00.000Z' });
  });

  it('reads the sweep’s escalation of a report as overdue, not as a first action', () => {
    const { gsi4pk: _due, gsi4sk: _at, ...rest } = CASE;
    const escalated = { ...rest, escalatedAt: '2026-12-01T10:01:00.000Z' };
    expect(map([record('MODIFY', { old: CASE, new: escalated })])).toEqual([
      {
        type: 'report.overdue',
        caseId: 'c1',
        agency: 'cfpc',
        urgency: 'high',
        createdAt: CASE.createdAt,
        at: '2026-12-01T10:01:00.000Z',
      },
    ]);
  });

  it('follows a request from creation to decision, withdrawal or escalation', () => {
    const decided = {
      ...REQUEST,
      status: 'denied',
      decision: { decision: 'deny', reason: 'x', decidedAt: '2026-11-30T11:20:00.000Z', decidedBy: 'u' },
    };
    const withdrawn = { ...REQUEST, status: 'withdrawn' };
    const overdue = { ...REQUEST, escalatedAt: '2026-11-30T12:01:00.000Z' };
    const events = map([
      record('INSERT', { new: REQUEST }),
      record('MODIFY', { old: REQUEST, new: decided }),
      record('MODIFY', { old: REQUEST, new: withdrawn }),
      record('MODIFY', { old: REQUEST, new: overdue }),
    ]);
    expect(events.map((event) => event.type)).toEqual([
      'request.created',
      'request.decided',
      'request.withdrawn',
      'request.overdue',
    ]);
    expect(events[1]).toMatchObject({
      toAgency: 'cfpc',
      decision: 'deny',
      decidedAt: '2026-11-30T11:20:00.000Z',
    });
    expect(JSON.stringify(events)).not.toContain('free text');
  });

  it('counts an emergency access for the agency that used it, and its review when compliance closes it', () => {
    const access = { ...REQUEST, requestId: 'e1', kind: 'emergency-access', status: 'granted' };
    const review = {
      pk: 'REVIEW#v1',
      sk: 'REVIEW',
      type: 'review',
      kind: 'emergency-access',
      status: 'open',
      agency: 'police',
      requestId: 'e1',
      createdAt: REQUEST.createdAt,
    };
    const closed = {
      ...review,
      status: 'closed',
      closure: { outcome: 'referred', finding: 'f', closedAt: '2026-12-02T00:00:00.000Z', closedBy: 'a' },
    };
    expect(map([record('INSERT', { new: access }), record('MODIFY', { old: review, new: closed })])).toEqual([
      { type: 'emergency-access.granted', requestId: 'e1', agency: 'police', at: REQUEST.createdAt },
      {
        type: 'emergency-access.reviewed',
        requestId: 'e1',
        agency: 'police',
        grantedAt: REQUEST.createdAt,
        outcome: 'referred',
      },
    ]);
  });

  it('ignores every other item and change: notes, grants, the outbox, a case’s removal by TTL', () => {
    const note = { pk: 'CASE#c1', sk: 'NOTE#x', type: 'note', caseId: 'c1' };
    const outbox = { pk: 'OUTBOX#o1', sk: 'OUTBOX', type: 'outbox' };
    expect(
      map([
        record('INSERT', { new: note }),
        record('INSERT', { new: outbox }),
        record('MODIFY', { old: CASE, new: CASE }),
        record('REMOVE', { old: CASE }),
      ]),
    ).toEqual([]);
  });
});

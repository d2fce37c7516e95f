import { describe, expect, it } from 'vitest';
import type { StoredGrant } from '../../../../src/domain/cases/ports';
import type { Directory } from '../../../../src/domain/directory';
import { RuleViolationError } from '../../../../src/domain/errors';
import { DEFAULT_POLICY } from '../../../../src/domain/exchange/policy';
import type { ExchangeRecord } from '../../../../src/domain/exchange/ports';
import {
  approvedSections,
  checkCounterpart,
  checkEmergencySections,
  checkExpiry,
  grantView,
  knownSections,
  listedUntil,
  requestRole,
  requestView,
} from '../../../../src/domain/exchange/rules';
import { GrantViewSchema } from '../../../../src/domain/exchange/schemas';

const directory: Directory = {
  agencies: [
    { id: 'cfpc', name: { en: 'Centre', ar: 'مركز' }, kind: 'social-services' },
    { id: 'police', name: { en: 'Police', ar: 'شرطة' }, kind: 'police' },
  ],
  oversight: [{ id: 'compliance', name: { en: 'Compliance', ar: 'امتثال' } }],
  clients: [{ id: 'cfpc', agency: 'cfpc', scopes: ['exchange'] }],
};
const NOW = new Date('2026-12-01T10:00:00.000Z');

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof RuleViolationError) return error.rule;
    throw error;
  }
  return undefined;
}

describe('knownSections', () => {
  it('keeps known sections in the case model’s order, once each', () => {
    expect(knownSections(['report', 'identity', 'report'], 'body.sections')).toEqual(['identity', 'report']);
  });

  it('refuses a section the case model does not have, naming it', () => {
    expect(codeOf(() => knownSections(['report', 'finances'], 'body.sections'))).toBe('unknown-section');
  });
});

describe('checkCounterpart', () => {
  it('accepts another agency of the directory', () => {
    expect(codeOf(() => checkCounterpart(directory, 'cfpc', 'police', 'body.agency'))).toBeUndefined();
  });

  it('refuses the caller’s own agency, an oversight body and an unknown id', () => {
    expect(codeOf(() => checkCounterpart(directory, 'cfpc', 'cfpc', 'body.agency'))).toBe('own-agency');
    expect(codeOf(() => checkCounterpart(directory, 'cfpc', 'compliance', 'body.agency'))).toBe(
      'unknown-agency',
    );
    expect(codeOf(() => checkCounterpart(directory, 'cfpc', 'health', 'body.agency'))).toBe('unknown-agency');
  });
});

describe('checkExpiry', () => {
  it('accepts a time in the future within the longest share, normalised', () => {
    expect(checkExpiry('2026-12-02T14:00:00+04:00', NOW, DEFAULT_POLICY, 'x')).toBe(
      '2026-12-02T10:00:00.000Z',
    );
  });

  it('refuses now, the past, and later than the policy allows', () => {
    expect(codeOf(() => checkExpiry(NOW.toISOString(), NOW, DEFAULT_POLICY, 'x'))).toBe(
      'expiry-not-in-future',
    );
    expect(codeOf(() => checkExpiry('2026-11-30T10:00:00Z', NOW, DEFAULT_POLICY, 'x'))).toBe(
      'expiry-not-in-future',
    );
    expect(codeOf(() => checkExpiry('2027-12-02T10:00:00Z', NOW, DEFAULT_POLICY, 'x'))).toBe(
      'expiry-too-late',
    );
  });
});

describe('approvedSections', () => {
  it('grants what was asked but the reporter when the owner names nothing', () => {
    expect(approvedSections(['identity', 'report', 'reporter'], undefined)).toEqual(['identity', 'report']);
  });

  it('grants fewer sections than asked, and the reporter when named', () => {
    expect(approvedSections(['identity', 'report', 'reporter'], ['reporter', 'report'])).toEqual([
      'report',
      'reporter',
    ]);
  });

  it('refuses sections not asked for, and an approval that would grant nothing', () => {
    expect(codeOf(() => approvedSections(['report'], ['report', 'police']))).toBe('sections-not-requested');
    expect(codeOf(() => approvedSections(['reporter'], undefined))).toBe('reporter-not-named');
  });
});

describe('checkEmergencySections', () => {
  it('never opens the reporter in an emergency', () => {
    expect(codeOf(() => checkEmergencySections(['identity', 'reporter'], DEFAULT_POLICY))).toBe(
      'reporter-sealed',
    );
    expect(codeOf(() => checkEmergencySections(['identity', 'report'], DEFAULT_POLICY))).toBeUndefined();
  });

  it('opens only the configured sections', () => {
    const policy = { ...DEFAULT_POLICY, emergencySections: ['identity' as const] };

    expect(codeOf(() => checkEmergencySections(['identity'], policy))).toBeUndefined();
    expect(codeOf(() => checkEmergencySections(['identity', 'assessment'], policy))).toBe(
      'emergency-section-closed',
    );
  });
});

describe('listedUntil', () => {
  const grant = (overrides: Partial<StoredGrant>): StoredGrant => ({
    grantId: crypto.randomUUID(),
    caseId: 'c',
    agency: 'police',
    kind: 'share',
    sections: ['report'],
    purpose: 'child-protection',
    expiresAt: '2026-12-05T00:00:00.000Z',
    grantedAt: '2026-11-30T00:00:00.000Z',
    grantedBy: 'cw',
    readOnly: false,
    ...overrides,
  });

  it('is the latest expiry of the agency’s live grants', () => {
    const grants = [
      grant({ expiresAt: '2026-12-05T00:00:00.000Z' }),
      grant({ expiresAt: '2026-12-09T00:00:00.000Z', revokedAt: '2026-12-01T09:00:00.000Z' }),
      grant({ expiresAt: '2026-12-07T00:00:00.000Z', kind: 'emergency', readOnly: true }),
      grant({ expiresAt: '2026-12-08T00:00:00.000Z', agency: 'health' }),
      grant({ expiresAt: '2026-12-01T09:59:59.999Z' }),
    ];

    expect(listedUntil(grants, 'police', NOW)).toBe('2026-12-07T00:00:00.000Z');
  });

  it('is null when none is live: revoked or expired', () => {
    const grants = [
      grant({ revokedAt: '2026-12-01T09:00:00.000Z' }),
      grant({ expiresAt: NOW.toISOString() }),
    ];

    expect(listedUntil(grants, 'police', NOW)).toBeNull();
  });
});

describe('requestView', () => {
  const record: ExchangeRecord = {
    requestId: '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11',
    kind: 'access-request',
    caseId: '2b7e1516-28ae-4d2a-abf7-158809cf4f3c',
    fromAgency: 'police',
    toAgency: 'cfpc',
    requestedBy: 'officer-3',
    sections: ['report'],
    purpose: 'criminal-investigation',
    legalBasis: 'art. 44',
    urgency: 'critical',
    justification: 'why',
    status: 'pending',
    createdAt: '2026-12-01T10:00:00.000Z',
    delivered: true,
  };

  it('shows the due time by urgency and turns overdue when it passes, while pending', () => {
    const before = requestView(record, new Date('2026-12-01T10:59:59.999Z'), DEFAULT_POLICY);
    const at = requestView(record, new Date('2026-12-01T11:00:00.000Z'), DEFAULT_POLICY);
    const decided = requestView(
      { ...record, status: 'denied' },
      new Date('2026-12-02T00:00:00Z'),
      DEFAULT_POLICY,
    );

    expect(before).toMatchObject({ dueAt: '2026-12-01T11:00:00.000Z', overdue: false });
    expect(at.overdue).toBe(true);
    expect(decided.overdue).toBe(false);
  });

  it('says nothing of delivery or escalation: an undelivered request looks the same', () => {
    const now = new Date('2026-12-01T12:00:00.000Z');

    const delivered = requestView(
      { ...record, escalatedAt: '2026-12-01T11:00:30.000Z' },
      now,
      DEFAULT_POLICY,
    );
    const undelivered = requestView({ ...record, delivered: false }, now, DEFAULT_POLICY);

    expect(undelivered).toEqual(delivered);
    expect(JSON.stringify(delivered)).not.toMatch(/delivered|escalated/);
  });
});

describe('requestRole', () => {
  const record = {
    fromAgency: 'police',
    toAgency: 'cfpc',
    delivered: true,
  } as ExchangeRecord;

  it('knows the agency that asked and the agency asked, once the request reached it', () => {
    expect(requestRole(record, 'police')).toBe('requester');
    expect(requestRole(record, 'cfpc')).toBe('addressee');
    expect(requestRole({ ...record, delivered: false }, 'police')).toBe('requester');
  });

  it('gives no part to anyone else, nor to the agency named in a request that never reached it', () => {
    expect(requestRole(record, 'health')).toBeNull();
    expect(requestRole({ ...record, delivered: false }, 'cfpc')).toBeNull();
  });
});

describe('grantView', () => {
  const stored: StoredGrant = {
    grantId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    caseId: '2b7e1516-28ae-4d2a-abf7-158809cf4f3c',
    agency: 'police',
    kind: 'emergency',
    sections: ['identity'],
    purpose: 'emergency',
    expiresAt: '2026-12-01T14:00:00.000Z',
    grantedAt: '2026-12-01T09:00:00.000Z',
    grantedBy: 'officer-9',
    readOnly: true,
    requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  };

  it('is live until it expires or is revoked, and then says who revoked it', () => {
    const live = grantView(stored, NOW);
    const expired = grantView(stored, new Date('2026-12-01T14:00:00.000Z'));
    const revoked = grantView(
      { ...stored, revokedAt: '2026-12-01T09:30:00.000Z', revokedBy: 'caseworker-7' },
      NOW,
    );

    expect(live.live).toBe(true);
    expect(live).not.toHaveProperty('revokedAt');
    expect(expired.live).toBe(false);
    expect(revoked).toMatchObject({ live: false, revokedBy: 'caseworker-7' });
    for (const view of [live, expired, revoked]) expect(GrantViewSchema.parse(view)).toEqual(view);
  });
});

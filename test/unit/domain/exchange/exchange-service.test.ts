import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import type { AuditTrail } from '../../../../src/domain/audit/trail';
import { AccessChangedError, type StoredCase, type StoredGrant } from '../../../../src/domain/cases/ports';
import type { CaseMetadata } from '../../../../src/domain/cases/schemas';
import type { Directory } from '../../../../src/domain/directory';
import { AccessContentionError } from '../../../../src/domain/errors';
import {
  createRequest,
  type ExchangeDeps,
  shareCase,
} from '../../../../src/domain/exchange/exchange-service';
import { DEFAULT_POLICY } from '../../../../src/domain/exchange/policy';
import type { ExchangeStore, ExchangeWrite } from '../../../../src/domain/exchange/ports';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const directory: Directory = {
  agencies: [
    { id: 'cfpc', name: { en: 'Centre', ar: 'مركز' }, kind: 'social-services' },
    { id: 'police', name: { en: 'Police', ar: 'شرطة' }, kind: 'police' },
  ],
  oversight: [],
  clients: [{ id: 'cfpc', agency: 'cfpc', scopes: ['exchange'] }],
};
const meta: CaseMetadata = {
  caseId: CASE_ID,
  ownerAgency: 'cfpc',
  category: 'neglect',
  urgency: 'high',
  status: 'received',
  region: { emirate: 'sharjah' },
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  version: 1,
};

function fakeTrail(): AuditTrail & { concerned: object } {
  const trail = {
    concerned: {},
    eventFor: (outcome: number) => ({ eventId: `e-${outcome}`, outcome }) as unknown as AuditEvent,
    recorded: vi.fn(),
    concerns: (details: object) => {
      trail.concerned = details;
    },
    replayed: vi.fn(),
    recordAhead: vi.fn(async () => undefined),
  };
  return trail;
}

function fakeDeps(
  overrides: { commit?: (write: ExchangeWrite) => Promise<void>; grants?: StoredGrant[] } = {},
) {
  const writes: ExchangeWrite[] = [];
  const record: StoredCase = { meta, createdBy: 'cw', sections: {}, awaitingFirstAction: true };
  const store = {
    commit: vi.fn(async (write: ExchangeWrite) => {
      writes.push(write);
      await overrides.commit?.(write);
    }),
    markPublished: vi.fn(async () => undefined),
    agencyAccess: vi.fn(async () => ({ revision: 4 })),
    findOpenRequest: vi.fn(async () => undefined),
  } as unknown as ExchangeStore;
  const deps: ExchangeDeps = {
    cases: {
      get: vi.fn(async (id: string) =>
        id === CASE_ID ? { record, notes: [], grants: overrides.grants ?? [] } : undefined,
      ),
      ownerOf: vi.fn(async (id: string) => (id === CASE_ID ? record.meta.ownerAgency : undefined)),
    },
    store,
    directory,
    policy: DEFAULT_POLICY,
    clock: () => NOW,
  };
  return { deps, writes, store };
}

const caller = { agency: 'cfpc', user: 'caseworker-7' };
const shareBody = {
  agency: 'police',
  sections: ['report', 'identity'],
  purpose: 'child-protection' as const,
  expiresAt: '2026-12-03T10:00:00.000Z',
};

describe('shareCase', () => {
  it('writes the grant, the listing until its expiry, the audit event and a notice in one unit', async () => {
    const { deps, writes } = fakeDeps();
    const trail = fakeTrail();

    const view = await shareCase(deps, caller, CASE_ID, shareBody, trail);

    expect(view).toMatchObject({
      agency: 'police',
      sections: ['identity', 'report'],
      kind: 'share',
      readOnly: false,
    });
    expect(writes).toHaveLength(1);
    expect(writes[0]?.access).toMatchObject({
      agency: 'police',
      listedUntil: '2026-12-03T10:00:00.000Z',
      expectedRevision: 4,
      firstAction: true,
    });
    expect(writes[0]?.notices.map((n) => [n.type, n.recipients])).toEqual([['share.created', ['police']]]);
    expect(trail.recorded).toHaveBeenCalledWith(writes[0]?.event);
  });

  it('reads the case again and retries when access changed under it, then gives up with 409', async () => {
    let failures = 2;
    const retried = fakeDeps({
      commit: async () => {
        if (failures-- > 0) throw new AccessChangedError();
      },
    });
    const always = fakeDeps({
      commit: async () => {
        throw new AccessChangedError();
      },
    });

    await shareCase(retried.deps, caller, CASE_ID, shareBody, fakeTrail());
    const refused = shareCase(always.deps, caller, CASE_ID, shareBody, fakeTrail());

    expect(retried.writes).toHaveLength(3);
    expect(retried.deps.cases.get).toHaveBeenCalledTimes(3);
    await expect(refused).rejects.toBeInstanceOf(AccessContentionError);
    expect(always.writes).toHaveLength(3);
  });
});

describe('createRequest', () => {
  const body = {
    caseId: CASE_ID,
    agency: 'cfpc',
    sections: ['report'],
    purpose: 'criminal-investigation' as const,
    legalBasis: 'art. 44',
    urgency: 'critical' as const,
    justification: 'why',
  };
  const police = { agency: 'police', user: 'officer-3' };

  it('delivers a request to the agency that owns the case, and tells it', async () => {
    const { deps, writes } = fakeDeps();

    await createRequest(deps, police, body, fakeTrail(), { id: '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11' });

    expect(writes[0]?.newRequest?.delivered).toBe(true);
    expect(writes[0]?.notices.map((n) => [n.type, n.recipients])).toEqual([['request.created', ['cfpc']]]);
  });

  it('stores but does not deliver a request about a missing case, with the same writes, and answers it the same way', async () => {
    const owned = fakeDeps();
    const missing = fakeDeps();
    const id = { id: '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11' };

    const answer = await createRequest(owned.deps, police, body, fakeTrail(), id);
    const other = await createRequest(
      missing.deps,
      police,
      { ...body, caseId: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d' },
      fakeTrail(),
      id,
    );

    expect(missing.writes[0]?.newRequest?.delivered).toBe(false);
    expect(missing.writes[0]?.notices).toEqual([]);
    // The event is withheld, not left out: the request writes as much either way.
    expect(missing.writes[0]?.withheld?.map((n) => n.type)).toEqual(['request.created']);
    expect(owned.writes[0]?.withheld).toBeUndefined();
    expect(missing.writes[0]?.takesSlot?.max).toBe(owned.writes[0]?.takesSlot?.max);
    expect(missing.deps.cases.get).not.toHaveBeenCalled();
    expect({ ...other.view, caseId: CASE_ID }).toEqual(answer.view);
  });
});

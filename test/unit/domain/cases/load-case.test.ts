import { describe, expect, it } from 'vitest';
import { loadOwnedCase, loadVisibleCase } from '../../../../src/domain/cases/load-case';
import type { StoredCase, StoredGrant } from '../../../../src/domain/cases/ports';
import { CaseNotFoundError, RuleViolationError } from '../../../../src/domain/errors';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const OTHER_ID = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';

const record: StoredCase = {
  meta: {
    caseId: CASE_ID,
    ownerAgency: 'cfpc',
    category: 'neglect',
    urgency: 'high',
    status: 'received',
    region: { emirate: 'sharjah' },
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:00:00.000Z',
    version: 2,
  },
  createdBy: 'caseworker-7',
  sections: {},
};
const share: StoredGrant = {
  grantId: 'g-1',
  caseId: CASE_ID,
  agency: 'police',
  kind: 'share',
  sections: ['report'],
  purpose: 'criminal-investigation',
  grantedAt: '2026-11-30T12:00:00.000Z',
  grantedBy: 'caseworker-7',
  expiresAt: '2026-12-02T10:00:00.000Z',
  readOnly: false,
};

/** A store holding one case, shared with the police. */
const store = {
  get: async (id: string) => (id === CASE_ID ? { record, grants: [share] } : undefined),
};

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('loadVisibleCase', () => {
  it('gives the owner the case, its grants, and full access', async () => {
    const found = await loadVisibleCase(store, 'cfpc', CASE_ID, NOW);

    expect(found.record).toBe(record);
    expect(found.grants).toEqual([share]);
    expect(found.access).toMatchObject({ owner: true, canUpdate: true });
  });

  it('gives a grantee the case with the access its live grant allows', async () => {
    const found = await loadVisibleCase(store, 'police', CASE_ID, NOW);

    expect(found.access.owner).toBe(false);
    expect([...found.access.sections]).toEqual(['report']);
  });

  it('answers a missing case and a case the caller may not see with the same not-found error', async () => {
    const missing = await errorOf(loadVisibleCase(store, 'police', OTHER_ID, NOW));
    const hidden = await errorOf(loadVisibleCase(store, 'health', CASE_ID, NOW));

    expect(missing).toBeInstanceOf(CaseNotFoundError);
    expect(hidden).toBeInstanceOf(CaseNotFoundError);
    const { name, message } = missing as Error;
    expect([(hidden as Error).name, (hidden as Error).message]).toEqual([name, message]);
  });

  it('judges the grant at the time given: once it expired the case is not found', async () => {
    const later = new Date('2026-12-02T10:00:00.000Z');

    await expect(loadVisibleCase(store, 'police', CASE_ID, later)).rejects.toBeInstanceOf(CaseNotFoundError);
  });
});

describe('loadOwnedCase', () => {
  it('gives the owner its case', async () => {
    const found = await loadOwnedCase(store, 'cfpc', CASE_ID, NOW);

    expect(found.record.meta.caseId).toBe(CASE_ID);
    expect(found.access.owner).toBe(true);
  });

  it('refuses a grantee with the not-owner rule', async () => {
    const error = await errorOf(loadOwnedCase(store, 'police', CASE_ID, NOW));

    expect(error).toBeInstanceOf(RuleViolationError);
    expect((error as RuleViolationError).rule).toBe('not-owner');
  });

  it('answers an agency that cannot see the case with not-found, never with not-owner', async () => {
    await expect(loadOwnedCase(store, 'health', CASE_ID, NOW)).rejects.toBeInstanceOf(CaseNotFoundError);
    await expect(loadOwnedCase(store, 'cfpc', OTHER_ID, NOW)).rejects.toBeInstanceOf(CaseNotFoundError);
  });
});

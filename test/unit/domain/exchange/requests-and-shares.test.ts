import { describe, expect, it } from 'vitest';
import type { StoredGrant } from '../../../../src/domain/cases/ports';
import { CaseNotFoundError, RequestNotFoundError, RuleViolationError } from '../../../../src/domain/errors';
import {
  decideRequest,
  type ExchangeDeps,
  listShares,
  readRequest,
  withdrawRequest,
} from '../../../../src/domain/exchange/exchange-service';
import { DEFAULT_POLICY } from '../../../../src/domain/exchange/policy';
import {
  AlreadyDecidedError,
  type ExchangeRecord,
  type ExchangeStore,
  type ExchangeWrite,
} from '../../../../src/domain/exchange/ports';
import { MemoryTrail } from '../../../support/fakes/audit-trail';
import { centreCase, MemoryCaseStore } from '../../../support/fakes/cases';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const REQUEST_ID = '0f6f4c36-7d07-4e58-9f3b-6e2c8c1c2a11';
const police = { agency: 'police', user: 'officer-3' };
const cfpc = { agency: 'cfpc', user: 'caseworker-7' };
const health = { agency: 'health', user: 'nurse-1' };

const pending: ExchangeRecord = {
  requestId: REQUEST_ID,
  kind: 'access-request',
  caseId: CASE_ID,
  fromAgency: 'police',
  toAgency: 'cfpc',
  requestedBy: 'officer-3',
  sections: ['identity', 'report'],
  purpose: 'criminal-investigation',
  legalBasis: 'art. 44',
  urgency: 'high',
  justification: 'Investigating a neglect report',
  status: 'pending',
  createdAt: '2026-12-01T09:00:00.000Z',
  delivered: true,
};

const emergency: ExchangeRecord = {
  ...pending,
  kind: 'emergency-access',
  purpose: 'emergency',
  status: 'granted',
  expiresAt: '2026-12-01T13:00:00.000Z',
  legalBasis: undefined,
  urgency: undefined,
};

/**
 * The request side of the ExchangeStore in memory, with the adapter's condition: a decided or withdrawn
 * request is written only if it is still pending. `readsBeforeWrites` holds every read until that many
 * have been made, so that two operations both see the request as it was before either writes.
 */
class MemoryRequestStore {
  readonly requests = new Map<string, ExchangeRecord>();
  readonly writes: ExchangeWrite[] = [];
  private reads = 0;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  private readonly readsBeforeWrites: number;

  constructor(readsBeforeWrites = 0) {
    this.readsBeforeWrites = readsBeforeWrites;
  }

  async getRequest(requestId: string) {
    const record = this.requests.get(requestId);
    this.reads += 1;
    if (this.reads >= this.readsBeforeWrites) this.release();
    await this.gate;
    return record ? structuredClone(record) : undefined;
  }

  async commit(write: ExchangeWrite) {
    const closed = write.closedRequest;
    if (closed) {
      if (this.requests.get(closed.requestId)?.status !== 'pending') throw new AlreadyDecidedError();
      this.requests.set(closed.requestId, structuredClone(closed));
    }
    this.writes.push(write);
  }

  async markPublished() {}

  async agencyAccess() {
    return { revision: 0 };
  }
}

function setup(records: ExchangeRecord[] = [pending], options: { readsBeforeWrites?: number } = {}) {
  const store = new MemoryRequestStore(options.readsBeforeWrites);
  for (const record of records) store.requests.set(record.requestId, structuredClone(record));
  const cases = new MemoryCaseStore();
  cases.seed(centreCase(CASE_ID));
  const deps: ExchangeDeps = {
    cases,
    store: store as unknown as ExchangeStore,
    directory: { agencies: [], oversight: [], clients: [] },
    policy: DEFAULT_POLICY,
    clock: () => NOW,
  };
  return { deps, store, cases };
}

describe('readRequest', () => {
  it('shows a request to the agency that made it and to the agency asked, once delivered', async () => {
    const { deps } = setup();

    const byRequester = await readRequest(deps, police, REQUEST_ID, new MemoryTrail());
    const byAddressee = await readRequest(deps, cfpc, REQUEST_ID, new MemoryTrail());

    expect(byRequester).toMatchObject({ requestId: REQUEST_ID, status: 'pending', fromAgency: 'police' });
    expect(byAddressee).toEqual(byRequester);
    expect(JSON.stringify(byRequester)).not.toMatch(/delivered/);
  });

  it('is not found for anyone else, for the agency named in an undelivered request, and for an unknown id', async () => {
    const { deps } = setup([pending, { ...pending, requestId: 'undelivered', delivered: false }]);

    const attempts = [
      readRequest(deps, health, REQUEST_ID, new MemoryTrail()),
      readRequest(deps, cfpc, 'undelivered', new MemoryTrail()),
      readRequest(deps, police, 'unknown', new MemoryTrail()),
    ];

    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(RequestNotFoundError);
  });

  it('shows an emergency access to the agency that used it and to the owner', async () => {
    const { deps } = setup([emergency]);

    const byUser = await readRequest(deps, police, REQUEST_ID, new MemoryTrail());
    const byOwner = await readRequest(deps, cfpc, REQUEST_ID, new MemoryTrail());

    expect(byUser).toMatchObject({ kind: 'emergency-access', status: 'granted', overdue: false });
    expect(byOwner).toEqual(byUser);
  });

  it('records which case and request the read concerned, even when refused', async () => {
    const { deps } = setup();
    const trail = new MemoryTrail();

    await readRequest(deps, health, REQUEST_ID, trail).catch(() => undefined);

    expect(trail.concerned).toEqual({ caseId: CASE_ID, resource: `/v1/requests/${REQUEST_ID}` });
  });
});

describe('withdrawRequest', () => {
  it('withdraws a pending request with its audit event and tells the agency asked, in one write', async () => {
    const { deps, store } = setup();
    const trail = new MemoryTrail();

    const view = await withdrawRequest(deps, police, REQUEST_ID, trail);

    expect(view).toMatchObject({
      status: 'withdrawn',
      overdue: false,
      withdrawal: { withdrawnAt: NOW.toISOString(), withdrawnBy: 'officer-3' },
    });
    expect(store.requests.get(REQUEST_ID)?.status).toBe('withdrawn');
    expect(store.writes).toHaveLength(1);
    const [write] = store.writes;
    expect(write?.closedRequest).toMatchObject({ status: 'withdrawn', requestId: REQUEST_ID });
    expect(write?.access).toBeUndefined();
    expect(write?.notices.map((n) => [n.type, n.recipients, n.requestId, n.actorAgency])).toEqual([
      ['request.withdrawn', ['cfpc'], REQUEST_ID, 'police'],
    ]);
    expect(trail.recordedEvents).toEqual([write?.event]);
    expect(trail.concerned.resource).toBe(`/v1/requests/${REQUEST_ID}/withdraw`);
  });

  it('tells nobody when the request never reached the agency named', async () => {
    const { deps, store } = setup([{ ...pending, delivered: false }]);

    await withdrawRequest(deps, police, REQUEST_ID, new MemoryTrail());

    expect(store.writes[0]?.notices).toEqual([]);
  });

  it('refuses the agency asked (not-requester) and hides the request from anyone else', async () => {
    const { deps, store } = setup([pending, { ...pending, requestId: 'undelivered', delivered: false }]);

    const byAddressee = withdrawRequest(deps, cfpc, REQUEST_ID, new MemoryTrail());
    const byStranger = withdrawRequest(deps, health, REQUEST_ID, new MemoryTrail());
    const byNamedAgency = withdrawRequest(deps, cfpc, 'undelivered', new MemoryTrail());

    await expect(byAddressee).rejects.toMatchObject({ rule: 'not-requester' });
    await expect(byAddressee).rejects.toBeInstanceOf(RuleViolationError);
    await expect(byStranger).rejects.toBeInstanceOf(RequestNotFoundError);
    await expect(byNamedAgency).rejects.toBeInstanceOf(RequestNotFoundError);
    expect(store.writes).toEqual([]);
  });

  it('refuses what is no longer pending: decided, withdrawn, or an emergency access', async () => {
    const { deps, store } = setup([
      { ...pending, requestId: 'denied', status: 'denied' },
      { ...pending, requestId: 'withdrawn', status: 'withdrawn' },
      { ...emergency, requestId: 'emergency' },
    ]);

    for (const requestId of ['denied', 'withdrawn', 'emergency']) {
      await expect(withdrawRequest(deps, police, requestId, new MemoryTrail())).rejects.toBeInstanceOf(
        AlreadyDecidedError,
      );
    }
    expect(store.writes).toEqual([]);
  });

  it('races a decision made at the same moment: exactly one stands, the other is no longer pending', async () => {
    // Prepare: both operations read the request before either writes.
    const { deps, store } = setup([pending], { readsBeforeWrites: 2 });

    // Act
    const [withdrawal, decision] = await Promise.allSettled([
      withdrawRequest(deps, police, REQUEST_ID, new MemoryTrail()),
      decideRequest(deps, cfpc, REQUEST_ID, { decision: 'deny', reason: 'No basis' }, new MemoryTrail()),
    ]);

    // Assess
    const outcomes = [withdrawal, decision].map((result) => result.status).sort();
    expect(outcomes).toEqual(['fulfilled', 'rejected']);
    const refused = [withdrawal, decision].find((result) => result.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyDecidedError);
    expect(store.writes).toHaveLength(1);
    const winner = withdrawal.status === 'fulfilled' ? 'withdrawn' : 'denied';
    expect(store.requests.get(REQUEST_ID)?.status).toBe(winner);
  });
});

describe('listShares', () => {
  const grant = (fields: Partial<StoredGrant>): StoredGrant => ({
    grantId: crypto.randomUUID(),
    caseId: CASE_ID,
    agency: 'police',
    kind: 'share',
    sections: ['report'],
    purpose: 'criminal-investigation',
    expiresAt: '2026-12-05T00:00:00.000Z',
    grantedAt: '2026-11-30T09:00:00.000Z',
    grantedBy: 'caseworker-7',
    readOnly: false,
    ...fields,
  });

  function withGrants() {
    const context = setup();
    const live = grant({ grantedAt: '2026-11-30T12:00:00.000Z' });
    const revoked = grant({
      grantedAt: '2026-11-30T10:00:00.000Z',
      revokedAt: '2026-11-30T11:00:00.000Z',
      revokedBy: 'caseworker-7',
    });
    const expired = grant({ grantedAt: '2026-11-29T10:00:00.000Z', expiresAt: '2026-11-30T10:00:00.000Z' });
    const other = grant({ agency: 'health', grantedAt: '2026-11-30T11:00:00.000Z' });
    for (const g of [expired, live, revoked, other]) context.cases.grant(CASE_ID, g);
    return { ...context, live, revoked, expired, other };
  }

  it('shows the owner every grant, live and past, newest first, saying which is live', async () => {
    const { deps, live, revoked, expired, other } = withGrants();

    const { items } = await listShares(deps, cfpc, CASE_ID);

    expect(items.map((g) => [g.grantId, g.live])).toEqual([
      [live.grantId, true],
      [other.grantId, true],
      [revoked.grantId, false],
      [expired.grantId, false],
    ]);
    expect(items[2]).toMatchObject({ revokedAt: '2026-11-30T11:00:00.000Z', revokedBy: 'caseworker-7' });
    expect(items[0]).not.toHaveProperty('revokedAt');
  });

  it('shows an agency with a live grant its own grants only, past ones included', async () => {
    const { deps, live, revoked, expired } = withGrants();

    const { items } = await listShares(deps, police, CASE_ID);

    expect(items.map((g) => g.grantId)).toEqual([live.grantId, revoked.grantId, expired.grantId]);
  });

  it('is not found for an agency whose grants all ended, for a stranger, and for a missing case', async () => {
    const { deps, cases } = setup();
    cases.grant(CASE_ID, grant({ revokedAt: '2026-11-30T11:00:00.000Z', revokedBy: 'caseworker-7' }));

    const attempts = [
      listShares(deps, police, CASE_ID),
      listShares(deps, health, CASE_ID),
      listShares(deps, cfpc, '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d'),
    ];

    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(CaseNotFoundError);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { AccessChangedError } from '../../../../src/domain/cases/ports';
import type { Directory } from '../../../../src/domain/directory';
import { EmergencyAccessLiveError } from '../../../../src/domain/errors';
import { grantEmergencyAccess } from '../../../../src/domain/exchange/emergency-access';
import type { ExchangeDeps } from '../../../../src/domain/exchange/exchange-service';
import { DEFAULT_POLICY } from '../../../../src/domain/exchange/policy';
import {
  type AgencyAccess,
  EmergencyCapReachedError,
  type ExchangeRecord,
  type ExchangeStore,
  type ExchangeWrite,
} from '../../../../src/domain/exchange/ports';
import { MemoryTrail } from '../../../support/fakes/audit-trail';
import { centreCase, MemoryCaseStore } from '../../../support/fakes/cases';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const police = { agency: 'police', user: 'officer-9' };
const body = { justification: 'Child reported missing tonight', sections: ['identity', 'report'] };
const directory: Directory = {
  agencies: [],
  oversight: [{ id: 'compliance', name: { en: 'Compliance', ar: 'الامتثال' } }],
  clients: [],
};

/**
 * The agency-access side of the ExchangeStore in memory, with the adapter's conditions: a change lands
 * only at the revision read, and an emergency access only under the day's cap.
 */
class MemoryAccessStore {
  access: AgencyAccess = { revision: 0 };
  readonly requests = new Map<string, ExchangeRecord>();
  readonly writes: ExchangeWrite[] = [];
  dayCount = 0;
  /** Another agency's call lands first, just before this many of ours are written. */
  racingWrites = 0;

  async agencyAccess() {
    return structuredClone(this.access);
  }

  async commit(write: ExchangeWrite) {
    const change = write.access;
    if (this.racingWrites > 0) {
      this.racingWrites -= 1;
      this.access = {
        revision: this.access.revision + 1,
        emergency: { grantId: 'winner', expiresAt: '2026-12-01T14:00:00.000Z' },
      };
    }
    if (change && change.expectedRevision !== this.access.revision) throw new AccessChangedError();
    if (change?.emergency && this.dayCount >= change.emergency.dailyCap) {
      throw new EmergencyCapReachedError(change.emergency.dayEndsAt);
    }
    if (change?.emergency) {
      this.dayCount += 1;
      const { grantId, expiresAt } = change.emergency;
      this.access = { ...this.access, revision: this.access.revision + 1, emergency: { grantId, expiresAt } };
    }
    if (write.newRequest) this.requests.set(write.newRequest.requestId, structuredClone(write.newRequest));
    this.writes.push(write);
  }

  async getRequest(requestId: string) {
    return this.requests.get(requestId);
  }

  async markPublished() {}
}

function setup(access: AgencyAccess = { revision: 0 }) {
  const store = new MemoryAccessStore();
  store.access = access;
  const cases = new MemoryCaseStore();
  cases.seed(centreCase(CASE_ID));
  const deps: ExchangeDeps = {
    cases,
    store: store as unknown as ExchangeStore,
    directory,
    policy: DEFAULT_POLICY,
    clock: () => NOW,
    onEmergencyCapReached: vi.fn(),
  };
  return { deps, store };
}

const breakGlass = (deps: ExchangeDeps, id = crypto.randomUUID(), digest?: string) =>
  grantEmergencyAccess(deps, police, CASE_ID, 'emergency', body, new MemoryTrail(), { id, digest });

describe('grantEmergencyAccess', () => {
  it('grants once, then names the live grant to a second call instead of stacking another', async () => {
    const { deps, store } = setup();

    const first = await breakGlass(deps);
    const second = await breakGlass(deps).catch((error: unknown) => error);

    expect(second).toBeInstanceOf(EmergencyAccessLiveError);
    expect(second).toMatchObject({ grantId: first.requestId, expiresAt: first.expiresAt });
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]?.access?.emergency).toMatchObject({ day: '2026-12-01', dailyCap: 10 });
  });

  it('reads again when another call won the race, and names the winner’s grant', async () => {
    const { deps, store } = setup();
    store.racingWrites = 1;

    const lost = await breakGlass(deps).catch((error: unknown) => error);

    expect(lost).toMatchObject({ name: 'EmergencyAccessLiveError', grantId: 'winner' });
    expect(store.writes).toEqual([]);
  });

  it('answers a retry under the same Idempotency-Key with the access it gave', async () => {
    const { deps } = setup();
    const id = crypto.randomUUID();

    const first = await breakGlass(deps, id, 'digest-1');
    const retry = await breakGlass(deps, id, 'digest-1');

    expect(retry).toEqual(first);
  });

  it('gives access again once the grant expired, at normal priority', async () => {
    const { deps, store } = setup({
      revision: 3,
      emergency: { grantId: 'old', expiresAt: '2026-12-01T09:59:59.000Z' },
    });

    await breakGlass(deps);

    expect(store.writes[0]?.newReview).toMatchObject({ priority: 'normal' });
    expect(store.writes[0]?.newReview?.flags).toBeUndefined();
    expect(store.writes[0]?.notices.map((n) => n.type)).toEqual(['emergency-access.granted']);
  });

  it('flags access within the window after the owner’s revocation, telling owner and oversight', async () => {
    const { deps, store } = setup({ revision: 2, revokedAt: '2026-11-25T10:00:00.000Z' });

    await breakGlass(deps);

    expect(store.writes[0]?.newReview).toMatchObject({ priority: 'high', flags: ['after-revocation'] });
    expect(store.writes[0]?.notices.map((n) => [n.type, n.recipients])).toEqual([
      ['emergency-access.granted', ['cfpc']],
      ['emergency-access.after-revocation', ['cfpc', 'compliance']],
    ]);
  });

  it('does not flag a revocation older than the window', async () => {
    const { deps, store } = setup({ revision: 2, revokedAt: '2026-11-24T09:59:59.000Z' });

    await breakGlass(deps);

    expect(store.writes[0]?.newReview).toMatchObject({ priority: 'normal' });
  });

  it('refuses past the daily cap and says so for the alarm', async () => {
    const { deps, store } = setup();
    store.dayCount = DEFAULT_POLICY.emergencyDailyCap;

    const refused = await breakGlass(deps).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(EmergencyCapReachedError);
    expect(refused).toMatchObject({ resetsAt: '2026-12-02T00:00:00.000Z' });
    expect(deps.onEmergencyCapReached).toHaveBeenCalledWith('police');
  });
});

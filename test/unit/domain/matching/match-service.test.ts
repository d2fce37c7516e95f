import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import type { DomainEvent } from '../../../../src/domain/exchange/events';
import { indexIdentity, truncatedKey } from '../../../../src/domain/matching/case-index';
import { findMatches } from '../../../../src/domain/matching/match-service';
import { matchingPolicyFromEnvironment } from '../../../../src/domain/matching/policy';
import {
  type BlindIndexer,
  type IndexCandidate,
  type IndexEntry,
  MatchRateLimitedError,
  type MatchStore,
} from '../../../../src/domain/matching/ports';
import { MatchBodySchema } from '../../../../src/domain/matching/schemas';
import { personOf } from '../../../../src/domain/matching/subjects';
import { MemoryTrail } from '../../../support/fakes/audit-trail';
import { ContextCipher } from '../../../support/fakes/cases';

const NOW = new Date('2026-12-01T10:00:20.000Z');
const CFPC_CASE = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const POLICE_CASE = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';

/** HMAC-SHA-256 under a fixed key: what KMS GenerateMac computes, without KMS. */
class LocalIndexer implements BlindIndexer {
  calls = 0;
  async tokens(inputs: readonly { input: string }[]) {
    this.calls += inputs.length;
    return inputs.map(({ input }) => new Uint8Array(createHmac('sha256', 'k').update(input).digest()));
  }
}

/** The blind index in memory, with a limit counter and the records a lookup writes. */
class MemoryMatchStore implements MatchStore {
  readonly entries: IndexEntry[] = [];
  readonly counts = new Map<string, number>();
  readonly recorded: { audit: AuditEvent[]; found: DomainEvent[] }[] = [];
  async candidates(key: string): Promise<IndexCandidate[]> {
    return this.entries.filter((entry) => entry.key === key).map(({ key: _key, ...candidate }) => candidate);
  }
  async countLookup(agency: string, minute: string, limit: number) {
    const count = this.counts.get(`${agency} ${minute}`) ?? 0;
    if (count >= limit) throw new MatchRateLimitedError(minute);
    this.counts.set(`${agency} ${minute}`, count + 1);
  }
  async recordLookup(audit: AuditEvent[], found: DomainEvent[]) {
    this.recorded.push({ audit, found });
  }
}

function setup(bits = 1) {
  const cipher = new ContextCipher();
  const indexer = new LocalIndexer();
  const store = new MemoryMatchStore();
  const matching = { truncationBits: bits, lookupsPerMinute: 2 };
  const deps = { cipher, indexer, store, matching, clock: () => NOW };
  const index = async (caseId: string, ownerAgency: string, name: string, dateOfBirth: string) => {
    const identity = { children: [{ name: { ar: name }, dateOfBirth }], familyMembers: [], addresses: [] };
    const { entries } = await indexIdentity(deps, { caseId, ownerAgency }, identity);
    store.entries.push(...entries);
  };
  return { deps, store, indexer, index };
}

const police = { agency: 'police', user: 'officer-3' };

describe('findMatches', () => {
  it('confirms candidates on their full tokens: unrelated children under the same 1-bit key are not answered', async () => {
    // Prepare: with one bit, about half of all entries share each key
    const { deps, store, index } = setup(1);
    await index(CFPC_CASE, 'cfpc', 'عبد الله أحمد الشامسي', '2013-07-19');
    for (let day = 10; day < 20; day++)
      await index(`${CFPC_CASE.slice(0, -2)}${day}`, 'cfpc', 'سالم علي', `2012-01-${day}`);

    // Act
    const body = MatchBodySchema.parse({ name: { ar: 'عبدالله احمد آل شامسي' }, dateOfBirth: '2013-07-19' });
    const found = await findMatches(deps, police, body, new MemoryTrail());

    // Assess
    expect(found).toEqual({ matches: [{ agency: 'cfpc', caseId: CFPC_CASE, strength: 'name-dob' }] });
    expect(store.recorded[0]?.found).toMatchObject([
      { type: 'match.found', caseId: CFPC_CASE, actorAgency: 'police', recipients: ['cfpc'] },
    ]);
    expect(store.recorded[0]?.audit).toMatchObject([{ caseId: CFPC_CASE, resource: '/v1/matches' }]);
  });

  it('never opens nor answers the caller’s own entries, and records one event without a case when nothing is found', async () => {
    // Prepare
    const { deps, store, index } = setup(8);
    await index(POLICE_CASE, 'police', 'عبد الله أحمد الشامسي', '2013-07-19');

    // Act
    const body = MatchBodySchema.parse({ name: { ar: 'عبد الله أحمد الشامسي' }, dateOfBirth: '2013-07-19' });
    const found = await findMatches(deps, police, body, new MemoryTrail());

    // Assess
    expect(found).toEqual({ matches: [] });
    expect(deps.cipher.decrypted).toEqual([]);
    expect(store.recorded).toHaveLength(1);
    expect(store.recorded[0]?.found).toEqual([]);
    expect(store.recorded[0]?.audit[0]?.caseId).toBeUndefined();
  });

  it('counts each lookup against the agency’s minute and refuses past the limit until the minute ends', async () => {
    // Prepare
    const { deps, indexer } = setup();
    const body = MatchBodySchema.parse({ nationalId: '784-2013-1234567-1' });
    await findMatches(deps, police, body, new MemoryTrail());
    await findMatches(deps, police, body, new MemoryTrail());
    const macsBefore = indexer.calls;

    // Act
    const refused = findMatches(deps, police, body, new MemoryTrail());

    // Assess: refused before any GenerateMac
    await expect(refused).rejects.toMatchObject({
      name: 'MatchRateLimitedError',
      resetsAt: '2026-12-01T10:01:00.000Z',
    });
    expect(indexer.calls).toBe(macsBefore);
  });
});

describe('blind-index keys and lookups', () => {
  it('keeps the first `bits` bits of the token, under the version, index and truncation', () => {
    const token = new Uint8Array([0b1011_0000, 0xff, 0, 0, 9]);
    expect(truncatedKey('name-dob', token, 4)).toBe('n1#name-dob#4#11');
    expect(truncatedKey('national-id', token, 32)).toBe(`n1#national-id#32#${0xb0ff0000}`);
  });

  it('reads a written name as its first and last canonical words', () => {
    expect(personOf('عبد الله بن سالم آل نهيان')).toMatchObject({ given: 'abdullah', family: 'نهيان' });
    expect(personOf('Maitha')).toMatchObject({ given: '', family: '' });
  });

  it('sizes the truncation from the expected records, at most 32 bits', () => {
    const policy = (records: number) =>
      matchingPolicyFromEnvironment({ MATCH_EXPECTED_RECORDS: records, MATCH_LOOKUPS_PER_MINUTE: 30 });
    expect(policy(50_000).truncationBits).toBe(14);
    expect(policy(2 ** 40).truncationBits).toBe(32);
  });

  it('refuses a lookup without a usable compound or with an identifier that does not normalise', () => {
    const issues = (body: unknown) =>
      MatchBodySchema.safeParse(body).error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(issues({ name: { en: 'Maryam Ahmed' } })).toEqual(['name']);
    expect(issues({ nationalId: '123456789012345' })).toContain('nationalId');
    expect(issues({ name: { en: 'Maryam Ahmed' }, dateOfBirth: '2015-02-30' })).toContain('dateOfBirth');
    expect(issues({ name: { en: 'Maryam Ahmed' }, dateOfBirth: '2015-02-03', birthYear: '2015' })).toEqual([
      'birthYear',
    ]);
    expect(issues({ nationalId: '٧٨٤-٢٠١٥-١٢٣٤٥٦٧-١' })).toEqual([]);
  });
});

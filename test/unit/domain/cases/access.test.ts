import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessFor, type Grant, isLive } from '../../../../src/domain/cases/access';
import { SECTION_NAMES, type SectionName } from '../../../../src/domain/cases/schemas';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const minutesFromNow = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();

function grant(overrides: Partial<Grant> = {}): Grant {
  return { agency: 'police', sections: ['report'], expiresAt: minutesFromNow(60), ...overrides };
}

const sectionsOf = (access: ReturnType<typeof accessFor>) => [...(access?.sections ?? [])].sort();

describe('isLive', () => {
  it('holds a grant live until its expiry, and not at or after it', () => {
    expect(isLive(grant({ expiresAt: minutesFromNow(1) }), NOW)).toBe(true);
    expect(isLive(grant({ expiresAt: NOW.toISOString() }), NOW)).toBe(false);
    expect(isLive(grant({ expiresAt: minutesFromNow(-1) }), NOW)).toBe(false);
  });

  it('ends a revoked grant at once, whatever its expiry', () => {
    expect(isLive(grant({ expiresAt: minutesFromNow(600), revokedAt: minutesFromNow(-5) }), NOW)).toBe(false);
  });
});

describe('accessFor', () => {
  it('lets the owner see every section, update the case and add notes, with no grant at all', () => {
    const access = accessFor('cfpc', 'cfpc', [], NOW);

    expect(access).toMatchObject({ owner: true, canUpdate: true, canAddNote: true });
    expect(sectionsOf(access)).toEqual([...SECTION_NAMES].sort());
  });

  it('gives another agency the union of the sections of its live grants, and only those', () => {
    const grants = [
      grant({ sections: ['report'] }),
      grant({ sections: ['identity', 'report'] }),
      grant({ agency: 'health', sections: ['assessment'] }),
      grant({ sections: ['reporter'], expiresAt: minutesFromNow(-1) }),
      grant({ sections: ['police'], revokedAt: minutesFromNow(-1) }),
    ];

    const access = accessFor('police', 'cfpc', grants, NOW);

    expect(access).toMatchObject({ owner: false, canUpdate: false, canAddNote: true });
    expect(sectionsOf(access)).toEqual(['identity', 'report']);
  });

  it('gives nothing (the case does not exist for it) to an agency with no grant, or only expired or revoked ones', () => {
    const spent = [
      grant({ expiresAt: minutesFromNow(-1) }),
      grant({ expiresAt: NOW.toISOString() }),
      grant({ revokedAt: minutesFromNow(-30) }),
    ];

    expect(accessFor('police', 'cfpc', [], NOW)).toBeNull();
    expect(accessFor('police', 'cfpc', spent, NOW)).toBeNull();
    expect(accessFor('health', 'cfpc', [grant()], NOW)).toBeNull();
  });

  it('lets an agency read but not add notes through emergency (read-only) access alone', () => {
    const emergency = grant({ sections: ['identity', 'report'], readOnly: true });

    const access = accessFor('police', 'cfpc', [emergency], NOW);

    expect(access).toMatchObject({ owner: false, canAddNote: false, canUpdate: false });
    expect(sectionsOf(access)).toEqual(['identity', 'report']);
  });

  it('lets an agency add notes when a live share stands beside its emergency access, but not an expired one', () => {
    const emergency = grant({ readOnly: true });

    expect(accessFor('police', 'cfpc', [emergency, grant({ readOnly: false })], NOW)?.canAddNote).toBe(true);
    expect(
      accessFor('police', 'cfpc', [emergency, grant({ expiresAt: minutesFromNow(-1) })], NOW)?.canAddNote,
    ).toBe(false);
  });

  it('never lets anyone but the owner update, whatever its grants', () => {
    const everything = grant({ sections: [...SECTION_NAMES], readOnly: false });

    expect(accessFor('police', 'cfpc', [everything], NOW)?.canUpdate).toBe(false);
  });

  it('never shows a non-owner a section that no live grant of its own names', () => {
    const agencies = ['cfpc', 'police', 'health'] as const;
    const grantArb = fc.record({
      agency: fc.constantFrom(...agencies),
      sections: fc.subarray([...SECTION_NAMES]),
      expiresAt: fc.integer({ min: -600, max: 600 }).map(minutesFromNow),
      revoked: fc.boolean(),
      readOnly: fc.boolean(),
    });

    fc.assert(
      fc.property(
        fc.array(grantArb, { maxLength: 8 }),
        fc.constantFrom('police', 'health'),
        (drawn, caller) => {
          const grants: Grant[] = drawn.map(({ revoked, ...g }) =>
            revoked ? { ...g, revokedAt: minutesFromNow(-1) } : g,
          );
          const own = grants.filter(
            (g) =>
              g.agency === caller && g.revokedAt === undefined && Date.parse(g.expiresAt) > NOW.getTime(),
          );
          const named = new Set<SectionName>(own.flatMap((g) => g.sections));

          const access = accessFor(caller, 'cfpc', grants, NOW);

          if (own.length === 0) {
            expect(access).toBeNull();
            return;
          }
          for (const section of access?.sections ?? []) expect(named.has(section)).toBe(true);
          expect(access?.sections.size).toBe(named.size);
          expect(access?.canUpdate).toBe(false);
        },
      ),
    );
  });
});

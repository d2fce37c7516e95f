import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AgencyIdSchema,
  type Directory,
  DirectorySchema,
  findAgency,
  findClient,
  listAgencies,
  SCOPES,
  scopeClaim,
  scopesOfClaim,
} from '../../../src/domain/directory';

const KEY_ARN = 'arn:aws:kms:me-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const directory: Directory = DirectorySchema.parse({
  agencies: [
    {
      id: 'cfpc',
      name: { en: 'Child & Family Protection Centre', ar: 'مركز حماية الطفل والأسرة' },
      kind: 'social-services',
      keyArn: KEY_ARN,
    },
    { id: 'police', name: { en: 'Police General Command', ar: 'القيادة العامة للشرطة' }, kind: 'police' },
  ],
  oversight: [{ id: 'compliance', name: { en: 'Compliance Office', ar: 'مكتب الامتثال' } }],
  clients: [
    { id: 'cfpc-client', agency: 'cfpc', scopes: ['cases.read', 'cases.write', 'exchange'] },
    { id: 'police-client', agency: 'police', scopes: ['cases.read', 'exchange'] },
    { id: 'compliance-client', agency: 'compliance', scopes: ['audit.read'] },
  ],
});

describe('scopesOfClaim', () => {
  it('reads this resource server’s scopes from a space-separated claim', () => {
    expect(scopesOfClaim('himaya/cases.read himaya/exchange')).toEqual(['cases.read', 'exchange']);
  });

  it('ignores other servers’ scopes, unknown scope names, bare names and empty entries', () => {
    expect(
      scopesOfClaim('other/cases.read himaya/admin cases.write  openid himaya/ himaya/stats.read'),
    ).toEqual(['stats.read']);
  });

  it('gives no scope for a missing or empty claim', () => {
    expect(scopesOfClaim(undefined)).toEqual([]);
    expect(scopesOfClaim(null)).toEqual([]);
    expect(scopesOfClaim('')).toEqual([]);
  });

  it('refuses an entry that only begins with one of its scopes', () => {
    expect(scopesOfClaim('himaya/exchange/read-only himaya/cases.read/x')).toEqual([]);
  });

  it('reads back any set of scopes written as the token claim', () => {
    fc.assert(
      fc.property(fc.subarray([...SCOPES]), (scopes) => {
        expect(scopesOfClaim(scopes.map(scopeClaim).join(' '))).toEqual(scopes);
      }),
    );
  });
});

describe('findClient', () => {
  it('finds the organisation a client acts for', () => {
    expect(findClient(directory, 'police-client')?.agency).toBe('police');
    expect(findClient(directory, 'compliance-client')?.agency).toBe('compliance');
  });

  it('finds no client for an unknown id or an agency id', () => {
    expect(findClient(directory, 'unknown')).toBeUndefined();
    expect(findClient(directory, 'police')).toBeUndefined();
  });
});

describe('findAgency', () => {
  it('finds an agency by id, but not an oversight body', () => {
    expect(findAgency(directory, 'cfpc')?.kind).toBe('social-services');
    expect(findAgency(directory, 'compliance')).toBeUndefined();
    expect(findAgency(directory, 'health')).toBeUndefined();
  });
});

describe('listAgencies', () => {
  it('lists every agency with its name and kind and never its key', () => {
    const listed = listAgencies(directory);

    expect(listed).toEqual([
      { id: 'cfpc', name: directory.agencies[0]?.name, kind: 'social-services' },
      { id: 'police', name: directory.agencies[1]?.name, kind: 'police' },
    ]);
    expect(JSON.stringify(listed)).not.toContain('arn:aws:kms');
  });

  it('lists agencies only, not oversight bodies', () => {
    expect(listAgencies(directory).map((agency) => agency.id)).not.toContain('compliance');
  });
});

describe('DirectorySchema', () => {
  const valid = {
    agencies: [{ id: 'cfpc', name: { en: 'Centre', ar: 'مركز' }, kind: 'social-services' }],
    clients: [{ id: 'cfpc', agency: 'cfpc', scopes: ['cases.read'] }],
  };

  it('accepts a directory whose clients act for known organisations, defaulting to no oversight body', () => {
    expect(DirectorySchema.parse(valid).oversight).toEqual([]);
  });

  it('refuses an organisation id used twice, even across agencies and oversight', () => {
    const oversight = [{ id: 'cfpc', name: { en: 'Audit', ar: 'تدقيق' } }];

    expect(DirectorySchema.safeParse({ ...valid, oversight }).success).toBe(false);
    expect(
      DirectorySchema.safeParse({ ...valid, agencies: [...valid.agencies, ...valid.agencies] }).success,
    ).toBe(false);
  });

  it('refuses a client of an unknown organisation, naming it', () => {
    const parsed = DirectorySchema.safeParse({
      ...valid,
      clients: [...valid.clients, { id: 'x', agency: 'health', scopes: ['exchange'] }],
    });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['clients', 1],
      message: 'unknown organisation health',
    });
  });

  it('refuses a client without scopes or with an unknown scope', () => {
    for (const scopes of [[], ['admin']]) {
      const clients = [{ id: 'cfpc', agency: 'cfpc', scopes }];
      expect(DirectorySchema.safeParse({ ...valid, clients }).success, JSON.stringify(scopes)).toBe(false);
    }
  });
});

describe('AgencyIdSchema', () => {
  it('accepts 2-32 lowercase letters, digits or hyphens, starting with a letter', () => {
    for (const id of ['cfpc', 'police', 'moe-2', 'a1', `a${'b'.repeat(31)}`]) {
      expect(AgencyIdSchema.safeParse(id).success, id).toBe(true);
    }
    for (const id of ['c', 'CFPC', '1police', '-cfpc', 'cf pc', 'cfpc/x', `a${'b'.repeat(32)}`]) {
      expect(AgencyIdSchema.safeParse(id).success, id).toBe(false);
    }
  });
});

describe('DirectorySchema: clients for people', () => {
  const withClient = (client: Record<string, unknown>) => ({
    agencies: [{ id: 'police', name: { en: 'Police', ar: 'الشرطة' }, kind: 'police' }],
    oversight: [{ id: 'compliance', name: { en: 'Compliance', ar: 'الامتثال' } }],
    clients: [client],
  });

  it('accepts the console: an oversight body reading the access log', () => {
    const parsed = DirectorySchema.safeParse(
      withClient({ id: 'himaya-console', agency: 'compliance', scopes: ['audit.read'], kind: 'people' }),
    );

    expect(parsed.success).toBe(true);
  });

  it.each([
    ['for an agency', { agency: 'police', scopes: ['audit.read'] }],
    ['with more than audit.read', { agency: 'compliance', scopes: ['audit.read', 'stats.read'] }],
    ['with a case scope', { agency: 'compliance', scopes: ['cases.read'] }],
  ])('refuses a client for people %s', (_name, client) => {
    const parsed = DirectorySchema.safeParse(withClient({ id: 'people', kind: 'people', ...client }));

    expect(parsed.success).toBe(false);
  });

  it('refuses a kind it does not know', () => {
    const parsed = DirectorySchema.safeParse(
      withClient({ id: 'x', agency: 'compliance', scopes: ['audit.read'], kind: 'robots' }),
    );

    expect(parsed.success).toBe(false);
  });
});

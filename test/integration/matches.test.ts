import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/event';
import { call } from '../support/client';
import { auditEventsOf, createCase, deliveredOutboxOf } from '../support/exchange';
import {
  birthDateInAnotherYear,
  caseAbout,
  lookup,
  randomBirthDate,
  randomEmiratesId,
} from '../support/matches';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

/**
 * POST /v1/matches on the local stack: the Centre writes a child one way, the police look for the child
 * another way. Each test's child has a name of its own and a random date of birth (or id), so no other
 * test's case answers its lookups: two tests with one name would share a year of birth one run in 18, and
 * a lookup by name and date of birth also answers by name and year.
 */
describe('matching: which other agency holds a case about this child', () => {
  it('finds the Centre’s case from the police side under an Arabic name written differently, then asks for it', async () => {
    // Prepare
    const dateOfBirth = randomBirthDate();
    const caseId = await createCase(
      cfpc,
      caseAbout({ name: { ar: 'عبد الرحمن أحمد الشامسي' }, dateOfBirth }),
    );

    // Act: tashkeel, عبدالرحمن joined, أحمد without its hamza, آل written apart, final ى
    const found = await lookup(police, { name: { ar: 'عَبْدُالرَّحْمٰن احمَد آل شامسى' }, dateOfBirth });
    const asked = await call('POST', '/v1/requests', {
      token: police,
      user: 'officer-3',
      body: {
        caseId: (found.json.matches as { caseId: string }[])[0]?.caseId,
        agency: 'cfpc',
        sections: ['identity', 'report'],
        purpose: 'criminal-investigation',
        legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 44',
        urgency: 'high',
        justification: 'A child of this name was brought to the station',
      },
    });
    const incoming = await call('GET', '/v1/requests?box=incoming&status=pending&limit=100', { token: cfpc });

    // Assess
    expect(found.status).toBe(200);
    expect(found.json).toEqual({ matches: [{ agency: 'cfpc', caseId, strength: 'name-dob' }] });
    expect(asked.status).toBe(201);
    expect((incoming.json.items as { requestId: string }[]).map((r) => r.requestId)).toContain(
      asked.json.requestId,
    );
  });

  it('finds across scripts where the tables know the name, by year of birth, and by Emirates ID in Eastern digits', async () => {
    // Prepare
    const dateOfBirth = randomBirthDate();
    const nationalId = randomEmiratesId();
    const caseId = await createCase(
      cfpc,
      caseAbout({ name: { ar: 'عبد الله أحمد الشامسي' }, dateOfBirth, nationalId }),
    );
    const eastern = nationalId.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));

    // Act
    const latin = await lookup(police, { name: { en: 'Abdallah Ahmad Al-Shamsi' }, dateOfBirth });
    const byYear = await lookup(police, {
      name: { en: 'Abdullah Al Shamsi' },
      birthYear: dateOfBirth.slice(0, 4),
    });
    const byId = await lookup(police, { nationalId: eastern });
    const all = await lookup(police, { nationalId, name: { ar: 'عبدالله احمد الشامسي' }, dateOfBirth });

    // Assess
    expect(latin.json).toEqual({ matches: [{ agency: 'cfpc', caseId, strength: 'name-dob' }] });
    expect(byYear.json.matches).toContainEqual({ agency: 'cfpc', caseId, strength: 'name-year' });
    expect(byId.json).toEqual({ matches: [{ agency: 'cfpc', caseId, strength: 'exact-id' }] });
    // One entry per case, the strongest way it was confirmed.
    expect(all.json).toEqual({ matches: [{ agency: 'cfpc', caseId, strength: 'exact-id' }] });
  });

  it('never returns the caller’s own cases, and answers a miss exactly as a hit elsewhere is shaped', async () => {
    // Prepare
    const dateOfBirth = randomBirthDate();
    const child = { name: { ar: 'ميثاء سالم الكعبي', en: 'Maitha Salem Al Kaabi' }, dateOfBirth };
    const caseId = await createCase(cfpc, caseAbout(child));

    // Act
    const own = await lookup(cfpc, { name: child.name, dateOfBirth });
    const nothing = await lookup(police, {
      name: child.name,
      dateOfBirth: birthDateInAnotherYear(dateOfBirth),
    });
    const elsewhere = await lookup(police, { name: child.name, dateOfBirth });

    // Assess: the Centre's own case is in the index but never answered; a miss is the same bytes
    expect(own.status).toBe(200);
    expect(own.text).toBe('{"matches":[]}');
    expect(nothing.status).toBe(200);
    expect(nothing.text).toBe(own.text);
    expect(nothing.headers.get('content-type')).toBe(elsewhere.headers.get('content-type'));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.json).toEqual({ matches: [{ agency: 'cfpc', caseId, strength: 'name-dob' }] });
  });

  it('follows the identity section: an update moves the case to its new child, a removal takes it out', async () => {
    // Prepare
    const first = { name: { ar: 'نورة خالد المهيري' }, dateOfBirth: randomBirthDate() };
    const second = { name: { ar: 'سارة خالد المهيري' }, dateOfBirth: randomBirthDate() };
    const caseId = await createCase(cfpc, caseAbout(first));
    const patch = (version: number, identity: unknown) =>
      call('PATCH', `/v1/cases/${caseId}`, {
        token: cfpc,
        headers: { 'if-match': `"${version}"` },
        body: { sections: { identity } },
      });

    // Act
    const before = await lookup(police, first);
    const moved = await patch(1, caseAbout(second).sections.identity);
    const oldChild = await lookup(police, first);
    const newChild = await lookup(police, second);
    const statusOnly = await call('PATCH', `/v1/cases/${caseId}`, {
      token: cfpc,
      headers: { 'if-match': '"2"' },
      body: { status: 'under-assessment' },
    });
    const keptAfterStatus = await lookup(police, second);
    const removed = await patch(3, null);
    const afterRemoval = await lookup(police, second);

    // Assess
    expect(before.json.matches).toEqual([{ agency: 'cfpc', caseId, strength: 'name-dob' }]);
    expect(moved.status).toBe(200);
    expect(oldChild.json.matches).toEqual([]);
    expect(newChild.json.matches).toEqual([{ agency: 'cfpc', caseId, strength: 'name-dob' }]);
    expect(statusOnly.status).toBe(200);
    expect(keptAfterStatus.json.matches).toEqual([{ agency: 'cfpc', caseId, strength: 'name-dob' }]);
    expect(removed.status).toBe(200);
    expect(afterRemoval.json.matches).toEqual([]);
  });

  it('logs the lookup on the case found and tells its owner (match.found, published)', async () => {
    // Prepare
    const dateOfBirth = randomBirthDate();
    const caseId = await createCase(
      cfpc,
      caseAbout({ name: { en: 'Khalid Saeed Al Mansoori' }, dateOfBirth }),
    );

    // Act
    const found = await lookup(police, { name: { ar: 'خالد سعيد المنصوري' }, dateOfBirth });
    const events = await deliveredOutboxOf(caseId, 1);
    const logged = await auditEventsOf(compliance, caseId);

    // Assess
    expect(found.json.matches).toEqual([{ agency: 'cfpc', caseId, strength: 'name-dob' }]);
    const matchEvents = events.filter((entry) => entry.event.type === 'match.found');
    expect(matchEvents).toHaveLength(1);
    expect(matchEvents[0]?.event).toMatchObject({
      caseId,
      actorAgency: 'police',
      recipients: ['cfpc'],
      strength: 'name-dob',
    });
    expect(matchEvents[0]?.publishedAt).toBeDefined();
    const lookupEvent = logged.find((event: AuditEvent) => event.action === 'case.match');
    expect(lookupEvent).toMatchObject({
      agency: 'police',
      user: 'officer-3',
      caseId,
      resource: '/v1/matches',
      purpose: 'criminal-investigation',
      outcome: 200,
      disposition: 'committed',
    });
  });

  it('refuses a lookup without a usable compound, a malformed identifier, or no purpose (400)', async () => {
    // Act
    const dateAlone = await lookup(police, { dateOfBirth: '2015-03-02' });
    const oneName = await lookup(police, { name: { ar: 'مريم' }, dateOfBirth: '2015-03-02' });
    const foreignId = await lookup(police, { nationalId: '123-4567-8901234-5' });
    const badDate = await lookup(police, { name: { en: 'Maryam Ahmed' }, dateOfBirth: '2015-02-30' });
    const unknownField = await lookup(police, { nationalId: randomEmiratesId(), address: 'x' });
    const noPurpose = await call('POST', '/v1/matches', {
      token: police,
      body: { nationalId: randomEmiratesId() },
    });

    // Assess
    for (const refused of [dateAlone, oneName, foreignId, badDate, unknownField, noPurpose]) {
      expect(refused.status, refused.text).toBe(400);
    }
    expect(JSON.stringify(foreignId.json.errors)).toContain('nationalId');
    expect(JSON.stringify(badDate.json.errors)).toContain('dateOfBirth');
  });
});

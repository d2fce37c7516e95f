import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  addNote,
  type CaseServiceDeps,
  createCase,
  etagOf,
  listNotes,
  readCase,
  updateCase,
  versionFromIfMatch,
} from '../../../../src/domain/cases/case-service';
import { MAX_SECTION_BYTES } from '../../../../src/domain/cases/limits';
import {
  AccessChangedError,
  CaseGoneError,
  SectionIntegrityError,
  StaleVersionError,
  type StoredGrant,
} from '../../../../src/domain/cases/ports';
import {
  CreateCaseBodySchema,
  NoteBodySchema,
  UpdateCaseBodySchema,
} from '../../../../src/domain/cases/schemas';
import {
  AccessContentionError,
  CaseNotFoundError,
  DependencyUnavailableError,
  DuplicateRequestError,
  PurposeNotPermittedError,
  RequestKeyReusedError,
  RuleViolationError,
  VersionRequiredError,
} from '../../../../src/domain/errors';
import { retryableWrite } from '../../../../src/domain/retryable-write';
import { MemoryTrail } from '../../../support/fakes/audit-trail';
import { ContextCipher, MemoryCaseStore } from '../../../support/fakes/cases';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const ID_KEY = new Uint8Array(32).fill(7);
const LATER = new Date('2026-12-01T10:05:00.000Z');
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const MISSING_ID = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const cfpc = { agency: 'cfpc', user: 'caseworker-7' };
const police = { agency: 'police', user: 'officer-3' };
const health = { agency: 'health', user: 'nurse-1' };

const NARRATIVE = 'يُذكر أن الطفلة تتعرض للإهمال';
const createBody = CreateCaseBodySchema.parse({
  category: 'neglect',
  urgency: 'high',
  region: { emirate: 'sharjah', city: 'Khor Fakkan' },
  sections: {
    identity: { children: [{ name: { ar: 'مريم أحمد', en: 'Maryam Ahmed' }, nationalId: '784-2015-1' }] },
    report: { receivedAt: '2026-11-20T08:15:00.000Z', channel: 'school', narrative: NARRATIVE },
    assessment: { riskLevel: 'high', summary: 'home visit needed' },
    reporter: { anonymous: false, name: { en: 'A Teacher' } },
  },
});

let grantCount = 0;
function grantTo(agency: string, overrides: Partial<StoredGrant> = {}): StoredGrant {
  grantCount++;
  return {
    grantId: `grant-${grantCount}`,
    caseId: CASE_ID,
    agency,
    kind: 'share',
    sections: ['report'],
    purpose: 'child-protection',
    grantedAt: NOW.toISOString(),
    grantedBy: cfpc.user,
    expiresAt: '2026-12-03T10:00:00.000Z',
    readOnly: false,
    ...overrides,
  };
}

function setup() {
  const store = new MemoryCaseStore();
  const cipher = new ContextCipher();
  let now = NOW;
  const deps: CaseServiceDeps = {
    store,
    cipher,
    clock: () => now,
    notes: { maxPerAgency: 3, inCaseRead: 2 },
  };
  return {
    store,
    cipher,
    deps,
    setNow: (at: Date) => {
      now = at;
    },
  };
}

/** A case created by the centre, with the given grants added afterwards. */
async function withCase(...shares: StoredGrant[]) {
  const context = setup();
  await createCase(context.deps, cfpc, createBody, new MemoryTrail(), { id: CASE_ID });
  for (const grant of shares) context.store.grant(CASE_ID, grant);
  context.cipher.decrypted.length = 0;
  context.cipher.encrypted.length = 0;
  return context;
}

async function ruleOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RuleViolationError) return error.rule;
    throw error;
  }
  return undefined;
}

describe('createCase', () => {
  it('stores each given section encrypted under the owner’s context, and answers version 1 owned by the caller', async () => {
    const { deps, store, cipher } = setup();
    const trail = new MemoryTrail();

    const meta = await createCase(deps, cfpc, createBody, trail, { id: CASE_ID });

    expect(meta).toMatchObject({
      caseId: CASE_ID,
      ownerAgency: 'cfpc',
      version: 1,
      status: 'received',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    const stored = store.entries.get(CASE_ID)?.record;
    expect(stored?.createdBy).toBe('caseworker-7');
    expect(Object.keys(stored?.sections ?? {}).sort()).toEqual([
      'assessment',
      'identity',
      'report',
      'reporter',
    ]);
    expect(cipher.encrypted).toContainEqual({ caseId: CASE_ID, section: 'report', ownerAgency: 'cfpc' });
    const report = new TextDecoder().decode(stored?.sections.report);
    expect(report).not.toContain(NARRATIVE);
  });

  it('records the audit event stored with the case', async () => {
    const { deps, store } = setup();
    const trail = new MemoryTrail();

    await createCase(deps, cfpc, createBody, trail, { id: CASE_ID });

    expect(store.events).toHaveLength(1);
    expect(trail.recordedEvents).toEqual(store.events);
    expect(store.events[0]).toMatchObject({ outcome: 201, caseId: CASE_ID });
  });

  it('refuses a second case under the same id as a duplicate request, keeping the first and recording nothing', async () => {
    const { deps, store } = setup();
    await createCase(deps, cfpc, createBody, new MemoryTrail(), { id: CASE_ID });
    const trail = new MemoryTrail();

    const again = createCase(deps, police, { ...createBody, urgency: 'low' }, trail, { id: CASE_ID });

    await expect(again).rejects.toBeInstanceOf(DuplicateRequestError);
    expect(trail.recordedEvents).toEqual([]);
    expect(store.entries.get(CASE_ID)?.record.meta).toMatchObject({ ownerAgency: 'cfpc', urgency: 'high' });
  });

  it('passes a failing store through and records nothing', async () => {
    const { deps, store } = setup();
    const failure = new DependencyUnavailableError();
    vi.spyOn(store, 'create').mockRejectedValueOnce(failure);
    const trail = new MemoryTrail();

    await expect(createCase(deps, cfpc, createBody, trail, { id: CASE_ID })).rejects.toBe(failure);
    expect(trail.recordedEvents).toEqual([]);
  });
});

describe('readCase', () => {
  it('gives the owner every section it stored, decrypted, and every note', async () => {
    const { deps } = await withCase(grantTo('police'));
    await addNote(deps, police, CASE_ID, NoteBodySchema.parse({ text: 'بلاغ مستلم' }), new MemoryTrail(), {
      id: 'n-1',
    });

    const view = await readCase(deps, cfpc, CASE_ID, 'research', new MemoryTrail());

    expect(view.sections).toEqual(createBody.sections);
    expect(view.notes.map((n) => [n.agency, n.text])).toEqual([['police', 'بلاغ مستلم']]);
    expect(view).toMatchObject({ caseId: CASE_ID, ownerAgency: 'cfpc', version: 1 });
  });

  it('gives a grantee only the sections its live grants name, decrypting nothing else', async () => {
    const { deps, cipher } = await withCase(
      grantTo('police', { sections: ['report'] }),
      grantTo('police', { sections: ['identity'], expiresAt: '2026-12-01T09:00:00.000Z' }),
      grantTo('health', { sections: ['assessment'] }),
    );

    const view = await readCase(deps, police, CASE_ID, 'child-protection', new MemoryTrail());

    expect(Object.keys(view.sections)).toEqual(['report']);
    expect(view.sections.report?.narrative).toBe(NARRATIVE);
    expect(cipher.decrypted.map((c) => c.section)).toEqual(['report']);
  });

  it('shows a grantee its own notes and not the owner’s', async () => {
    const { deps } = await withCase(grantTo('police'));
    const note = (text: string) => NoteBodySchema.parse({ text });
    await addNote(deps, cfpc, CASE_ID, note('internal'), new MemoryTrail(), { id: 'n-1' });
    await addNote(deps, police, CASE_ID, note('patrol sent'), new MemoryTrail(), { id: 'n-2' });

    const view = await readCase(deps, police, CASE_ID, 'child-protection', new MemoryTrail());

    expect(view.notes.map((n) => n.text)).toEqual(['patrol sent']);
  });

  it('asks for no page of notes while no agency has added one', async () => {
    const { deps, store } = await withCase(grantTo('police'));

    const owners = await readCase(deps, cfpc, CASE_ID, 'child-protection', new MemoryTrail());
    const grantees = await readCase(deps, police, CASE_ID, 'child-protection', new MemoryTrail());

    expect([owners.notes, grantees.notes]).toEqual([[], []]);
    expect(store.noteQueries).toEqual([]);
  });

  it('asks for notes once one may be the reader’s: the owner after anyone’s note, a grantee after its own', async () => {
    const { deps, store } = await withCase(grantTo('police'));
    await addNote(deps, cfpc, CASE_ID, NoteBodySchema.parse({ text: 'internal' }), new MemoryTrail(), {
      id: 'n-1',
    });

    const owners = await readCase(deps, cfpc, CASE_ID, 'child-protection', new MemoryTrail());
    const grantees = await readCase(deps, police, CASE_ID, 'child-protection', new MemoryTrail());

    expect(owners.notes.map((n) => n.text)).toEqual(['internal']);
    expect(grantees.notes).toEqual([]);
    expect(store.noteQueries).toEqual([{ caseId: CASE_ID }]);
  });

  it('asks for the notes of a case stored before its note authors were kept, whoever reads it', async () => {
    const { deps, store } = setup();
    const { record } = (await (await withCase()).store.get(CASE_ID)) ?? {};
    if (!record) throw new Error('no case');
    store.seed(record, [grantTo('police')]);

    await readCase(deps, cfpc, CASE_ID, 'child-protection', new MemoryTrail());
    await readCase(deps, police, CASE_ID, 'child-protection', new MemoryTrail());

    expect(store.noteQueries).toEqual([{ caseId: CASE_ID }, { caseId: CASE_ID, agency: 'police' }]);
  });

  it('answers a missing case and a case the caller may not see alike, decrypting nothing', async () => {
    const { deps, cipher } = await withCase(grantTo('police', { revokedAt: NOW.toISOString() }));

    await expect(
      readCase(deps, cfpc, MISSING_ID, 'child-protection', new MemoryTrail()),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
    await expect(
      readCase(deps, health, CASE_ID, 'child-protection', new MemoryTrail()),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
    await expect(
      readCase(deps, police, CASE_ID, 'child-protection', new MemoryTrail()),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
    expect(cipher.decrypted).toEqual([]);
  });

  it('binds a grantee’s read to the purpose of its grants, and names the grants used', async () => {
    const { deps, cipher } = await withCase(
      grantTo('police', { grantId: 'g-report', sections: ['report'], purpose: 'criminal-investigation' }),
      grantTo('police', { grantId: 'g-identity', sections: ['identity'], purpose: 'child-protection' }),
      grantTo('police', { grantId: 'g-urgent', sections: ['assessment'], purpose: 'emergency' }),
    );
    const trail = new MemoryTrail();

    const view = await readCase(deps, police, CASE_ID, 'criminal-investigation', trail);
    const research = readCase(deps, police, CASE_ID, 'research', new MemoryTrail());
    const emergency = await readCase(deps, police, CASE_ID, 'emergency', new MemoryTrail());

    expect(Object.keys(view.sections)).toEqual(['report']);
    expect(trail.concerned.grantIds).toEqual(['g-report']);
    await expect(research).rejects.toBeInstanceOf(PurposeNotPermittedError);
    expect(Object.keys(emergency.sections)).toEqual(['assessment']);
    expect(cipher.decrypted.map((c) => c.section)).toEqual(['report', 'assessment']);
  });

  it('lets the owner read under any purpose, naming no grant', async () => {
    const { deps } = await withCase(grantTo('police'));
    const trail = new MemoryTrail();

    await readCase(deps, cfpc, CASE_ID, 'emergency', trail);

    expect(trail.concerned.grantIds).toBeUndefined();
  });

  it('records the read’s event and returns nothing when that event cannot be written', async () => {
    const { deps } = await withCase();
    const trail = new MemoryTrail();
    const refusing = Object.assign(new MemoryTrail(), {
      recordAhead: () => Promise.reject(new DependencyUnavailableError()),
    });

    await readCase(deps, cfpc, CASE_ID, 'child-protection', trail);

    expect(trail.recordedEvents.map((event) => event.outcome)).toEqual([200]);
    await expect(readCase(deps, cfpc, CASE_ID, 'child-protection', refusing)).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });

  it('refuses a section ciphertext moved to another section’s place', async () => {
    const { deps, store } = await withCase();
    const sections = store.entries.get(CASE_ID)?.record.sections ?? {};
    [sections.identity, sections.report] = [sections.report, sections.identity];

    await expect(readCase(deps, cfpc, CASE_ID, 'research', new MemoryTrail())).rejects.toBeInstanceOf(
      SectionIntegrityError,
    );
  });
});

describe('updateCase', () => {
  const update = (body: unknown) => UpdateCaseBodySchema.parse(body);

  it('lets the owner change metadata and sections at the version it read, and remove sections sent as null', async () => {
    const { deps, store, setNow } = await withCase();
    setNow(LATER);
    const trail = new MemoryTrail();

    const meta = await updateCase(
      deps,
      cfpc,
      CASE_ID,
      etagOf(1),
      update({
        status: 'intervention',
        sections: { assessment: { riskLevel: 'critical', summary: 'moved to shelter' }, reporter: null },
      }),
      trail,
    );
    const view = await readCase(deps, cfpc, CASE_ID, 'research', new MemoryTrail());

    expect(meta).toMatchObject({
      version: 2,
      status: 'intervention',
      urgency: 'high',
      updatedAt: LATER.toISOString(),
    });
    expect(meta.createdAt).toBe(NOW.toISOString());
    expect(view.sections.assessment?.summary).toBe('moved to shelter');
    expect(view.sections.reporter).toBeUndefined();
    expect(view.sections.report).toEqual(createBody.sections.report);
    expect(trail.recordedEvents).toEqual(store.events.slice(-1));
  });

  it('refuses a grantee with the not-owner rule and writes nothing', async () => {
    const { deps, store } = await withCase(grantTo('police', { sections: ['report', 'police'] }));

    const rule = await ruleOf(
      updateCase(deps, police, CASE_ID, '"1"', update({ status: 'closed' }), new MemoryTrail()),
    );

    expect(rule).toBe('not-owner');
    expect(store.entries.get(CASE_ID)?.record.meta.version).toBe(1);
  });

  it('answers an agency that cannot see the case with not-found', async () => {
    const { deps } = await withCase();

    await expect(
      updateCase(deps, health, CASE_ID, '"1"', update({ status: 'closed' }), new MemoryTrail()),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
  });

  it('requires If-Match, and refuses a version other than the current one', async () => {
    const { deps, store } = await withCase();
    const body = update({ status: 'closed' });
    const trail = new MemoryTrail();

    await expect(updateCase(deps, cfpc, CASE_ID, undefined, body, trail)).rejects.toBeInstanceOf(
      VersionRequiredError,
    );
    for (const stale of ['"2"', '"0"', '*', 'garbage']) {
      await expect(updateCase(deps, cfpc, CASE_ID, stale, body, trail), stale).rejects.toBeInstanceOf(
        StaleVersionError,
      );
    }
    expect(store.entries.get(CASE_ID)?.record.meta.status).toBe('received');
    expect(trail.recordedEvents).toEqual([]);
  });

  it('refuses the loser of two updates made from the same read', async () => {
    const { deps } = await withCase();

    await updateCase(deps, cfpc, CASE_ID, '"1"', update({ status: 'referred' }), new MemoryTrail());
    const second = updateCase(deps, cfpc, CASE_ID, '"1"', update({ status: 'closed' }), new MemoryTrail());

    await expect(second).rejects.toBeInstanceOf(StaleVersionError);
  });

  it('is not refused or retried when a share lands between its read and its write', async () => {
    const { deps, store } = await withCase();
    const read = store.get.bind(store);
    const get = vi.spyOn(store, 'get').mockImplementationOnce(async (id) => {
      const found = await read(id);
      store.grant(CASE_ID, grantTo('police'));
      return found;
    });
    const trail = new MemoryTrail();

    const meta = await updateCase(deps, cfpc, CASE_ID, '"1"', update({ status: 'referred' }), trail);

    expect(meta.version).toBe(2);
    expect(get).toHaveBeenCalledTimes(1);
    expect(trail.recordedEvents).toHaveLength(1);
  });

  it('gives up with a contention error when the store is busy at every one of three attempts, recording nothing', async () => {
    const { deps, store } = await withCase();
    const update_ = vi.spyOn(store, 'update').mockRejectedValue(new AccessChangedError());
    const trail = new MemoryTrail();

    const attempt = updateCase(deps, cfpc, CASE_ID, '"1"', update({ status: 'referred' }), trail);

    await expect(attempt).rejects.toBeInstanceOf(AccessContentionError);
    expect(update_).toHaveBeenCalledTimes(3);
    expect(trail.recordedEvents).toEqual([]);
  });

  it('answers a case deleted between read and write with not-found', async () => {
    const { deps, store } = await withCase();
    vi.spyOn(store, 'update').mockRejectedValueOnce(new CaseGoneError());

    await expect(
      updateCase(deps, cfpc, CASE_ID, '"1"', update({ status: 'referred' }), new MemoryTrail()),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
  });
});

describe('notes, bounded', () => {
  const note = (text: string) => NoteBodySchema.parse({ text });
  const addAt = async (deps: CaseServiceDeps, who: typeof cfpc, text: string, minute: number) => {
    const at = new Date(NOW.getTime() + minute * 60_000);
    const timed = { ...deps, clock: () => at };
    return addNote(timed, who, CASE_ID, note(text), new MemoryTrail(), { id: `n-${who.agency}-${minute}` });
  };

  it('gives a case read the newest notes only, and the path that pages the older ones', async () => {
    const { deps } = await withCase(grantTo('police'));
    for (const minute of [1, 2, 3]) await addAt(deps, cfpc, `note ${minute}`, minute);

    const view = await readCase(deps, cfpc, CASE_ID, 'child-protection', new MemoryTrail());
    const cursor = view.notesNext?.split('cursor=')[1];
    const older = await listNotes(
      deps,
      cfpc,
      CASE_ID,
      'child-protection',
      { limit: 2, cursor },
      new MemoryTrail(),
    );

    expect(view.notes.map((n) => n.text)).toEqual(['note 3', 'note 2']);
    expect(view.notesNext).toMatch(new RegExp(`^/v1/cases/${CASE_ID}/notes\\?cursor=`));
    expect(older.items.map((n) => n.text)).toEqual(['note 1']);
    expect(older.nextCursor).toBeUndefined();
  });

  it('links nothing when the case read holds every note', async () => {
    const { deps } = await withCase();
    await addAt(deps, cfpc, 'only', 1);

    const view = await readCase(deps, cfpc, CASE_ID, 'child-protection', new MemoryTrail());

    expect(view.notes).toHaveLength(1);
    expect(view.notesNext).toBeUndefined();
  });

  it('pages a grantee through its own notes only, and refuses it the notes of a case it cannot see', async () => {
    const { deps } = await withCase(grantTo('police'));
    await addAt(deps, cfpc, 'internal', 1);
    for (const minute of [2, 3, 4]) await addAt(deps, police, `patrol ${minute}`, minute);

    const first = await listNotes(deps, police, CASE_ID, 'child-protection', { limit: 2 }, new MemoryTrail());
    const second = await listNotes(
      deps,
      police,
      CASE_ID,
      'child-protection',
      { limit: 2, cursor: first.nextCursor },
      new MemoryTrail(),
    );
    const stranger = listNotes(
      deps,
      { agency: 'health', user: 'nurse-1' },
      CASE_ID,
      'child-protection',
      { limit: 2 },
      new MemoryTrail(),
    );

    expect([...first.items, ...second.items].map((n) => n.text)).toEqual([
      'patrol 4',
      'patrol 3',
      'patrol 2',
    ]);
    await expect(stranger).rejects.toBeInstanceOf(CaseNotFoundError);
  });

  it('caps the notes of each agency on a case: over it, note-limit-reached and nothing stored', async () => {
    const { deps, store } = await withCase(grantTo('police'));
    for (const minute of [1, 2, 3]) await addAt(deps, police, `patrol ${minute}`, minute);

    const rule = await ruleOf(addAt(deps, police, 'one too many', 4));
    const owners = await addAt(deps, cfpc, 'the owner still may', 5);

    expect(rule).toBe('note-limit-reached');
    expect(owners.text).toBe('the owner still may');
    expect(store.entries.get(CASE_ID)?.notes).toHaveLength(4);
  });

  it('refuses a section larger than the limit as JSON, storing nothing', async () => {
    const { deps, store } = setup();
    const findings = Array.from({ length: 50 }, () => 'س'.repeat(2000));
    const body = CreateCaseBodySchema.parse({
      ...createBody,
      sections: { ...createBody.sections, assessment: { riskLevel: 'high', summary: 'big', findings } },
    });

    const rule = await ruleOf(createCase(deps, cfpc, body, new MemoryTrail(), { id: CASE_ID }));

    expect(JSON.stringify(body.sections.assessment).length * 2).toBeGreaterThan(MAX_SECTION_BYTES);
    expect(rule).toBe('section-too-large');
    expect(store.entries.size).toBe(0);
  });
});

describe('addNote', () => {
  const body = NoteBodySchema.parse({ kind: 'police-response', text: 'تم إرسال دورية' });

  it('lets a grantee add a note, encrypted under the owner’s key for that note, and records it', async () => {
    const { deps, store, cipher } = await withCase(grantTo('police'));
    const trail = new MemoryTrail();

    const view = await addNote(deps, police, CASE_ID, body, trail, { id: 'n-1' });

    expect(view).toEqual({
      noteId: 'n-1',
      agency: 'police',
      user: 'officer-3',
      kind: 'police-response',
      text: 'تم إرسال دورية',
      createdAt: NOW.toISOString(),
    });
    expect(cipher.encrypted).toEqual([{ caseId: CASE_ID, section: 'note:n-1', ownerAgency: 'cfpc' }]);
    const stored = store.entries.get(CASE_ID)?.notes[0];
    expect(new TextDecoder().decode(stored?.ciphertext)).not.toContain('دورية');
    expect(store.noteOptions).toEqual([{ byOwner: false, maxPerAgency: 3 }]);
    expect(trail.recordedEvents).toEqual(store.events.slice(-1));
  });

  it('counts the owner’s note as the owner’s act', async () => {
    const { deps, store } = await withCase();

    await addNote(deps, cfpc, CASE_ID, body, new MemoryTrail(), { id: 'n-1' });

    expect(store.noteOptions).toEqual([{ byOwner: true, maxPerAgency: 3 }]);
  });

  it('refuses a note through emergency (read-only) access alone, storing nothing', async () => {
    const { deps, store } = await withCase(grantTo('police', { kind: 'emergency', readOnly: true }));

    const rule = await ruleOf(addNote(deps, police, CASE_ID, body, new MemoryTrail(), { id: 'n-1' }));

    expect(rule).toBe('read-only-access');
    expect(store.entries.get(CASE_ID)?.notes).toEqual([]);
  });

  it('answers an agency that cannot see the case, and a missing case, with not-found', async () => {
    const { deps } = await withCase();

    await expect(
      addNote(deps, police, CASE_ID, body, new MemoryTrail(), { id: 'n-1' }),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
    await expect(
      addNote(deps, cfpc, MISSING_ID, body, new MemoryTrail(), { id: 'n-1' }),
    ).rejects.toBeInstanceOf(CaseNotFoundError);
  });

  it('refuses a second note under the same id as a duplicate request, recording nothing', async () => {
    const { deps, store } = await withCase();
    await addNote(deps, cfpc, CASE_ID, body, new MemoryTrail(), { id: 'n-1' });
    const trail = new MemoryTrail();

    const again = addNote(deps, cfpc, CASE_ID, { ...body, text: 'other' }, trail, { id: 'n-1' });

    await expect(again).rejects.toBeInstanceOf(DuplicateRequestError);
    expect(trail.recordedEvents).toEqual([]);
    expect(store.entries.get(CASE_ID)?.notes).toHaveLength(1);
  });

  it('answers a case deleted between read and write with not-found, recording nothing', async () => {
    const { deps, store } = await withCase();
    vi.spyOn(store, 'addNote').mockRejectedValueOnce(new CaseGoneError());
    const trail = new MemoryTrail();

    await expect(addNote(deps, cfpc, CASE_ID, body, trail, { id: 'n-1' })).rejects.toBeInstanceOf(
      CaseNotFoundError,
    );
    expect(trail.recordedEvents).toEqual([]);
  });
});

describe('versionFromIfMatch', () => {
  it('reads the version from a strong or weak ETag, ignoring surrounding space', () => {
    expect(versionFromIfMatch('"3"')).toBe(3);
    expect(versionFromIfMatch('W/"3"')).toBe(3);
    expect(versionFromIfMatch('  "12" ')).toBe(12);
  });

  it('says no version was sent when the header is absent', () => {
    expect(versionFromIfMatch(undefined)).toBeUndefined();
  });

  it('turns anything else into a version that matches no version', () => {
    for (const value of ['3', '"abc"', '"-1"', '"3.0"', '"12345678901"', '*', '', '"3", "4"']) {
      expect(versionFromIfMatch(value), value).toBeNaN();
    }
  });

  it('reads back every version from its own ETag', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (version) => {
        expect(versionFromIfMatch(etagOf(version))).toBe(version);
      }),
    );
  });
});

describe('etagOf', () => {
  it('quotes the version as a strong ETag', () => {
    expect(etagOf(7)).toBe('"7"');
  });
});

describe('a retry of a create whose first answer was lost', () => {
  const scope = 'cfpc createCase /v1/cases report-2026-0001';

  it('answers the case the first attempt stored, says so in the trail, and writes nothing', async () => {
    const { deps, store } = setup();
    const write = retryableWrite(ID_KEY, scope, createBody);
    const first = await createCase(deps, cfpc, createBody, new MemoryTrail(), write);
    const trail = new MemoryTrail();

    const again = await createCase(deps, cfpc, createBody, trail, write);

    expect(again).toEqual(first);
    expect(trail.wasReplayed).toBe(true);
    expect(trail.recordedEvents).toEqual([]);
    expect(store.entries.size).toBe(1);
  });

  it('refuses another body under the same key, and a key whose case has no digest of its request', async () => {
    const { deps } = setup();
    await createCase(deps, cfpc, createBody, new MemoryTrail(), retryableWrite(ID_KEY, scope, createBody));
    const other = { ...createBody, urgency: 'low' as const };
    const legacy = setup();
    await createCase(legacy.deps, cfpc, createBody, new MemoryTrail(), { id: CASE_ID });

    await expect(
      createCase(deps, cfpc, other, new MemoryTrail(), retryableWrite(ID_KEY, scope, other)),
    ).rejects.toBeInstanceOf(RequestKeyReusedError);
    await expect(
      createCase(legacy.deps, cfpc, createBody, new MemoryTrail(), { id: CASE_ID, digest: 'x' }),
    ).rejects.toBeInstanceOf(DuplicateRequestError);
  });

  it('answers the note the first attempt stored, with the text the retry carries', async () => {
    const { deps } = await withCase();
    const body = { kind: 'update' as const, text: 'Home visit done' };
    const write = retryableWrite(ID_KEY, `cfpc addNote /v1/cases/${CASE_ID}/notes n-1`, body);
    const first = await addNote(deps, cfpc, CASE_ID, body, new MemoryTrail(), write);
    const trail = new MemoryTrail();

    const again = await addNote(deps, cfpc, CASE_ID, body, trail, write);

    expect(again).toEqual(first);
    expect(trail.wasReplayed).toBe(true);
  });
});

import type { AuditTrail } from '../audit/trail';
import {
  CaseNotFoundError,
  PurposeNotPermittedError,
  RuleViolationError,
  VersionRequiredError,
} from '../errors';
import { indexedEntryIds, indexIdentity } from '../matching/case-index';
import type { MatchingPolicy } from '../matching/policy';
import type { BlindIndexer, IndexChange } from '../matching/ports';
import type { Purpose } from '../purpose';
import { type RetryableWrite, storedByThisRequest } from '../retryable-write';
import { type CaseAccess, readableUnder } from './access';
import { retryOnAccessChange } from './access-contention';
import { MAX_SECTION_BYTES, type NotesPolicy } from './limits';
import { loadVisibleCase } from './load-case';
import {
  CaseExistsError,
  CaseGoneError,
  type CaseStore,
  NoteLimitError,
  type SectionCipher,
  StaleVersionError,
  type StoredCase,
  type StoredNote,
} from './ports';
import {
  type CaseMetadata,
  type CaseView,
  type CreateCaseBody,
  type ListCasesQuery,
  type NoteBody,
  type NoteList,
  type NoteView,
  SECTION_NAMES,
  type SectionName,
  type Sections,
  type UpdateCaseBody,
} from './schemas';

export interface CaseServiceDeps {
  store: CaseStore;
  cipher: SectionCipher;
  clock: () => Date;
  notes: NotesPolicy;
  /**
   * Blind indexes of the identity section, for matching: written with the case, replaced when the
   * identity section changes. Without it (unit tests of other rules) nothing is indexed.
   */
  indexing?: { indexer: BlindIndexer; matching: MatchingPolicy };
}

/** The agency system and officer a request is made for. */
export interface Caller {
  agency: string;
  user: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Each section's JSON, held to `MAX_SECTION_BYTES`: what is stored is what a read returns. */
function sectionPlaintexts(sections: Sections, present: readonly SectionName[]): Uint8Array[] {
  return present.map((section) => {
    const plaintext = encoder.encode(JSON.stringify(sections[section]));
    if (plaintext.length > MAX_SECTION_BYTES) {
      const message = `The ${section} section is ${plaintext.length} bytes as JSON; at most ${MAX_SECTION_BYTES}.`;
      throw new RuleViolationError(message, 'section-too-large', [
        { path: `body.sections.${section}`, message },
      ]);
    }
    return plaintext;
  });
}

async function encryptSections(
  cipher: SectionCipher,
  meta: Pick<CaseMetadata, 'caseId' | 'ownerAgency'>,
  sections: Sections,
): Promise<StoredCase['sections']> {
  const present = SECTION_NAMES.filter((name) => sections[name] !== undefined);
  const plaintexts = sectionPlaintexts(sections, present);
  const ciphertexts = await Promise.all(
    present.map((section, i) =>
      cipher.encrypt(
        { caseId: meta.caseId, section, ownerAgency: meta.ownerAgency },
        plaintexts[i] as Uint8Array,
      ),
    ),
  );
  return Object.fromEntries(present.map((name, i) => [name, ciphertexts[i]]));
}

async function decryptSections(cipher: SectionCipher, record: StoredCase, visible: ReadonlySet<SectionName>) {
  const names = SECTION_NAMES.filter((name) => visible.has(name) && record.sections[name] !== undefined);
  // In parallel: each section is its own message (and, written by the first version, one KMS Decrypt).
  const plaintexts = await Promise.all(
    names.map((section) =>
      cipher.decrypt(
        { caseId: record.meta.caseId, section, ownerAgency: record.meta.ownerAgency },
        record.sections[section] as Uint8Array,
      ),
    ),
  );
  return Object.fromEntries(
    names.map((name, i) => [name, JSON.parse(decoder.decode(plaintexts[i]))]),
  ) as Sections;
}

async function decryptNotes(
  cipher: SectionCipher,
  record: StoredCase,
  notes: readonly StoredNote[],
  access: CaseAccess,
  agency: string,
) {
  // The owner reads every note; another agency reads the notes it wrote.
  const readable = notes.filter((note) => access.owner || note.agency === agency);
  return Promise.all(
    readable.map(async (note): Promise<NoteView> => {
      const plaintext = await cipher.decrypt(
        { caseId: note.caseId, section: `note:${note.noteId}`, ownerAgency: record.meta.ownerAgency },
        note.ciphertext,
      );
      return {
        noteId: note.noteId,
        agency: note.agency,
        user: note.user,
        kind: note.kind,
        text: decoder.decode(plaintext),
        createdAt: note.createdAt,
      };
    }),
  );
}

/** Loads a case and what the caller may do with it; a case the caller may not see is not found. */
function loadVisible(deps: CaseServiceDeps, caller: Caller, caseId: string) {
  return loadVisibleCase(deps.store, caller.agency, caseId, deps.clock());
}

export async function createCase(
  deps: CaseServiceDeps,
  caller: Caller,
  body: CreateCaseBody,
  trail: AuditTrail,
  write: RetryableWrite,
): Promise<CaseMetadata> {
  const caseId = write.id;
  // Every event of this request names the case it creates, a failure's as much as a success's.
  trail.concerns({ caseId });
  const now = deps.clock().toISOString();
  const meta: CaseMetadata = {
    caseId,
    ownerAgency: caller.agency,
    category: body.category,
    urgency: body.urgency,
    status: body.status,
    region: body.region,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const [sections, index] = await Promise.all([
    encryptSections(deps.cipher, meta, body.sections),
    identityIndex(deps, meta, body.sections.identity ?? null),
  ]);
  const event = trail.eventFor(201, { caseId });
  try {
    const record = { meta, createdBy: caller.user, sections, requestDigest: write.digest, ...index.refs };
    await deps.store.create(record, event, index.change);
  } catch (error) {
    if (error instanceof CaseExistsError) return createdEarlier(deps, caller, write, trail);
    throw error;
  }
  trail.recorded(event);
  return meta;
}

/**
 * The index entries of an identity section (`null`: none) to add, no change when the deployment does not
 * index; `refs` is what the case item keeps to find them again. An update adds the removal of the old ones.
 */
async function identityIndex(
  deps: CaseServiceDeps,
  meta: CaseMetadata,
  identity: Sections['identity'] | null,
): Promise<{ change?: IndexChange; refs: { indexRefs?: Uint8Array } }> {
  if (!deps.indexing) return { refs: {} };
  const { entries, refs } = await indexIdentity({ ...deps.indexing, cipher: deps.cipher }, meta, identity);
  return { change: { put: entries, remove: [] }, refs: refs ? { indexRefs: refs } : {} };
}

/**
 * A create whose id is taken: a retry of this very request (its first answer lost, or its outcome
 * unknown) gets the case it stored; another request under the same key is refused.
 */
async function createdEarlier(
  deps: CaseServiceDeps,
  caller: Caller,
  write: RetryableWrite,
  trail: AuditTrail,
) {
  const found = (await deps.store.get(write.id))?.record;
  const duplicate = 'A case was already created with this Idempotency-Key.';
  const stored = storedByThisRequest(found, write, (c) => c.meta.ownerAgency === caller.agency, duplicate);
  trail.replayed();
  return stored.meta;
}

/** Whose notes a caller reads: every agency's for the owner, its own for any other. */
function noteFilter(access: CaseAccess, caller: Caller) {
  return access.owner ? {} : { agency: caller.agency };
}

/**
 * What a caller may read of a case under a purpose: the owner, all of it; a grantee, the sections of its
 * grants made for that purpose, which the access log names. A grantee with no grant for this purpose is
 * refused (it knows the case exists); anyone else finds nothing.
 */
async function loadReadable(
  deps: CaseServiceDeps,
  caller: Caller,
  caseId: string,
  purpose: Purpose,
  trail: AuditTrail,
) {
  const { record, grants, access, noteAuthors } = await loadVisible(deps, caller, caseId);
  const readable = readableUnder(caller.agency, record.meta.ownerAgency, grants, purpose, deps.clock());
  if (!readable) throw new PurposeNotPermittedError();
  if (readable.grantIds.length > 0) trail.concerns({ grantIds: readable.grantIds });
  return { record, access, sections: readable.sections, noteAuthors };
}

/**
 * Whether the case may hold a note the caller reads (`noteFilter`): always, when the store does not know
 * who wrote its notes; else for the owner if anyone did, for another agency if it did.
 */
function mayHoldReadableNotes(
  found: { access: CaseAccess; noteAuthors?: ReadonlySet<string> | undefined },
  caller: Caller,
): boolean {
  const { access, noteAuthors } = found;
  if (!noteAuthors) return true;
  return access.owner ? noteAuthors.size > 0 : noteAuthors.has(caller.agency);
}

/** A page of the notes the caller may read, newest first, decrypted. */
async function notesPage(
  deps: CaseServiceDeps,
  caller: Caller,
  found: { record: StoredCase; access: CaseAccess },
  page: { limit: number; cursor?: string | undefined },
): Promise<NoteList> {
  const { record, access } = found;
  const stored = await deps.store.listNotes(
    record.meta.caseId,
    noteFilter(access, caller),
    page.limit,
    page.cursor,
  );
  const items = await decryptNotes(deps.cipher, record, stored.items, access, caller.agency);
  return { items, ...(stored.nextCursor ? { nextCursor: stored.nextCursor } : {}) };
}

/**
 * A case read for a purpose (see `loadReadable`), with its newest notes; older ones are linked
 * (`notesNext`), not sent. The read's audit event is written while the sections and notes are decrypted,
 * and nothing is returned until all of them have ended: if the event cannot be written, or a decrypt
 * fails, the read fails.
 */
export async function readCase(
  deps: CaseServiceDeps,
  caller: Caller,
  caseId: string,
  purpose: Purpose,
  trail: AuditTrail,
): Promise<CaseView> {
  const found = await loadReadable(deps, caller, caseId, purpose, trail);
  // A case without a note the caller may read costs no Query of its notes.
  const noNotes: NoteList = { items: [] };
  const [sections, notes] = await allSettled([
    decryptSections(deps.cipher, found.record, found.sections),
    mayHoldReadableNotes(found, caller)
      ? notesPage(deps, caller, found, { limit: deps.notes.inCaseRead })
      : Promise.resolve(noNotes),
    trail.recordAhead(200),
  ] as const);
  const next = notes.nextCursor ? { notesNext: `/v1/cases/${caseId}/notes?cursor=${notes.nextCursor}` } : {};
  return { ...found.record.meta, sections, notes: notes.items, ...next };
}

/** The notes the caller may read under a purpose, newest first, a page at a time; the same rules as a case read. */
export async function listNotes(
  deps: CaseServiceDeps,
  caller: Caller,
  caseId: string,
  purpose: Purpose,
  query: { limit: number; cursor?: string | undefined },
  trail: AuditTrail,
): Promise<NoteList> {
  const found = await loadReadable(deps, caller, caseId, purpose, trail);
  return notesPage(deps, caller, found, query);
}

/** Like `Promise.all`, but waits for every promise to end before it fails with the first failure. */
async function allSettled<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** The cases the caller's agency may see (its own, and those a live grant shares with it), a page at a time. */
export function listCases(deps: CaseServiceDeps, caller: Caller, query: ListCasesQuery) {
  const { limit, cursor, ...filter } = query;
  return deps.store.listVisibleTo(caller.agency, filter, limit, cursor, deps.clock());
}

/** `If-Match: "3"` (or weak `W/"3"`) → 3. Anything else can never match. */
export function versionFromIfMatch(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,10})"$/.exec(ifMatch.trim());
  return match ? Number(match[1]) : Number.NaN;
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

export async function updateCase(
  deps: CaseServiceDeps,
  caller: Caller,
  caseId: string,
  ifMatch: string | undefined,
  body: UpdateCaseBody,
  trail: AuditTrail,
): Promise<CaseMetadata> {
  const first = await loadVisible(deps, caller, caseId);
  if (!first.access.canUpdate)
    throw new RuleViolationError('Only the owning agency updates a case.', 'not-owner');
  const expected = versionFromIfMatch(ifMatch);
  if (expected === undefined) throw new VersionRequiredError();
  if (expected !== first.record.meta.version) throw new StaleVersionError();
  const { changed, removed } = sectionChanges(body);
  // Encrypted (and indexed) once: a retry below re-reads who may see the case, not the sections.
  const reencrypted = await encryptSections(deps.cipher, first.record.meta, changed);
  const reindexed = identityChanged(body)
    ? await identityIndex(deps, first.record.meta, changed.identity ?? null)
    : undefined;

  // Grants live apart from the case: only another write holding the case at the same moment (a note,
  // the deadline sweep) makes the store refuse without a stale version; read again and retry.
  return retryOnAccessChange(async (attempt) => {
    const { record } = attempt === 1 ? first : await loadVisible(deps, caller, caseId);
    if (record.meta.version !== expected) throw new StaleVersionError();
    const sections = { ...record.sections, ...reencrypted };
    for (const name of removed) delete sections[name];
    const meta = updatedMetadata(record.meta, body, deps.clock());
    const { indexRefs, ...kept } = record;
    const index = await replacedIndex(deps, record, reindexed);
    const event = trail.eventFor(200, { caseId });
    try {
      const next = {
        ...kept,
        meta,
        sections,
        ...(reindexed ? reindexed.refs : indexRefs ? { indexRefs } : {}),
      };
      await deps.store.update(next, expected, event, index);
    } catch (error) {
      if (error instanceof CaseGoneError) throw new CaseNotFoundError();
      throw error;
    }
    trail.recorded(event);
    return meta;
  });
}

/** Whether a PATCH sets or removes the identity section: its index entries are then replaced. */
function identityChanged(body: UpdateCaseBody): boolean {
  return body.sections?.identity !== undefined;
}

/** The new entries, replacing those the stored case names (read from its encrypted list of ids). */
async function replacedIndex(
  deps: CaseServiceDeps,
  record: StoredCase,
  reindexed: { change?: IndexChange } | undefined,
): Promise<IndexChange | undefined> {
  if (!reindexed?.change) return undefined;
  const previous = await indexedEntryIds(deps.cipher, record.meta, record.indexRefs);
  return { put: reindexed.change.put, remove: previous };
}

/** The sections a PATCH sets, and those it removes (sent as null). */
function sectionChanges(body: UpdateCaseBody): { changed: Sections; removed: SectionName[] } {
  const changed: Sections = {};
  const removed: SectionName[] = [];
  for (const name of SECTION_NAMES) {
    const value = body.sections?.[name];
    if (value === null) removed.push(name);
    else if (value !== undefined) Object.assign(changed, { [name]: value });
  }
  return { changed, removed };
}

function updatedMetadata(meta: CaseMetadata, body: UpdateCaseBody, now: Date): CaseMetadata {
  return {
    ...meta,
    ...(body.category ? { category: body.category } : {}),
    ...(body.urgency ? { urgency: body.urgency } : {}),
    ...(body.status ? { status: body.status } : {}),
    ...(body.region ? { region: body.region } : {}),
    updatedAt: now.toISOString(),
    version: meta.version + 1,
  };
}

export async function addNote(
  deps: CaseServiceDeps,
  caller: Caller,
  caseId: string,
  body: NoteBody,
  trail: AuditTrail,
  write: RetryableWrite,
): Promise<NoteView> {
  const noteId = write.id;
  const { record, access } = await loadVisible(deps, caller, caseId);
  if (!access.canAddNote) throw new RuleViolationError('This access is read-only.', 'read-only-access');
  const createdAt = deps.clock().toISOString();
  const ciphertext = await deps.cipher.encrypt(
    { caseId, section: `note:${noteId}`, ownerAgency: record.meta.ownerAgency },
    encoder.encode(body.text),
  );
  const note: StoredNote = {
    caseId,
    noteId,
    agency: caller.agency,
    user: caller.user,
    kind: body.kind,
    createdAt,
    ciphertext,
    requestDigest: write.digest,
  };
  const event = trail.eventFor(201, { caseId });
  try {
    await deps.store.addNote(note, event, { byOwner: access.owner, maxPerAgency: deps.notes.maxPerAgency });
  } catch (error) {
    if (error instanceof CaseGoneError) throw new CaseNotFoundError();
    if (error instanceof CaseExistsError) return addedEarlier(deps, caller, caseId, body, write, trail);
    if (error instanceof NoteLimitError) {
      const limit = `An agency adds at most ${deps.notes.maxPerAgency} notes to a case.`;
      throw new RuleViolationError(limit, 'note-limit-reached');
    }
    throw error;
  }
  trail.recorded(event);
  return { noteId, agency: caller.agency, user: caller.user, kind: body.kind, text: body.text, createdAt };
}

/** A note whose id is taken: this request's retry gets the note it stored (its text is the body's). */
async function addedEarlier(
  deps: CaseServiceDeps,
  caller: Caller,
  caseId: string,
  body: NoteBody,
  write: RetryableWrite,
  trail: AuditTrail,
): Promise<NoteView> {
  const note = await deps.store.getNote(caseId, write.id);
  const duplicate = 'A note was already added with this Idempotency-Key.';
  const stored = storedByThisRequest(note, write, (n) => n.agency === caller.agency, duplicate);
  trail.replayed();
  const { noteId, agency, user, kind, createdAt } = stored;
  return { noteId, agency, user, kind, text: body.text, createdAt };
}

import type { AuditEvent } from '../../../src/domain/audit/event';
import { isLive } from '../../../src/domain/cases/access';
import {
  CaseExistsError,
  type CaseFilter,
  CaseGoneError,
  type CasePage,
  type CaseStore,
  NoteLimitError,
  type NotePage,
  type SectionCipher,
  type SectionContext,
  SectionIntegrityError,
  StaleVersionError,
  type StoredCase,
  type StoredGrant,
  type StoredNote,
} from '../../../src/domain/cases/ports';

interface Entry {
  record: StoredCase;
  notes: StoredNote[];
  grants: StoredGrant[];
  /** Whether the store knows who wrote its notes: a case created here, not one seeded as stored before. */
  tracked: boolean;
}

/** A case the Centre recorded on 30 November, as the exchange's unit tests find it stored. */
export function centreCase(caseId: string): StoredCase {
  return {
    meta: {
      caseId,
      ownerAgency: 'cfpc',
      category: 'neglect',
      urgency: 'high',
      status: 'received',
      region: { emirate: 'sharjah' },
      createdAt: '2026-11-30T08:00:00.000Z',
      updatedAt: '2026-11-30T08:00:00.000Z',
      version: 1,
    },
    createdBy: 'caseworker-7',
    sections: {},
  };
}

/**
 * The CaseStore contract in memory, with the adapter's conditions: a new id only, an update only at the
 * version read, a note only on an existing case and under a new id. Reads return copies.
 */
export class MemoryCaseStore implements CaseStore {
  readonly entries = new Map<string, Entry>();
  /** Every audit event written with a change, in order. */
  readonly events: AuditEvent[] = [];
  readonly noteOptions: ({ byOwner?: boolean } | undefined)[] = [];
  /** Every page of notes asked for, in order. */
  readonly noteQueries: { caseId: string; agency?: string | undefined }[] = [];

  /** Puts a case in place as if it had been created and shared earlier. */
  seed(record: StoredCase, grants: StoredGrant[] = [], notes: StoredNote[] = []): void {
    this.entries.set(record.meta.caseId, structuredClone({ record, grants, notes, tracked: false }));
  }

  /** A share made by someone else: a new grant, which leaves the case itself as it was. */
  grant(caseId: string, grant: StoredGrant): void {
    const entry = this.entries.get(caseId);
    if (!entry) throw new Error(`no case ${caseId}`);
    entry.grants.push(structuredClone(grant));
  }

  async get(caseId: string) {
    const entry = this.entries.get(caseId);
    if (!entry) return undefined;
    const noteAuthors = entry.tracked ? new Set(entry.notes.map((note) => note.agency)) : undefined;
    return structuredClone({
      record: entry.record,
      grants: entry.grants,
      ...(noteAuthors ? { noteAuthors } : {}),
    });
  }

  async ownerOf(caseId: string) {
    return this.entries.get(caseId)?.record.meta.ownerAgency;
  }

  async create(record: StoredCase, event: AuditEvent) {
    if (this.entries.has(record.meta.caseId)) throw new CaseExistsError();
    this.entries.set(record.meta.caseId, structuredClone({ record, notes: [], grants: [], tracked: true }));
    this.events.push(event);
  }

  async update(record: StoredCase, expectedVersion: number, event: AuditEvent) {
    const entry = this.entries.get(record.meta.caseId);
    if (!entry) throw new CaseGoneError();
    if (entry.record.meta.version !== expectedVersion) throw new StaleVersionError();
    entry.record = structuredClone(record);
    this.events.push(event);
  }

  async addNote(note: StoredNote, event: AuditEvent, options?: { byOwner?: boolean; maxPerAgency?: number }) {
    const entry = this.entries.get(note.caseId);
    if (!entry) throw new CaseGoneError();
    if (entry.notes.some((existing) => existing.noteId === note.noteId)) throw new CaseExistsError();
    const own = entry.notes.filter((existing) => existing.agency === note.agency).length;
    if (options?.maxPerAgency !== undefined && own >= options.maxPerAgency) throw new NoteLimitError();
    entry.notes.push(structuredClone(note));
    this.events.push(event);
    this.noteOptions.push(options);
  }

  /** Newest first; the cursor is the position of the next note, as a string. */
  async listNotes(
    caseId: string,
    filter: { agency?: string | undefined },
    limit: number,
    cursor: string | undefined,
  ): Promise<NotePage> {
    this.noteQueries.push({ caseId, ...filter });
    const notes = [...(this.entries.get(caseId)?.notes ?? [])]
      .filter((note) => filter.agency === undefined || note.agency === filter.agency)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.noteId.localeCompare(a.noteId));
    const start = cursor === undefined ? 0 : Number(cursor);
    const items = notes.slice(start, start + limit);
    const more = start + limit < notes.length;
    return { items: structuredClone(items), ...(more ? { nextCursor: String(start + limit) } : {}) };
  }

  async getNote(caseId: string, noteId: string) {
    const note = this.entries.get(caseId)?.notes.find((stored) => stored.noteId === noteId);
    return note ? structuredClone(note) : undefined;
  }

  async listVisibleTo(
    agency: string,
    _filter: CaseFilter,
    limit: number,
    _cursor: string | undefined,
    now: Date,
  ): Promise<CasePage> {
    const items = [...this.entries.values()]
      .filter(
        ({ record, grants }) =>
          record.meta.ownerAgency === agency || grants.some((g) => g.agency === agency && isLive(g, now)),
      )
      .map(({ record }) => structuredClone(record.meta));
    return { items: items.slice(0, limit) };
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const contextLabel = (context: SectionContext) =>
  `${context.ownerAgency}|${context.caseId}|${context.section}`;
const scramble = (bytes: Uint8Array) => bytes.map((byte) => byte ^ 0x5a);

/**
 * A SectionCipher that binds each ciphertext to its context, as the Encryption SDK does, and refuses a
 * ciphertext read under any other context. It scrambles the plaintext so that no text is stored in clear.
 */
export class ContextCipher implements SectionCipher {
  readonly encrypted: SectionContext[] = [];
  readonly decrypted: SectionContext[] = [];

  async encrypt(context: SectionContext, plaintext: Uint8Array) {
    this.encrypted.push(context);
    const label = encoder.encode(`${contextLabel(context)}\n`);
    return new Uint8Array([...label, ...scramble(plaintext)]);
  }

  async decrypt(context: SectionContext, ciphertext: Uint8Array) {
    this.decrypted.push(context);
    const end = ciphertext.indexOf(0x0a);
    if (end < 0 || decoder.decode(ciphertext.subarray(0, end)) !== contextLabel(context)) {
      throw new SectionIntegrityError();
    }
    return scramble(ciphertext.subarray(end + 1));
  }
}

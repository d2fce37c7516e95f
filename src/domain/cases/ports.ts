import type { AuditEvent } from '../audit/event';
import type { Grant } from './access';
import type { CaseMetadata, NoteBody, SectionName } from './schemas';

/** What binds a ciphertext to its place: checked after every decrypt. */
export interface SectionContext {
  caseId: string;
  /** A section name, or `note:<noteId>` for a note. */
  section: string;
  ownerAgency: string;
}

/** Envelope encryption under the owning agency's key (AWS Encryption SDK + KMS in the adapter). */
export interface SectionCipher {
  encrypt(context: SectionContext, plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(context: SectionContext, ciphertext: Uint8Array): Promise<Uint8Array>;
}

export interface StoredCase {
  meta: CaseMetadata;
  createdBy: string;
  sections: Partial<Record<SectionName, Uint8Array>>;
}

export interface StoredNote {
  caseId: string;
  noteId: string;
  agency: string;
  user: string;
  kind: NoteBody['kind'];
  createdAt: string;
  ciphertext: Uint8Array;
}

export interface CaseFilter {
  status?: string | undefined;
  urgency?: string | undefined;
  category?: string | undefined;
  updatedSince?: string | undefined;
}

export interface CasePage {
  items: CaseMetadata[];
  nextCursor?: string;
}

/**
 * Case persistence. Every write takes the audit event that records it and stores both atomically, or
 * neither. Errors: `CaseExistsError`, `StaleVersionError`, `CaseGoneError`; anything else is a failure
 * of the store (503).
 */
export interface CaseStore {
  get(caseId: string): Promise<{ record: StoredCase; notes: StoredNote[]; grants: Grant[] } | undefined>;
  create(record: StoredCase, event: AuditEvent): Promise<void>;
  update(record: StoredCase, expectedVersion: number, event: AuditEvent): Promise<void>;
  addNote(note: StoredNote, event: AuditEvent): Promise<void>;
  listVisibleTo(
    agency: string,
    filter: CaseFilter,
    limit: number,
    cursor: string | undefined,
  ): Promise<CasePage>;
}

/** An expected outcome of a conditional write, as opposed to the store failing. */
export class StoreConditionError extends Error {}

export class CaseExistsError extends StoreConditionError {
  constructor() {
    super('a case with this id exists');
    this.name = 'CaseExistsError';
  }
}

export class StaleVersionError extends StoreConditionError {
  constructor() {
    super('the case changed since it was read');
    this.name = 'StaleVersionError';
  }
}

export class CaseGoneError extends StoreConditionError {
  constructor() {
    super('the case no longer exists');
    this.name = 'CaseGoneError';
  }
}

export class InvalidCursorError extends StoreConditionError {
  constructor() {
    super('the cursor is not valid for this listing');
    this.name = 'InvalidCursorError';
  }
}

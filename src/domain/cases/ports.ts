import type { AuditEvent } from '../audit/event';
import { DomainError, IntegrityFailureError } from '../errors';
import type { IndexChange } from '../matching/ports';
import type { Purpose } from '../purpose';
import type { Grant } from './access';
import type { CaseMetadata, NoteBody, SectionName } from './schemas';

/** What binds a ciphertext to its place: checked after every decrypt. */
export interface SectionContext {
  caseId: string;
  /** A section name, or `note:<noteId>` for a note. */
  section: string;
  ownerAgency: string;
}

/**
 * Envelope encryption under the owning agency's key (AWS Encryption SDK + KMS in the adapter). Errors:
 * `SectionIntegrityError` for a ciphertext that is not the one written there, `DependencyUnavailableError`
 * when the key service fails, `ConfigurationError` for an agency without a key.
 */
export interface SectionCipher {
  encrypt(context: SectionContext, plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(context: SectionContext, ciphertext: Uint8Array): Promise<Uint8Array>;
}

export interface StoredCase {
  meta: CaseMetadata;
  createdBy: string;
  sections: Partial<Record<SectionName, Uint8Array>>;
  /**
   * A new report still awaiting its owner's first action (see the exchange deadlines); as read, never
   * written back. Who may see the case is kept apart from it (grants and per-agency access items), so a
   * change of access never touches the case's version.
   */
  awaitingFirstAction?: boolean;
  /** The digest of the request that created it under an Idempotency-Key (see retryable-write.ts). */
  requestDigest?: string | undefined;
  /** The ids of its blind-index entries, encrypted under the owner's key (see matching/case-index.ts). */
  indexRefs?: Uint8Array;
}

/** One grant as stored: shares and emergency accesses alike; several may be live for one agency. */
export interface StoredGrant extends Grant {
  grantId: string;
  caseId: string;
  kind: 'share' | 'emergency';
  sections: SectionName[];
  purpose: Purpose;
  grantedAt: string;
  /** The owner's officer who shared, or the other agency's officer who used emergency access. */
  grantedBy: string;
  readOnly: boolean;
  /** The access request whose approval made this share, or the emergency access itself. */
  requestId?: string;
  revokedBy?: string;
}

export interface StoredNote {
  caseId: string;
  noteId: string;
  agency: string;
  user: string;
  kind: NoteBody['kind'];
  createdAt: string;
  ciphertext: Uint8Array;
  /** The digest of the request that added it under an Idempotency-Key. */
  requestDigest?: string | undefined;
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

/** A page of notes, newest first; `nextCursor` only when older ones follow. */
export interface NotePage {
  items: StoredNote[];
  nextCursor?: string;
}

/**
 * Case persistence. Every write takes the audit event that records it and stores both atomically, or
 * neither. Errors: `CaseExistsError`, `StaleVersionError`, `CaseGoneError`, `InvalidCursorError`;
 * a failing store raises `DependencyUnavailableError`.
 */
export interface CaseStore {
  /**
   * The case and its grants; its notes are paged apart (`listNotes`). `noteAuthors`: the agencies that
   * have added notes to it, when the store knows (not for a case stored before it kept them).
   */
  get(
    caseId: string,
  ): Promise<{ record: StoredCase; grants: StoredGrant[]; noteAuthors?: ReadonlySet<string> } | undefined>;
  /**
   * The owning agency only (one attribute of one item): what a request needs, at a cost that does not
   * depend on how much the case holds.
   */
  ownerOf(caseId: string): Promise<string | undefined>;
  /** A new case is a report awaiting its owner's first action (see the exchange deadlines). */
  create(record: StoredCase, event: AuditEvent, index?: IndexChange): Promise<void>;
  /**
   * Conditional on the version alone: a change of who may see the case never makes it fail. The grantees'
   * listing copies of the metadata follow the new version. `AccessChangedError` only if another write
   * held the case at the same moment (read again and retry). `index`: blind-index entries added and
   * removed in the same transaction.
   */
  update(record: StoredCase, expectedVersion: number, event: AuditEvent, index?: IndexChange): Promise<void>;
  /**
   * `byOwner`: the owner's note counts as its first action on the report. `maxPerAgency`: the note is
   * added only if its agency has fewer notes on the case (`NoteLimitError` otherwise).
   */
  addNote(
    note: StoredNote,
    event: AuditEvent,
    options?: { byOwner?: boolean; maxPerAgency?: number },
  ): Promise<void>;
  /** Newest first; only the notes of `agency` when it is given. `InvalidCursorError` for a foreign cursor. */
  listNotes(
    caseId: string,
    filter: { agency?: string | undefined },
    limit: number,
    cursor: string | undefined,
  ): Promise<NotePage>;
  /** One note by its id (a retried add looks for what it stored). */
  getNote(caseId: string, noteId: string): Promise<StoredNote | undefined>;
  /** Own cases and cases shared by a grant live at `now`. */
  listVisibleTo(
    agency: string,
    filter: CaseFilter,
    limit: number,
    cursor: string | undefined,
    now: Date,
  ): Promise<CasePage>;
}

/** An expected outcome of a conditional write, as opposed to the store failing. */
export class StoreConditionError extends DomainError {}

export class CaseExistsError extends StoreConditionError {
  constructor() {
    super('a case with this id exists');
    this.name = 'CaseExistsError';
  }
}

export class StaleVersionError extends StoreConditionError {
  constructor() {
    super('The resource has changed since it was read; read it again.');
    this.name = 'StaleVersionError';
  }
}

/** Who may see the case changed between read and write, or another write held it; nothing was written. */
export class AccessChangedError extends StoreConditionError {
  constructor() {
    super('access to the case changed since it was read');
    this.name = 'AccessChangedError';
  }
}

/** The agency has as many notes on the case as the policy allows. */
export class NoteLimitError extends StoreConditionError {
  constructor() {
    super('the agency has reached its notes on this case');
    this.name = 'NoteLimitError';
  }
}

export class CaseGoneError extends StoreConditionError {
  constructor() {
    super('the case no longer exists');
    this.name = 'CaseGoneError';
  }
}

/** The ciphertext does not belong where it was found (moved, altered or from another key). */
export class SectionIntegrityError extends IntegrityFailureError {
  constructor(cause?: unknown) {
    super('A stored record failed its integrity check; nothing was returned.', { cause });
    this.name = 'SectionIntegrityError';
  }
}

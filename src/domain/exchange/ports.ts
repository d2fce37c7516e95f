import type { AuditEvent } from '../audit/event';
import { AccessChangedError, StoreConditionError, type StoredGrant } from '../cases/ports';
import type { CaseMetadata, SectionName, Urgency } from '../cases/schemas';
import type { Purpose } from '../purpose';
import type { ReviewRecord } from '../reviews/ports';
import type { DomainEvent } from './events';
import type { RequestKind, RequestStatus } from './schemas';

/** An access request or an emergency access, as stored. */
export interface ExchangeRecord {
  requestId: string;
  kind: RequestKind;
  caseId: string;
  fromAgency: string;
  toAgency: string;
  requestedBy: string;
  sections: SectionName[];
  purpose: Purpose;
  legalBasis?: string;
  urgency?: Urgency;
  justification: string;
  status: RequestStatus;
  createdAt: string;
  /** When the access it gave ends (emergency access, approval). */
  expiresAt?: string;
  decision?: {
    decision: 'approve' | 'deny';
    sections?: SectionName[];
    expiresAt?: string;
    reason: string;
    decidedAt: string;
    decidedBy: string;
  };
  /** When and by whom the requester withdrew it (status `withdrawn`). */
  withdrawal?: { withdrawnAt: string; withdrawnBy: string };
  /** When the deadline sweep escalated it. */
  escalatedAt?: string;
  /** The digest of the request that created it under an Idempotency-Key (see retryable-write.ts). */
  requestDigest?: string | undefined;
  /**
   * Whether the named agency owns the case. Only then does the request reach that agency's incoming box,
   * fall due and become decidable. Never shown: the requester's view is the same either way.
   */
  delivered: boolean;
  /** What makes two requests identical (see `requestFingerprint`); absent on an emergency access. */
  fingerprint?: string;
}

/** The place a pending request holds among its requester's open requests about one case. */
export interface OpenRequestSlot {
  fromAgency: string;
  caseId: string;
  fingerprint: string;
  requestId: string;
}

/**
 * What the store keeps per case and agency, apart from the case itself (so no change of access ever
 * contends with the owner's update of the case): a revision that every change of that agency's access
 * moves on, its emergency grant until it is revoked, and when the owner last revoked that agency.
 */
export interface AgencyAccess {
  revision: number;
  emergency?: { grantId: string; expiresAt: string };
  revokedAt?: string;
}

/**
 * A change of one agency's access to a case, applied only if that agency's access is still at the
 * revision read. The case item is not touched, except to mark the owner's first act on a new report.
 */
export interface AccessChange {
  meta: CaseMetadata;
  /** The grantee whose access changes: listed until `listedUntil`, or no longer (null). */
  agency: string;
  expectedRevision: number;
  listedUntil: string | null;
  grantsToAdd?: StoredGrant[];
  grantsToRevoke?: { grant: StoredGrant; revokedAt: string; revokedBy: string }[];
  /** The owner's first act on a new report: it meets the report's first-action deadline. */
  firstAction: boolean;
  /** An emergency grant: marked as the agency's one live emergency grant, and counted against its day. */
  emergency?: { grantId: string; expiresAt: string; day: string; dayEndsAt: string; dailyCap: number };
  /** A revocation by the owner: remembered, and the agency's emergency grant is no longer live. */
  revokedAt?: string;
}

/** One unit of work of the exchange: everything in it is written in one transaction with its audit event. */
export interface ExchangeWrite {
  event: AuditEvent;
  /** Domain events, kept in the outbox with the change; the outbox processor publishes them. */
  notices: DomainEvent[];
  /** Events written to the outbox but never published (see `OutboxEntry`). */
  withheld?: DomainEvent[];
  access?: AccessChange;
  /** A new request or emergency access. */
  newRequest?: ExchangeRecord;
  /**
   * A request decided by the agency asked or withdrawn by the one asking, written only if it is still
   * pending: of a decision and a withdrawal made at the same moment, exactly one is written.
   */
  closedRequest?: ExchangeRecord;
  newReview?: ReviewRecord;
  /** The new request takes a slot, if it is not taken and fewer than `max` are. */
  takesSlot?: { slot: OpenRequestSlot; max: number };
  /** The closed request frees its slot. */
  freesSlot?: OpenRequestSlot;
}

export interface RequestPage {
  items: ExchangeRecord[];
  nextCursor?: string;
}

/**
 * An event in the outbox, written in the same transaction as the change it announces. A withheld one is
 * never published: it stands for the event of a request that reached no agency, written so that a request
 * costs the same writes whether or not the case exists at the agency it names.
 */
export interface OutboxEntry {
  event: DomainEvent;
  withheld: boolean;
}

/** Something due: a pending request, or a new report awaiting its owner's first action. */
export interface DueItem {
  kind: 'request' | 'report';
  /** The request id, or the case id of a report. */
  id: string;
  caseId: string;
  /** The agency that must act: the asked agency, or the report's owner. */
  agency: string;
  /** The agency that asked (requests). */
  requester?: string;
  urgency: Urgency;
  createdAt: string;
}

/** Persistence of the exchange (the Cases table in AWS: see cases-layout.ts). */
export interface ExchangeStore {
  /**
   * Writes it all or nothing. Errors: `AccessChangedError` (the agency's access changed: read it again
   * and retry), `CaseGoneError`, `RequestExistsError`, `AlreadyDecidedError`, `GrantChangedError`,
   * `EmergencyCapReachedError`, `OpenRequestExistsError`, `OpenRequestLimitError`.
   */
  commit(write: ExchangeWrite): Promise<void>;
  /** The agency's access to the case as it stands (revision 0 and nothing else if never changed). */
  agencyAccess(caseId: string, agency: string): Promise<AgencyAccess>;
  getRequest(requestId: string): Promise<ExchangeRecord | undefined>;
  /** The id of the pending request holding this slot, if any. */
  findOpenRequest(fromAgency: string, caseId: string, fingerprint: string): Promise<string | undefined>;
  listBox(
    agency: string,
    box: 'incoming' | 'outgoing',
    filter: { status?: RequestStatus | undefined; kind?: RequestKind | undefined },
    limit: number,
    cursor: string | undefined,
  ): Promise<RequestPage>;
  /** Reports and requests of this urgency created at or before `createdBy` and still awaiting action. */
  listDue(kind: DueItem['kind'], urgency: Urgency, createdBy: string, limit: number): Promise<DueItem[]>;
  /**
   * Marks an item overdue with its audit event, if it is still due, and opens its escalation or joins the
   * open one; false if it was acted on (or escalated) meanwhile, or the escalation it joins was closed.
   */
  escalate(item: DueItem, at: string, event: AuditEvent, escalation: Escalation): Promise<boolean>;
  /** The latest escalation of a case's overdue requests from one agency, and whether it is still open. */
  escalationOf(caseId: string, requester: string): Promise<{ reviewId: string; open: boolean } | undefined>;
  /** Outbox entries not yet settled, oldest first, written at or before `writtenBy`. */
  listUnpublished(writtenBy: string, limit: number): Promise<OutboxEntry[]>;
  /** Settles outbox entries: published, or (withheld) needing no publication. */
  markPublished(eventIds: readonly string[], at: string): Promise<void>;
}

/**
 * What escalating an overdue item adds: a review item and a notice to the agency that must act; or, for
 * a request whose requester already has an open escalation about the case, nothing but joining it, so
 * that a flood of requests cannot make a flood of reviews. A new escalation of a request takes the place
 * of the requester's previous one about the case (`replaces`, closed), if any.
 */
export type Escalation =
  | { review: ReviewRecord; notices: DomainEvent[]; replaces?: string | undefined }
  | { joins: string };

/** Where domain events go: EventBridge in AWS, an in-process bus locally. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export class RequestExistsError extends StoreConditionError {
  constructor() {
    super('a request with this id exists');
    this.name = 'RequestExistsError';
  }
}

/** The request is no longer pending: decided, withdrawn, or (emergency access) granted at once. */
export class AlreadyDecidedError extends StoreConditionError {
  constructor(message = 'The request is no longer pending: it has been decided or withdrawn.') {
    super(message);
    this.name = 'AlreadyDecidedError';
  }
}

/** A grant to revoke was revoked (or removed) meanwhile: access changed, read again. */
export class GrantChangedError extends AccessChangedError {
  constructor() {
    super();
    this.message = 'a grant changed since it was read';
    this.name = 'GrantChangedError';
  }
}

/** The agency used every emergency access its day allows; the cap lifts at `resetsAt`. */
export class EmergencyCapReachedError extends StoreConditionError {
  readonly resetsAt: string;

  constructor(resetsAt: string) {
    super('Your agency has used every emergency access allowed today; ask the owner, or wait.');
    this.name = 'EmergencyCapReachedError';
    this.resetsAt = resetsAt;
  }
}

/** An identical request is pending: its slot is taken. */
export class OpenRequestExistsError extends StoreConditionError {
  constructor() {
    super('an identical request is pending');
    this.name = 'OpenRequestExistsError';
  }
}

/** The requester has as many pending requests about the case as the policy allows. */
export class OpenRequestLimitError extends StoreConditionError {
  constructor() {
    super('too many pending requests about this case');
    this.name = 'OpenRequestLimitError';
  }
}

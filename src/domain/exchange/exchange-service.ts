import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../audit/event';
import type { AuditTrail } from '../audit/trail';
import { isLive } from '../cases/access';
import { retryOnAccessChange } from '../cases/access-contention';
import type { Caller } from '../cases/case-service';
import { loadOwnedCase, loadVisibleCase } from '../cases/load-case';
import { CaseGoneError, type CaseStore, type StoredGrant } from '../cases/ports';
import type { SectionName } from '../cases/schemas';
import type { Directory } from '../directory';
import {
  AccessContentionError,
  CaseNotFoundError,
  RequestNotFoundError,
  RuleViolationError,
  ShareNotFoundError,
} from '../errors';
import { type RetryableWrite, storedByThisRequest } from '../retryable-write';
import { type DomainEvent, domainEvent } from './events';
import { defaultGrantExpiry, dueAt, type ExchangePolicy } from './policy';
import {
  type AccessChange,
  type AgencyAccess,
  AlreadyDecidedError,
  type ExchangeRecord,
  type ExchangeStore,
  type ExchangeWrite,
  OpenRequestExistsError,
  OpenRequestLimitError,
  type OpenRequestSlot,
  RequestExistsError,
} from './ports';
import {
  approvedSections,
  checkCounterpart,
  checkExpiry,
  knownSections,
  listedGrants,
  listedUntil,
  openRequestLimit,
  requestFingerprint,
  requestRole,
  requestView,
  shareView,
} from './rules';
import type { DecisionBody, GrantList, RequestBody, RequestView, ShareBody, ShareView } from './schemas';

/**
 * Shares, revocations, access requests and decisions (emergency access: emergency-access.ts, on the same
 * units of work). Each is one transaction: the change, its audit event and its domain events (outbox).
 * Nothing is published on the request path: the outbox processor publishes from the Cases stream (see
 * outbox.ts).
 *
 * How a request keeps a case hidden: the requester names the case and the agency it believes holds it
 * (learned from a match, or from that agency's own notification or referral). The request is stored and
 * answered the same way whether or not the case exists and whether or not that agency owns it, with the
 * same reads and writes. Only when it does is the request delivered: it appears in the owner's incoming
 * box, falls due, and can be decided; otherwise it stays pending in the requester's outgoing box, like
 * one the owner has not answered. Deciding, sharing or revoking on a case the caller does not own is a
 * 404 (422 `not-owner` for an agency that can see the case through a share).
 */
export interface ExchangeDeps {
  cases: Pick<CaseStore, 'get' | 'ownerOf'>;
  store: ExchangeStore;
  directory: Directory;
  policy: ExchangePolicy;
  clock: () => Date;
  /** Told when an agency is refused emergency access for its daily cap (an alarm watches this). */
  onEmergencyCapReached?: (agency: string) => void;
}

/** Commits a unit of work; its events wait in the outbox for the outbox processor. */
async function commit(deps: ExchangeDeps, trail: AuditTrail, write: ExchangeWrite): Promise<void> {
  try {
    await deps.store.commit(write);
  } catch (error) {
    if (error instanceof CaseGoneError) throw new CaseNotFoundError();
    throw error;
  }
  trail.recorded(write.event);
}

/** Commits a write that creates a request (or an emergency access) under the client's idempotency id. */
export async function commitNew(
  deps: ExchangeDeps,
  trail: AuditTrail,
  write: ExchangeWrite & { newRequest: ExchangeRecord },
  duplicate: string,
): Promise<ExchangeRecord> {
  try {
    await commit(deps, trail, write);
    return write.newRequest;
  } catch (error) {
    if (!(error instanceof RequestExistsError)) throw error;
    return madeEarlier(deps, trail, write.newRequest, duplicate);
  }
}

/**
 * A request whose id is taken: a retry of this very request (its first answer lost, or its outcome
 * unknown) gets what it stored; another request under the same key is refused.
 */
export async function madeEarlier(
  deps: ExchangeDeps,
  trail: AuditTrail,
  asked: Pick<ExchangeRecord, 'requestId' | 'requestDigest' | 'fromAgency'>,
  duplicate: string,
) {
  const found = await deps.store.getRequest(asked.requestId);
  const write = { id: asked.requestId, digest: asked.requestDigest };
  const stored = storedByThisRequest(found, write, (r) => r.fromAgency === asked.fromAgency, duplicate);
  trail.replayed();
  return stored;
}

/**
 * A case as read for a change of one agency's access: the agency's access first, then the case and its
 * grants, so that any change landing after the grants were read moves the revision the write expects.
 */
export async function readForAccessChange(
  deps: ExchangeDeps,
  caseId: string,
  agency: string,
  load: () => Promise<CaseRead | undefined>,
) {
  const access = await deps.store.agencyAccess(caseId, agency);
  const found = await load();
  if (!found) throw new CaseNotFoundError();
  return { found, access };
}

function loadOwned(deps: ExchangeDeps, caller: Caller, caseId: string) {
  return loadOwnedCase(deps.cases, caller.agency, caseId, deps.clock());
}

export function newGrant(
  fields: Omit<StoredGrant, 'grantId' | 'readOnly'> & { grantId?: string; readOnly?: boolean },
): StoredGrant {
  return { ...fields, grantId: fields.grantId ?? randomUUID(), readOnly: fields.readOnly ?? false };
}

/** A case as read for a change of access: its record and every grant it holds. */
export type CaseRead = Awaited<ReturnType<CaseStore['get']>> & {};

/** Adds a grant; conditional on the grantee's access being as it was read, never on the case's version. */
export function addingGrant(
  found: CaseRead,
  access: AgencyAccess,
  grant: StoredGrant,
  byOwner: boolean,
  now: Date,
): AccessChange {
  return {
    meta: found.record.meta,
    agency: grant.agency,
    expectedRevision: access.revision,
    listedUntil: listedUntil([...found.grants, grant], grant.agency, now),
    grantsToAdd: [grant],
    firstAction: byOwner && found.record.awaitingFirstAction === true,
  };
}

/** Ends the given grants of one agency, which then no longer lists the case; the revocation is kept. */
function revokingGrants(
  read: { found: CaseRead; access: AgencyAccess },
  agency: string,
  live: StoredGrant[],
  revokedBy: string,
  now: Date,
) {
  const revokedAt = now.toISOString();
  return {
    meta: read.found.record.meta,
    agency,
    expectedRevision: read.access.revision,
    listedUntil: null,
    grantsToRevoke: live.map((grant) => ({ grant, revokedAt, revokedBy })),
    firstAction: read.found.record.awaitingFirstAction === true,
    revokedAt,
  } satisfies AccessChange;
}

export async function shareCase(
  deps: ExchangeDeps,
  caller: Caller,
  caseId: string,
  body: ShareBody,
  trail: AuditTrail,
): Promise<ShareView> {
  checkCounterpart(deps.directory, caller.agency, body.agency, 'body.agency');
  const sections = knownSections(body.sections, 'body.sections');
  const expiresAt = checkExpiry(body.expiresAt, deps.clock(), deps.policy, 'body.expiresAt');
  return retryOnAccessChange(async () => {
    const { found, access } = await readForAccessChange(deps, caseId, body.agency, () =>
      loadOwned(deps, caller, caseId),
    );
    const now = deps.clock();
    const grant = newGrant({
      caseId,
      agency: body.agency,
      kind: 'share',
      sections,
      purpose: body.purpose,
      expiresAt,
      grantedAt: now.toISOString(),
      grantedBy: caller.user,
    });
    const notice = domainEvent('share.created', now, {
      caseId,
      actorAgency: caller.agency,
      recipients: [body.agency],
      grantId: grant.grantId,
      sections,
      expiresAt,
    });
    const event = trail.eventFor(201, { caseId });
    const change = addingGrant(found, access, grant, true, now);
    await commit(deps, trail, { event, notices: [notice], access: change });
    return shareView(grant);
  });
}

/**
 * The grants of a case, live and past, shares and emergency accesses: every one to the owner, its own to
 * an agency holding a live grant, and to anyone else the same 404 as a case that does not exist. Grants
 * say who may see which sections until when, never what the case holds.
 */
export async function listShares(deps: ExchangeDeps, caller: Caller, caseId: string): Promise<GrantList> {
  const now = deps.clock();
  const found = await loadVisibleCase(deps.cases, caller.agency, caseId, now);
  return { items: listedGrants(found.grants, caller.agency, found.access.owner, now) };
}

/** Ends every live grant of the agency on the case, shares and emergency access alike. */
export async function revokeShares(
  deps: ExchangeDeps,
  caller: Caller,
  caseId: string,
  agency: string,
  trail: AuditTrail,
): Promise<void> {
  await retryOnAccessChange(async () => {
    const read = await readForAccessChange(deps, caseId, agency, () => loadOwned(deps, caller, caseId));
    const now = deps.clock();
    const live = read.found.grants.filter((grant) => grant.agency === agency && isLive(grant, now));
    if (live.length === 0) throw new ShareNotFoundError();
    const event = trail.eventFor(204, { caseId });
    await commit(deps, trail, {
      event,
      notices: [
        domainEvent('share.revoked', now, { caseId, actorAgency: caller.agency, recipients: [agency] }),
      ],
      access: revokingGrants(read, agency, live, caller.user, now),
    });
  });
}

/** A request made, or the identical one already pending (`created: false`), which answers it instead. */
export interface RequestMade {
  view: RequestView;
  created: boolean;
}

/**
 * Asks the agency named for access. The same reads and writes whatever exists at that agency: the case's
 * owner (one attribute) and the requester's identical pending request are read side by side, then the
 * request, its slot, its audit event and its event are written; the event is withheld when the request
 * reaches nobody. An identical pending request is answered instead of adding one; at most
 * `policy.maxOpenRequestsPerCase` distinct ones may be pending per requester and case.
 */
export async function createRequest(
  deps: ExchangeDeps,
  caller: Caller,
  body: RequestBody,
  trail: AuditTrail,
  retry: RetryableWrite,
): Promise<RequestMade> {
  const requestId = retry.id;
  trail.concerns({ caseId: body.caseId, resource: `/v1/requests/${requestId}` });
  checkCounterpart(deps.directory, caller.agency, body.agency, 'body.agency');
  const sections = knownSections(body.sections, 'body.sections');
  const fingerprint = requestFingerprint(body, sections);
  const [owner, pending] = await Promise.all([
    deps.cases.ownerOf(body.caseId),
    deps.store.findOpenRequest(caller.agency, body.caseId, fingerprint),
  ]);
  if (pending !== undefined) {
    const existing = await identicalPending(deps, trail, pending, requestId);
    if (existing) return existing;
  }
  const now = deps.clock();
  const stored = { delivered: owner === body.agency, fingerprint, requestDigest: retry.digest };
  const record = { ...newRequestRecord(caller, body, sections, requestId, now), ...stored };
  const notice = domainEvent('request.created', now, {
    caseId: body.caseId,
    actorAgency: caller.agency,
    recipients: [body.agency],
    requestId,
    sections,
    urgency: body.urgency,
    dueAt: dueAt(record.createdAt, body.urgency, deps.policy),
  });
  const write = {
    event: trail.eventFor(201),
    ...(record.delivered ? { notices: [notice] } : { notices: [], withheld: [notice] }),
    newRequest: record,
    takesSlot: { slot: slotOf(record, fingerprint), max: deps.policy.maxOpenRequestsPerCase },
  };
  try {
    const made = await commitNew(deps, trail, write, 'A request was already made with this Idempotency-Key.');
    return { view: requestView(made, now, deps.policy), created: true };
  } catch (error) {
    if (error instanceof OpenRequestLimitError) throw openRequestLimit(deps.policy);
    if (!(error instanceof OpenRequestExistsError)) throw error;
    // An identical request was made at the same moment: it answers this one.
    const raced = await deps.store.findOpenRequest(caller.agency, body.caseId, fingerprint);
    const existing = raced && (await identicalPending(deps, trail, raced, requestId));
    if (!existing) throw new AccessContentionError('An identical request changed meanwhile; retry.');
    return existing;
  }
}

function newRequestRecord(
  caller: Caller,
  body: RequestBody,
  sections: SectionName[],
  requestId: string,
  now: Date,
): ExchangeRecord {
  return {
    requestId,
    kind: 'access-request',
    caseId: body.caseId,
    fromAgency: caller.agency,
    toAgency: body.agency,
    requestedBy: caller.user,
    sections,
    purpose: body.purpose,
    legalBasis: body.legalBasis,
    urgency: body.urgency,
    justification: body.justification,
    status: 'pending',
    createdAt: now.toISOString(),
    delivered: false,
  };
}

/**
 * The pending request that answers an identical one, as a replay when it is this very request's
 * (a late retry under its Idempotency-Key), else as the existing request (not created). Undefined if it
 * is no longer pending.
 */
async function identicalPending(
  deps: ExchangeDeps,
  trail: AuditTrail,
  requestId: string,
  asked: string,
): Promise<RequestMade | undefined> {
  const request = await deps.store.getRequest(requestId);
  if (request?.status !== 'pending') return undefined;
  trail.concerns({ caseId: request.caseId, resource: `/v1/requests/${requestId}` });
  if (requestId === asked) trail.replayed();
  return { view: requestView(request, deps.clock(), deps.policy), created: requestId === asked };
}

function slotOf(record: ExchangeRecord, fingerprint: string): OpenRequestSlot {
  return { fromAgency: record.fromAgency, caseId: record.caseId, fingerprint, requestId: record.requestId };
}

/** The slot a pending request holds, to free when it closes (none for a record made before slots). */
function heldSlot(request: ExchangeRecord): { freesSlot?: OpenRequestSlot } {
  return request.fingerprint ? { freesSlot: slotOf(request, request.fingerprint) } : {};
}

export async function listRequests(
  deps: ExchangeDeps,
  caller: Caller,
  query: Parameters<ExchangeStore['listBox']>[2] & {
    box: 'incoming' | 'outgoing';
    limit: number;
    cursor?: string | undefined;
  },
) {
  const page = await deps.store.listBox(caller.agency, query.box, query, query.limit, query.cursor);
  const now = deps.clock();
  return {
    items: page.items.map((record) => requestView(record, now, deps.policy)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/**
 * One request or emergency access, to the agency that made it and to the agency asked once it was
 * delivered there (an emergency access always is: it is the owner's). Anyone else, like an unknown id,
 * finds nothing.
 */
export async function readRequest(
  deps: ExchangeDeps,
  caller: Caller,
  requestId: string,
  trail: AuditTrail,
): Promise<RequestView> {
  const { request } = await loadKnownRequest(deps, caller, requestId, trail, '');
  return requestView(request, deps.clock(), deps.policy);
}

/** A request with the caller's part in it; not found for an agency that has none. */
async function loadKnownRequest(
  deps: ExchangeDeps,
  caller: Caller,
  requestId: string,
  trail: AuditTrail,
  subresource: string,
) {
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new RequestNotFoundError();
  trail.concerns({ caseId: request.caseId, resource: `/v1/requests/${requestId}${subresource}` });
  const role = requestRole(request, caller.agency);
  if (role === null) throw new RequestNotFoundError();
  return { request, role };
}

/**
 * The agency that asked withdraws its request while it is pending: it is no longer due, no longer
 * decidable, and the agency asked is told if the request had reached it. The write is conditional on the
 * request still being pending, so of a withdrawal and a decision made at the same moment exactly one
 * stands; the other is told the request is no longer pending. The agency asked may not withdraw (422);
 * an emergency access, granted at once, is never pending (409: the owner ends it by revoking).
 */
export async function withdrawRequest(
  deps: ExchangeDeps,
  caller: Caller,
  requestId: string,
  trail: AuditTrail,
): Promise<RequestView> {
  return retryOnAccessChange(async () => {
    const { request, role } = await loadKnownRequest(deps, caller, requestId, trail, '/withdraw');
    if (role !== 'requester') {
      throw new RuleViolationError('Only the agency that made a request may withdraw it.', 'not-requester');
    }
    if (request.status !== 'pending') {
      throw new AlreadyDecidedError('Only a pending request can be withdrawn; this one is not pending.');
    }
    const now = deps.clock();
    const withdrawn: ExchangeRecord = {
      ...request,
      status: 'withdrawn',
      withdrawal: { withdrawnAt: now.toISOString(), withdrawnBy: caller.user },
    };
    await commit(deps, trail, {
      event: trail.eventFor(200),
      notices: request.delivered ? [requestWithdrawn(request, caller, now)] : [],
      closedRequest: withdrawn,
      ...heldSlot(request),
    });
    return requestView(withdrawn, now, deps.policy);
  });
}

function requestWithdrawn(request: ExchangeRecord, caller: Caller, now: Date): DomainEvent {
  return domainEvent('request.withdrawn', now, {
    caseId: request.caseId,
    actorAgency: caller.agency,
    recipients: [request.toAgency],
    requestId: request.requestId,
  });
}

export async function decideRequest(
  deps: ExchangeDeps,
  caller: Caller,
  requestId: string,
  body: DecisionBody,
  trail: AuditTrail,
): Promise<RequestView> {
  return retryOnAccessChange(async () => {
    const { request, read } = await loadDecidableRequest(deps, caller, requestId, trail);
    const now = deps.clock();
    const event = trail.eventFor(200);
    const { decided, write } =
      body.decision === 'deny'
        ? denial(request, caller, body, now, event)
        : approval(request, read, caller, body, now, event, deps.policy);
    await commit(deps, trail, write);
    return requestView(decided, now, deps.policy);
  });
}

/**
 * A request the caller may decide: delivered to the caller, who owns the case, and still pending. The one
 * who asked is told it may not decide (it knows the request exists); anyone else finds nothing.
 */
async function loadDecidableRequest(
  deps: ExchangeDeps,
  caller: Caller,
  requestId: string,
  trail: AuditTrail,
) {
  const request = await deps.store.getRequest(requestId);
  if (request?.kind !== 'access-request') throw new RequestNotFoundError();
  trail.concerns({ caseId: request.caseId, resource: `/v1/requests/${requestId}/decision` });
  if (request.fromAgency === caller.agency) {
    throw new RuleViolationError(
      'The agency asked decides its request, not the one that asked.',
      'not-owner',
    );
  }
  if (request.toAgency !== caller.agency || !request.delivered) throw new RequestNotFoundError();
  const read = await readForAccessChange(deps, request.caseId, request.fromAgency, () =>
    loadOwned(deps, caller, request.caseId),
  );
  if (request.status !== 'pending') throw new AlreadyDecidedError();
  return { request, read };
}

function denial(request: ExchangeRecord, caller: Caller, body: DecisionBody, now: Date, event: AuditEvent) {
  const decided: ExchangeRecord = {
    ...request,
    status: 'denied',
    decision: { decision: 'deny', reason: body.reason, decidedAt: now.toISOString(), decidedBy: caller.user },
  };
  const write: ExchangeWrite = {
    event,
    notices: [requestDecided(request, caller, now, 'deny')],
    closedRequest: decided,
    ...heldSlot(request),
  };
  return { decided, write };
}

/** Approval shares the approved sections with the agency that asked, for its purpose, until the expiry. */
function approval(
  request: ExchangeRecord,
  read: { found: CaseRead; access: AgencyAccess },
  caller: Caller,
  body: DecisionBody,
  now: Date,
  event: AuditEvent,
  policy: ExchangePolicy,
) {
  const decidedAt = now.toISOString();
  const sections = approvedSections(request.sections, body.sections);
  const expiresAt = checkExpiry(
    body.expiresAt ?? defaultGrantExpiry(now, policy),
    now,
    policy,
    'body.expiresAt',
  );
  const grant = newGrant({
    caseId: request.caseId,
    agency: request.fromAgency,
    kind: 'share',
    sections,
    purpose: request.purpose,
    expiresAt,
    grantedAt: decidedAt,
    grantedBy: caller.user,
    requestId: request.requestId,
  });
  const decision = {
    decision: 'approve',
    sections,
    expiresAt,
    reason: body.reason,
    decidedAt,
    decidedBy: caller.user,
  } as const;
  const decided: ExchangeRecord = { ...request, status: 'approved', expiresAt, decision };
  const write: ExchangeWrite = {
    event,
    notices: [
      { ...requestDecided(request, caller, now, 'approve'), grantId: grant.grantId, sections, expiresAt },
    ],
    closedRequest: decided,
    ...heldSlot(request),
    access: addingGrant(read.found, read.access, grant, true, now),
  };
  return { decided, write };
}

function requestDecided(
  request: ExchangeRecord,
  caller: Caller,
  now: Date,
  decision: 'approve' | 'deny',
): DomainEvent {
  return domainEvent('request.decided', now, {
    caseId: request.caseId,
    actorAgency: caller.agency,
    recipients: [request.fromAgency],
    requestId: request.requestId,
    decision,
  });
}

import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, RuleViolationError } from '../../http/errors';
import type { Purpose } from '../../http/schemas';
import type { AuditTrail } from '../audit/trail';
import { accessFor, isLive } from '../cases/access';
import type { Caller } from '../cases/case-service';
import { AccessChangedError, CaseGoneError, type CaseStore, type StoredGrant } from '../cases/ports';
import type { Directory } from '../directory';
import type { ReviewRecord } from '../reviews/ports';
import { type DomainEvent, domainEvent } from './events';
import { defaultGrantExpiry, dueAt, type ExchangePolicy, emergencyExpiry } from './policy';
import {
  AlreadyDecidedError,
  type EventPublisher,
  type ExchangeRecord,
  type ExchangeStore,
  type ExchangeWrite,
  GrantChangedError,
  RequestExistsError,
} from './ports';
import {
  approvedSections,
  checkCounterpart,
  checkEmergencySections,
  checkExpiry,
  knownSections,
  listedUntil,
  requestView,
  shareView,
} from './rules';
import type {
  DecisionBody,
  EmergencyAccessBody,
  RequestBody,
  RequestView,
  ShareBody,
  ShareView,
} from './schemas';

/**
 * Shares, revocations, access requests, decisions and emergency access. Each is one transaction: the
 * change, its audit event and its domain events (outbox); the events are published once it commits.
 *
 * How a request keeps a case hidden: the requester names the case and the agency it believes holds it
 * (learned from a match, or from that agency's own notification or referral). The request is stored and
 * answered the same way whether or not the case exists and whether or not that agency owns it. Only when
 * it does is the request delivered: it appears in the owner's incoming box, falls due, and can be
 * decided; otherwise it stays pending in the requester's outgoing box, like one the owner has not
 * answered. Deciding, sharing or revoking on a case the caller does not own is a 404 (422 `not-owner` for
 * an agency that can see the case through a share).
 */
export interface ExchangeDeps {
  cases: Pick<CaseStore, 'get'>;
  store: ExchangeStore;
  publisher: EventPublisher;
  directory: Directory;
  policy: ExchangePolicy;
  clock: () => Date;
  /** Told when publishing fails after the commit; the deadline sweep publishes what is left. */
  onPublishFailure?: (error: unknown, events: readonly DomainEvent[]) => void;
}

const MAX_ATTEMPTS = 3;

/** Runs a read-decide-write step again when access to the case changed between the read and the write. */
async function withRetry<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof AccessChangedError || error instanceof GrantChangedError)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new ConflictError(
          'The case changed while this request was served; retry it.',
          'access-changed',
        );
      }
    }
  }
}

/** Commits a unit of work, then publishes its events; an unpublished event stays in the outbox. */
async function commit(deps: ExchangeDeps, trail: AuditTrail, write: ExchangeWrite): Promise<void> {
  try {
    await deps.store.commit(write);
  } catch (error) {
    if (error instanceof CaseGoneError) throw new NotFoundError();
    throw error;
  }
  trail.recorded(write.event);
  await publishCommitted(deps, write.notices);
}

export async function publishCommitted(
  deps: Pick<ExchangeDeps, 'store' | 'publisher' | 'clock' | 'onPublishFailure'>,
  events: readonly DomainEvent[],
): Promise<boolean> {
  if (events.length === 0) return true;
  try {
    await deps.publisher.publish(events);
    await deps.store.markPublished(
      events.map((event) => event.eventId),
      deps.clock().toISOString(),
    );
    return true;
  } catch (error) {
    deps.onPublishFailure?.(error, events);
    return false;
  }
}

/** The case as its owner sees it, or 404 if the caller cannot see it, or 422 if it can but does not own it. */
async function loadOwned(deps: ExchangeDeps, caller: Caller, caseId: string) {
  const found = await deps.cases.get(caseId);
  const access = found
    ? accessFor(caller.agency, found.record.meta.ownerAgency, found.grants, deps.clock())
    : null;
  if (!found || !access) throw new NotFoundError();
  if (!access.owner) {
    throw new RuleViolationError('Only the owning agency shares, revokes or decides on a case.', 'not-owner');
  }
  return found;
}

function newGrant(
  fields: Omit<StoredGrant, 'grantId' | 'readOnly'> & { grantId?: string; readOnly?: boolean },
): StoredGrant {
  return { ...fields, grantId: fields.grantId ?? randomUUID(), readOnly: fields.readOnly ?? false };
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
  return withRetry(async () => {
    const { record, grants } = await loadOwned(deps, caller, caseId);
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
    const listed = listedUntil([...grants, grant], body.agency, now);
    const event = trail.eventFor(201, { caseId });
    await commit(deps, trail, {
      event,
      notices: [
        domainEvent('share.created', now, {
          caseId,
          actorAgency: caller.agency,
          recipients: [body.agency],
          grantId: grant.grantId,
          sections,
          expiresAt,
        }),
      ],
      access: {
        meta: record.meta,
        expectedAccessRevision: record.accessRevision ?? 0,
        agency: body.agency,
        listedUntil: listed,
        grantsToAdd: [grant],
        byOwner: true,
      },
    });
    return shareView(grant);
  });
}

/** Ends every live grant of the agency on the case, shares and emergency access alike. */
export async function revokeShares(
  deps: ExchangeDeps,
  caller: Caller,
  caseId: string,
  agency: string,
  trail: AuditTrail,
): Promise<void> {
  await withRetry(async () => {
    const { record, grants } = await loadOwned(deps, caller, caseId);
    const now = deps.clock();
    const live = grants.filter((grant) => grant.agency === agency && isLive(grant, now));
    if (live.length === 0) throw new NotFoundError('This agency holds no live share of the case.');
    const event = trail.eventFor(204, { caseId });
    await commit(deps, trail, {
      event,
      notices: [
        domainEvent('share.revoked', now, { caseId, actorAgency: caller.agency, recipients: [agency] }),
      ],
      access: {
        meta: record.meta,
        expectedAccessRevision: record.accessRevision ?? 0,
        agency,
        listedUntil: null,
        grantsToRevoke: live.map((grant) => ({
          grant,
          revokedAt: now.toISOString(),
          revokedBy: caller.user,
        })),
        byOwner: true,
      },
    });
  });
}

export async function createRequest(
  deps: ExchangeDeps,
  caller: Caller,
  body: RequestBody,
  trail: AuditTrail,
  requestId: string,
): Promise<RequestView> {
  trail.concerns({ caseId: body.caseId, resource: `/v1/requests/${requestId}` });
  checkCounterpart(deps.directory, caller.agency, body.agency, 'body.agency');
  const sections = knownSections(body.sections, 'body.sections');
  const found = await deps.cases.get(body.caseId);
  // Existence stays hidden: everything below but `delivered` is the same whatever was found.
  const delivered = found !== undefined && found.record.meta.ownerAgency === body.agency;
  const now = deps.clock();
  const record: ExchangeRecord = {
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
    delivered,
  };
  const notices = delivered
    ? [
        domainEvent('request.created', now, {
          caseId: body.caseId,
          actorAgency: caller.agency,
          recipients: [body.agency],
          requestId,
          sections,
          urgency: body.urgency,
          dueAt: dueAt(record.createdAt, body.urgency, deps.policy),
        }),
      ]
    : [];
  const event = trail.eventFor(201);
  try {
    await commit(deps, trail, { event, notices, newRequest: record });
  } catch (error) {
    if (error instanceof RequestExistsError) {
      throw new ConflictError('A request was already made with this Idempotency-Key.', 'duplicate-request');
    }
    throw error;
  }
  return requestView(record, now, deps.policy);
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

export async function decideRequest(
  deps: ExchangeDeps,
  caller: Caller,
  requestId: string,
  body: DecisionBody,
  trail: AuditTrail,
): Promise<RequestView> {
  return withRetry(async () => {
    const request = await deps.store.getRequest(requestId);
    if (request?.kind !== 'access-request') throw new NotFoundError();
    trail.concerns({ caseId: request.caseId, resource: `/v1/requests/${requestId}/decision` });
    if (request.fromAgency === caller.agency) {
      throw new RuleViolationError(
        'The agency asked decides its request, not the one that asked.',
        'not-owner',
      );
    }
    if (request.toAgency !== caller.agency || !request.delivered) throw new NotFoundError();
    const { record, grants } = await loadOwned(deps, caller, request.caseId);
    if (request.status !== 'pending') {
      throw new ConflictError('The request has already been decided.', 'already-decided');
    }
    const now = deps.clock();
    const decidedAt = now.toISOString();
    const event = trail.eventFor(200);

    let write: ExchangeWrite;
    let decided: ExchangeRecord;
    if (body.decision === 'deny') {
      decided = {
        ...request,
        status: 'denied',
        decision: { decision: 'deny', reason: body.reason, decidedAt, decidedBy: caller.user },
      };
      write = {
        event,
        notices: [requestDecided(request, caller, now, 'deny')],
        decidedRequest: decided,
      };
    } else {
      const sections = approvedSections(request.sections, body.sections);
      const expiresAt = checkExpiry(
        body.expiresAt ?? defaultGrantExpiry(now, deps.policy),
        now,
        deps.policy,
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
        requestId,
      });
      decided = {
        ...request,
        status: 'approved',
        expiresAt,
        decision: {
          decision: 'approve',
          sections,
          expiresAt,
          reason: body.reason,
          decidedAt,
          decidedBy: caller.user,
        },
      };
      write = {
        event,
        notices: [
          { ...requestDecided(request, caller, now, 'approve'), grantId: grant.grantId, sections, expiresAt },
        ],
        decidedRequest: decided,
        access: {
          meta: record.meta,
          expectedAccessRevision: record.accessRevision ?? 0,
          agency: request.fromAgency,
          listedUntil: listedUntil([...grants, grant], request.fromAgency, now),
          grantsToAdd: [grant],
          byOwner: true,
        },
      };
    }
    try {
      await commit(deps, trail, write);
    } catch (error) {
      if (error instanceof AlreadyDecidedError) {
        throw new ConflictError('The request has already been decided.', 'already-decided');
      }
      throw error;
    }
    return requestView(decided, now, deps.policy);
  });
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

/**
 * Break glass: read-only access at once, for a short configured time, to the sections named, with the
 * purpose `emergency` and a written justification. The owner sees it in its incoming box and is told;
 * compliance finds it on the review list. It reveals that the case exists, by design: it is audited.
 */
export async function grantEmergencyAccess(
  deps: ExchangeDeps,
  caller: Caller,
  caseId: string,
  purpose: Purpose,
  body: EmergencyAccessBody,
  trail: AuditTrail,
  accessId: string,
): Promise<RequestView> {
  if (purpose !== 'emergency') {
    throw new RuleViolationError(
      'Emergency access is for the purpose `emergency` (X-Himaya-Purpose: emergency).',
      'emergency-purpose-required',
      [{ path: 'headers.x-himaya-purpose', message: 'must be emergency' }],
    );
  }
  const sections = knownSections(body.sections, 'body.sections');
  checkEmergencySections(sections);
  return withRetry(async () => {
    const found = await deps.cases.get(caseId);
    if (!found) throw new NotFoundError();
    const { record, grants } = found;
    const owner = record.meta.ownerAgency;
    if (owner === caller.agency) {
      throw new RuleViolationError('The owning agency needs no emergency access.', 'own-case');
    }
    const now = deps.clock();
    const expiresAt = emergencyExpiry(now, deps.policy);
    const grant = newGrant({
      grantId: accessId,
      caseId,
      agency: caller.agency,
      kind: 'emergency',
      sections,
      purpose: 'emergency',
      expiresAt,
      grantedAt: now.toISOString(),
      grantedBy: caller.user,
      readOnly: true,
      requestId: accessId,
    });
    const access: ExchangeRecord = {
      requestId: accessId,
      kind: 'emergency-access',
      caseId,
      fromAgency: caller.agency,
      toAgency: owner,
      requestedBy: caller.user,
      sections,
      purpose: 'emergency',
      justification: body.justification,
      status: 'granted',
      createdAt: now.toISOString(),
      expiresAt,
      delivered: true,
    };
    const event = trail.eventFor(201, { caseId });
    const review: ReviewRecord = {
      reviewId: randomUUID(),
      kind: 'emergency-access',
      status: 'open',
      createdAt: now.toISOString(),
      caseId,
      agency: caller.agency,
      user: caller.user,
      requestId: accessId,
      sections,
      purpose: 'emergency',
      justification: body.justification,
      expiresAt,
      auditEventId: event.eventId,
    };
    try {
      await commit(deps, trail, {
        event,
        notices: [
          domainEvent('emergency-access.granted', now, {
            caseId,
            actorAgency: caller.agency,
            recipients: [owner],
            requestId: accessId,
            grantId: grant.grantId,
            sections,
            expiresAt,
          }),
        ],
        newRequest: access,
        newReview: review,
        access: {
          meta: record.meta,
          expectedAccessRevision: record.accessRevision ?? 0,
          agency: caller.agency,
          listedUntil: listedUntil([...grants, grant], caller.agency, now),
          grantsToAdd: [grant],
          byOwner: false,
        },
      });
    } catch (error) {
      if (error instanceof RequestExistsError) {
        throw new ConflictError(
          'Emergency access was already given for this Idempotency-Key.',
          'duplicate-request',
        );
      }
      throw error;
    }
    return requestView(access, now, deps.policy);
  });
}

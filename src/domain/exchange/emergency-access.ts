import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../audit/event';
import type { AuditTrail } from '../audit/trail';
import { isLive } from '../cases/access';
import { retryOnAccessChange } from '../cases/access-contention';
import type { Caller } from '../cases/case-service';
import type { StoredGrant } from '../cases/ports';
import type { SectionName } from '../cases/schemas';
import type { Directory } from '../directory';
import { EmergencyAccessLiveError, RuleViolationError } from '../errors';
import type { Purpose } from '../purpose';
import type { RetryableWrite } from '../retryable-write';
import type { ReviewRecord } from '../reviews/ports';
import { type DomainEvent, domainEvent } from './events';
import {
  addingGrant,
  type CaseRead,
  commitNew,
  type ExchangeDeps,
  madeEarlier,
  newGrant,
  readForAccessChange,
} from './exchange-service';
import { type ExchangePolicy, emergencyDay, emergencyExpiry, isRecentRevocation } from './policy';
import { type AccessChange, type AgencyAccess, EmergencyCapReachedError, type ExchangeRecord } from './ports';
import { checkEmergencyPurpose, checkEmergencySections, knownSections, requestView } from './rules';
import type { EmergencyAccessBody, RequestView } from './schemas';

/** Parallel break-glass calls race for one grant; the losers read again and are told of the winner's. */
const EMERGENCY_ATTEMPTS = 5;

/** What an agency asks for when it breaks glass. */
interface EmergencyAsk {
  caller: Caller;
  sections: SectionName[];
  justification: string;
  accessId: string;
  digest: string | undefined;
}

/**
 * Break glass: read-only access at once, for a short configured time, to sections of the configured set,
 * with the purpose `emergency` and a written justification. The owner sees it in its incoming box and is
 * told; compliance finds it on the review list. It reveals that the case exists, by design: it is audited.
 *
 * One live emergency grant per case and agency (another call is told its id and expiry), a daily cap per
 * agency, both held by conditional writes, so parallel calls make exactly one grant. Soon after the owner
 * revoked the agency it is still given (a child may be in danger now), but flagged `after-revocation` at
 * high priority for compliance, and the owner and oversight are told at once.
 */
export async function grantEmergencyAccess(
  deps: ExchangeDeps,
  caller: Caller,
  caseId: string,
  purpose: Purpose,
  body: EmergencyAccessBody,
  trail: AuditTrail,
  retry: RetryableWrite,
): Promise<RequestView> {
  checkEmergencyPurpose(purpose);
  const sections = knownSections(body.sections, 'body.sections');
  checkEmergencySections(sections, deps.policy);
  const ask = {
    caller,
    sections,
    justification: body.justification,
    accessId: retry.id,
    digest: retry.digest,
  };
  try {
    return await retryOnAccessChange(() => breakGlass(deps, caseId, ask, trail), EMERGENCY_ATTEMPTS);
  } catch (error) {
    if (error instanceof EmergencyCapReachedError) deps.onEmergencyCapReached?.(caller.agency);
    throw error;
  }
}

/** One attempt at breaking glass, on the agency's access as it stands. */
async function breakGlass(deps: ExchangeDeps, caseId: string, ask: EmergencyAsk, trail: AuditTrail) {
  const { found, access } = await readForAccessChange(deps, caseId, ask.caller.agency, () =>
    deps.cases.get(caseId),
  );
  if (found.record.meta.ownerAgency === ask.caller.agency) {
    throw new RuleViolationError('The owning agency needs no emergency access.', 'own-case');
  }
  const now = deps.clock();
  const duplicate = 'Emergency access was already given for this Idempotency-Key.';
  const live = liveEmergency(access, found.grants, ask.caller.agency, now);
  if (live?.grantId === ask.accessId) {
    const asked = { requestId: ask.accessId, requestDigest: ask.digest, fromAgency: ask.caller.agency };
    return requestView(await madeEarlier(deps, trail, asked, duplicate), now, deps.policy);
  }
  if (live) throw new EmergencyAccessLiveError(live.grantId, live.expiresAt);
  const afterRevocation = revokedRecently(access, found.grants, ask.caller.agency, now, deps.policy);
  const event = trail.eventFor(201, { caseId });
  const records = emergencyRecords(found, ask, event, now, deps.policy, afterRevocation);
  const write = {
    event,
    notices: emergencyNotices(records, deps.directory, now, afterRevocation),
    newRequest: records.access,
    newReview: records.review,
    access: emergencyChange(found, access, records.grant, now, deps.policy),
  };
  return requestView(await commitNew(deps, trail, write, duplicate), now, deps.policy);
}

/**
 * The agency's live emergency grant on the case, if any: as its access item marks it, or as a live grant
 * shows (emergency grants made before access items marked them).
 */
function liveEmergency(access: AgencyAccess, grants: readonly StoredGrant[], agency: string, now: Date) {
  if (access.emergency && Date.parse(access.emergency.expiresAt) > now.getTime()) return access.emergency;
  const grant = grants.find((g) => g.agency === agency && g.kind === 'emergency' && isLive(g, now));
  return grant ? { grantId: grant.grantId, expiresAt: grant.expiresAt } : undefined;
}

/**
 * Whether the owner revoked the agency within the policy's window: as its access item remembers, or as a
 * revoked grant still shows (revocations made before access items kept it).
 */
function revokedRecently(
  access: AgencyAccess,
  grants: readonly StoredGrant[],
  agency: string,
  now: Date,
  policy: ExchangePolicy,
): boolean {
  const revocations = grants.filter((grant) => grant.agency === agency).map((grant) => grant.revokedAt);
  return [access.revokedAt, ...revocations].some((at) => isRecentRevocation(at, now, policy));
}

/** The grant, marked as the agency's one live emergency grant and counted against its UTC day. */
function emergencyChange(
  found: CaseRead,
  access: AgencyAccess,
  grant: StoredGrant,
  now: Date,
  policy: ExchangePolicy,
): AccessChange {
  const { day, endsAt } = emergencyDay(now);
  return {
    ...addingGrant(found, access, grant, false, now),
    emergency: {
      grantId: grant.grantId,
      expiresAt: grant.expiresAt,
      day,
      dayEndsAt: endsAt.toISOString(),
      dailyCap: policy.emergencyDailyCap,
    },
  };
}

/** The owner is told of every emergency access; of one soon after its revocation, oversight too, at once. */
function emergencyNotices(
  records: ReturnType<typeof emergencyRecords>,
  directory: Directory,
  now: Date,
  afterRevocation: boolean,
): DomainEvent[] {
  const { grant, access } = records;
  const fields = {
    caseId: grant.caseId,
    actorAgency: access.fromAgency,
    requestId: access.requestId,
    grantId: grant.grantId,
    sections: grant.sections,
    expiresAt: grant.expiresAt,
  };
  const granted = domainEvent('emergency-access.granted', now, { ...fields, recipients: [access.toAgency] });
  if (!afterRevocation) return [granted];
  const recipients = [access.toAgency, ...directory.oversight.map((body) => body.id)];
  return [granted, domainEvent('emergency-access.after-revocation', now, { ...fields, recipients })];
}

/**
 * What one emergency access writes: the read-only grant, the record the owner sees in its incoming box,
 * and the item compliance reviews (pointing at the access-log event), at high priority after a revocation.
 */
function emergencyRecords(
  found: CaseRead,
  ask: EmergencyAsk,
  event: AuditEvent,
  now: Date,
  policy: ExchangePolicy,
  afterRevocation: boolean,
) {
  const { caller, sections, justification, accessId } = ask;
  const { caseId, ownerAgency } = found.record.meta;
  const createdAt = now.toISOString();
  const expiresAt = emergencyExpiry(now, policy);
  const common = { caseId, sections, purpose: 'emergency', requestId: accessId, expiresAt } as const;
  const grant = newGrant({
    ...common,
    grantId: accessId,
    agency: caller.agency,
    kind: 'emergency',
    grantedAt: createdAt,
    grantedBy: caller.user,
    readOnly: true,
  });
  const access: ExchangeRecord = {
    ...common,
    kind: 'emergency-access',
    fromAgency: caller.agency,
    toAgency: ownerAgency,
    requestedBy: caller.user,
    justification,
    status: 'granted',
    createdAt,
    delivered: true,
    requestDigest: ask.digest,
  };
  const review: ReviewRecord = {
    ...common,
    reviewId: randomUUID(),
    kind: 'emergency-access',
    status: 'open',
    createdAt,
    agency: caller.agency,
    user: caller.user,
    justification,
    auditEventId: event.eventId,
    priority: afterRevocation ? 'high' : 'normal',
    ...(afterRevocation ? { flags: ['after-revocation' as const] } : {}),
  };
  return { grant, access, review };
}

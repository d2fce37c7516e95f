import { createHash } from 'node:crypto';
import { isLive } from '../cases/access';
import type { StoredGrant } from '../cases/ports';
import { SECTION_NAMES, type SectionName } from '../cases/schemas';
import { type Directory, findAgency } from '../directory';
import { type Rule, RuleViolationError } from '../errors';
import type { Purpose } from '../purpose';
import { dueAt, type ExchangePolicy, latestGrantExpiry } from './policy';
import type { ExchangeRecord } from './ports';
import type { GrantView, RequestBody, RequestView, ShareView } from './schemas';

/**
 * The exchange's rules, as pure functions: who may be named, which sections exist, how long access may
 * last, what an approval grants. A broken rule names the rule and the field.
 */
function broken(code: Rule, path: string, message: string): RuleViolationError {
  return new RuleViolationError(message, code, [{ path, message }]);
}

/** The named sections, each known, in the case model's order, without repeats. */
export function knownSections(names: readonly string[], path: string): SectionName[] {
  const unknown = names.filter((name) => !(SECTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw broken('unknown-section', path, `No such section: ${unknown.join(', ')}.`);
  }
  return SECTION_NAMES.filter((name) => names.includes(name));
}

/** The other agency of an exchange: one of the directory's agencies, and not the caller's own. */
export function checkCounterpart(directory: Directory, callerAgency: string, agency: string, path: string) {
  if (!findAgency(directory, agency))
    throw broken('unknown-agency', path, `No agency ${agency} in the directory.`);
  if (agency === callerAgency) throw broken('own-agency', path, 'Name another agency than your own.');
}

/** A share ends in the future, and no later than the policy allows. */
export function checkExpiry(expiresAt: string, now: Date, policy: ExchangePolicy, path: string): string {
  const at = Date.parse(expiresAt);
  if (at <= now.getTime()) throw broken('expiry-not-in-future', path, 'expiresAt must be in the future.');
  if (at > latestGrantExpiry(now, policy).getTime()) {
    throw broken('expiry-too-late', path, `A share lasts at most ${policy.maxGrantDays} days.`);
  }
  return new Date(at).toISOString();
}

/**
 * What an approval grants: the sections the owner names, all of them asked for; or, if it names none,
 * everything asked but `reporter`, which is shared only when named.
 */
export function approvedSections(requested: readonly SectionName[], decided: readonly string[] | undefined) {
  if (decided === undefined) {
    const sections = requested.filter((name) => name !== 'reporter');
    if (sections.length === 0) {
      throw broken(
        'reporter-not-named',
        'body.sections',
        'Name `reporter` to share it; nothing else was asked.',
      );
    }
    return sections;
  }
  const sections = knownSections(decided, 'body.sections');
  const extra = sections.filter((name) => !requested.includes(name));
  if (extra.length > 0) {
    throw broken('sections-not-requested', 'body.sections', `Not asked for: ${extra.join(', ')}.`);
  }
  return sections;
}

/** Break-glass access is asked for the purpose `emergency`, and for nothing else. */
export function checkEmergencyPurpose(purpose: Purpose) {
  if (purpose !== 'emergency') {
    throw new RuleViolationError(
      'Emergency access is for the purpose `emergency` (X-Himaya-Purpose: emergency).',
      'emergency-purpose-required',
      [{ path: 'headers.x-himaya-purpose', message: 'must be emergency' }],
    );
  }
}

/**
 * Break-glass access opens what a child's safety needs now: only sections of the configured set, and
 * never the reporter.
 */
export function checkEmergencySections(sections: readonly SectionName[], policy: ExchangePolicy) {
  if (sections.includes('reporter')) {
    throw broken('reporter-sealed', 'body.sections', 'Emergency access never opens the reporter section.');
  }
  const closed = sections.filter((name) => !policy.emergencySections.includes(name));
  if (closed.length > 0) {
    throw broken(
      'emergency-section-closed',
      'body.sections',
      `Emergency access does not open: ${closed.join(', ')}.`,
    );
  }
}

/** Until when a grantee lists the case: the latest expiry of its live grants (null: not at all). */
export function listedUntil(grants: readonly StoredGrant[], agency: string, now: Date): string | null {
  const live = grants.filter((grant) => grant.agency === agency && isLive(grant, now));
  if (live.length === 0) return null;
  // Expiries are normalised ISO times: the latest sorts last.
  return (
    live
      .map((grant) => grant.expiresAt)
      .sort()
      .at(-1) ?? null
  );
}

export function shareView(grant: StoredGrant): ShareView {
  return {
    grantId: grant.grantId,
    caseId: grant.caseId,
    agency: grant.agency,
    kind: grant.kind,
    sections: grant.sections,
    purpose: grant.purpose,
    expiresAt: grant.expiresAt,
    grantedAt: grant.grantedAt,
    grantedBy: grant.grantedBy,
    readOnly: grant.readOnly,
    ...(grant.requestId ? { requestId: grant.requestId } : {}),
  };
}

/** A grant in the list of a case's shares: whether it gives access now, and who ended it if someone did. */
export function grantView(grant: StoredGrant, now: Date): GrantView {
  return {
    ...shareView(grant),
    ...(grant.revokedAt !== undefined ? { revokedAt: grant.revokedAt } : {}),
    ...(grant.revokedBy !== undefined ? { revokedBy: grant.revokedBy } : {}),
    live: isLive(grant, now),
  };
}

/**
 * The grants of a case an agency may list, live and past, newest first: the owner every one, any other
 * agency its own. Whether it may list them at all (the owner, or an agency with a live grant) is the
 * case's visibility, checked before.
 */
export function listedGrants(grants: readonly StoredGrant[], agency: string, owner: boolean, now: Date) {
  return grants
    .filter((grant) => owner || grant.agency === agency)
    .map((grant) => grantView(grant, now))
    .sort((a, b) => b.grantedAt.localeCompare(a.grantedAt) || a.grantId.localeCompare(b.grantId));
}

/**
 * Who an agency is to a request: the one asking, the one asked (only once the request was delivered to
 * it), or nobody, who must not learn the request exists.
 */
export function requestRole(record: ExchangeRecord, agency: string): 'requester' | 'addressee' | null {
  if (record.fromAgency === agency) return 'requester';
  if (record.toAgency === agency && record.delivered) return 'addressee';
  return null;
}

/**
 * The one view of a request, for both boxes. It says nothing of delivery or escalation: `overdue` follows
 * from the due time alone, so a request about a case the asked agency does not hold looks the same.
 */
export function requestView(record: ExchangeRecord, now: Date, policy: ExchangePolicy): RequestView {
  const due =
    record.kind === 'access-request' && record.urgency
      ? dueAt(record.createdAt, record.urgency, policy)
      : undefined;
  return {
    requestId: record.requestId,
    kind: record.kind,
    caseId: record.caseId,
    fromAgency: record.fromAgency,
    toAgency: record.toAgency,
    requestedBy: record.requestedBy,
    sections: record.sections,
    purpose: record.purpose,
    ...(record.legalBasis !== undefined ? { legalBasis: record.legalBasis } : {}),
    ...(record.urgency !== undefined ? { urgency: record.urgency } : {}),
    justification: record.justification,
    status: record.status,
    createdAt: record.createdAt,
    ...(due ? { dueAt: due } : {}),
    overdue: record.status === 'pending' && due !== undefined && Date.parse(due) <= now.getTime(),
    ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    ...(record.decision ? { decision: record.decision } : {}),
    ...(record.withdrawal ? { withdrawal: record.withdrawal } : {}),
  };
}

/**
 * What makes two requests identical: the same case, agency asked, sections, purpose, legal basis, urgency
 * and justification (the requester is the slot's). A digest, so that the slot key says nothing.
 */
export function requestFingerprint(body: RequestBody, sections: readonly SectionName[]): string {
  const { caseId, agency, purpose, legalBasis, urgency, justification } = body;
  const asked = [caseId, agency, sections, purpose, legalBasis, urgency, justification];
  return createHash('sha256').update(JSON.stringify(asked)).digest('base64url');
}

export function openRequestLimit(policy: ExchangePolicy): RuleViolationError {
  return new RuleViolationError(
    `At most ${policy.maxOpenRequestsPerCase} different requests about one case may be pending; withdraw one first.`,
    'open-request-limit-reached',
  );
}

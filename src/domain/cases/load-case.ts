import { CaseNotFoundError, RuleViolationError } from '../errors';
import { accessFor } from './access';
import type { CaseStore } from './ports';

/** A case and what the caller may do with it; a case the caller may not see is not found. */
export async function loadVisibleCase(
  store: Pick<CaseStore, 'get'>,
  agency: string,
  caseId: string,
  now: Date,
) {
  const found = await store.get(caseId);
  const access = found ? accessFor(agency, found.record.meta.ownerAgency, found.grants, now) : null;
  if (!found || !access) throw new CaseNotFoundError();
  return { ...found, access };
}

/** A case as its owner sees it: not found if the caller cannot see it, `not-owner` if it can but does not own it. */
export async function loadOwnedCase(
  store: Pick<CaseStore, 'get'>,
  agency: string,
  caseId: string,
  now: Date,
) {
  const found = await loadVisibleCase(store, agency, caseId, now);
  if (!found.access.owner) {
    throw new RuleViolationError('Only the owning agency shares, revokes or decides on a case.', 'not-owner');
  }
  return found;
}

/** Whether an agency may see a case now (it owns it or holds a live grant). */
export async function isCaseVisible(
  store: Pick<CaseStore, 'get'>,
  agency: string,
  caseId: string,
  now: Date,
): Promise<boolean> {
  const found = await store.get(caseId);
  return found !== undefined && accessFor(agency, found.record.meta.ownerAgency, found.grants, now) !== null;
}

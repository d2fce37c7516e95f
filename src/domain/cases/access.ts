import { SECTION_NAMES, type SectionName } from './schemas';

/**
 * Who may see what of a case. Denied unless granted: the owner sees everything; any other agency sees
 * only what a live grant gives it. `null` means the case does not exist for the caller (404, never 403).
 */
export interface Grant {
  agency: string;
  sections: readonly SectionName[];
  expiresAt: string;
  revokedAt?: string;
  /** Emergency grants are read-only. */
  readOnly?: boolean;
}

export interface CaseAccess {
  owner: boolean;
  sections: ReadonlySet<SectionName>;
  canUpdate: boolean;
  canAddNote: boolean;
}

export function isLive(grant: Grant, now: Date): boolean {
  return grant.revokedAt === undefined && Date.parse(grant.expiresAt) > now.getTime();
}

export function accessFor(
  agency: string,
  ownerAgency: string,
  grants: readonly Grant[],
  now: Date,
): CaseAccess | null {
  if (agency === ownerAgency) {
    return { owner: true, sections: new Set(SECTION_NAMES), canUpdate: true, canAddNote: true };
  }
  const live = grants.filter((grant) => grant.agency === agency && isLive(grant, now));
  if (live.length === 0) return null;
  return {
    owner: false,
    sections: new Set(live.flatMap((grant) => grant.sections)),
    canUpdate: false,
    canAddNote: live.some((grant) => !grant.readOnly),
  };
}

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

/** A grant as purpose binding needs it: which grant, and the purpose it was made for. */
export interface PurposedGrant extends Grant {
  grantId: string;
  purpose: string;
}

/**
 * What a read under `purpose` opens: the owner reads everything for any purpose; another agency reads
 * only the sections of its live grants made for that purpose (emergency grants for `emergency`), and
 * names those grants in the access log. `null`: it holds live grants, none for this purpose.
 */
export function readableUnder(
  agency: string,
  ownerAgency: string,
  grants: readonly PurposedGrant[],
  purpose: string,
  now: Date,
): { sections: ReadonlySet<SectionName>; grantIds: string[] } | null {
  if (agency === ownerAgency) return { sections: new Set(SECTION_NAMES), grantIds: [] };
  const used = grants.filter(
    (grant) => grant.agency === agency && grant.purpose === purpose && isLive(grant, now),
  );
  if (used.length === 0) return null;
  return {
    sections: new Set(used.flatMap((grant) => grant.sections)),
    grantIds: used.map((grant) => grant.grantId).sort(),
  };
}

import type { AuditEvent } from '../audit/event';
import type { AuditTrail } from '../audit/trail';
import type { Caller } from '../cases/case-service';
import type { SectionCipher } from '../cases/ports';
import { SectionIntegrityError } from '../cases/ports';
import { domainEvent } from '../exchange/events';
import type { BlindIndexInput, BlindIndexName } from './blind-index';
import { entryContext, type SealedEntry, tokenText, truncatedKey } from './case-index';
import { MAX_MATCHES, type MatchingPolicy } from './policy';
import { type BlindIndexer, type IndexCandidate, MatchRateLimitedError, type MatchStore } from './ports';
import { type Match, type MatchBody, type MatchList, type MatchStrength, matchSubjects } from './schemas';
import { distinctInputs } from './subjects';

export interface MatchServiceDeps {
  indexer: BlindIndexer;
  cipher: SectionCipher;
  store: MatchStore;
  matching: MatchingPolicy;
  clock: () => Date;
}

const STRENGTH_OF: Record<BlindIndexName, MatchStrength> = {
  'national-id': 'exact-id',
  'name-dob': 'name-dob',
  'name-year': 'name-year',
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The start of the UTC minute of `now` (`yyyy-mm-ddThh:mm`), and the end of it. */
function minuteOf(now: Date) {
  const start = now.toISOString().slice(0, 16);
  return { minute: start, endsAt: new Date(Date.parse(`${start}:00.000Z`) + 60_000).toISOString() };
}

/** One probe per distinct index input: one token each, then every entry under its truncated key. */
async function probe(deps: MatchServiceDeps, inputs: readonly BlindIndexInput[]) {
  const tokens = await deps.indexer.tokens(inputs);
  return Promise.all(
    inputs.map(async ({ index }, i) => {
      const token = tokens[i] as Uint8Array;
      const key = truncatedKey(index, token, deps.matching.truncationBits);
      return { index, token: tokenText(token), candidates: await deps.store.candidates(key) };
    }),
  );
}

/**
 * A candidate of another agency, opened: the case it points to when its full token is the probe's,
 * else undefined (an unrelated child sharing the truncated token). A sealed entry that does not open
 * under its own id and owner was moved or altered: the lookup fails rather than guess.
 */
async function confirm(
  cipher: SectionCipher,
  candidate: IndexCandidate,
  probed: { index: BlindIndexName; token: string },
): Promise<Match | undefined> {
  const plaintext = await cipher.decrypt(
    entryContext(candidate.entryId, candidate.ownerAgency),
    candidate.sealed,
  );
  const sealed = JSON.parse(decoder.decode(plaintext)) as SealedEntry;
  if (typeof sealed.caseId !== 'string') throw new SectionIntegrityError();
  if (sealed.index !== probed.index || sealed.token !== probed.token) return undefined;
  return { agency: candidate.ownerAgency, caseId: sealed.caseId, strength: STRENGTH_OF[probed.index] };
}

/** One match per case, the strongest way it was confirmed; the strongest first, at most `MAX_MATCHES`. */
function strongestPerCase(found: readonly (Match | undefined)[]): Match[] {
  const order = (m: Match) => ['exact-id', 'name-dob', 'name-year'].indexOf(m.strength);
  const best = new Map<string, Match>();
  for (const match of found) {
    if (!match) continue;
    const known = best.get(match.caseId);
    if (!known || order(match) < order(known)) best.set(match.caseId, match);
  }
  return [...best.values()]
    .sort((a, b) => order(a) - order(b) || a.caseId.localeCompare(b.caseId))
    .slice(0, MAX_MATCHES);
}

/**
 * The audit events of the lookup (one per case found, naming it, so that the case's access log shows who
 * looked for it; one without a case when nothing was found) and one `match.found` per case, for its owner.
 */
function lookupRecords(caller: Caller, matches: readonly Match[], trail: AuditTrail, now: Date) {
  const audit: AuditEvent[] =
    matches.length === 0
      ? [trail.eventFor(200)]
      : matches.map((match) => trail.eventFor(200, { caseId: match.caseId, resource: '/v1/matches' }));
  const found = matches.map((match) =>
    domainEvent('match.found', now, {
      caseId: match.caseId,
      actorAgency: caller.agency,
      recipients: [match.agency],
      strength: match.strength,
    }),
  );
  return { audit, found };
}

/**
 * Which other agencies hold a case about the child the lookup describes, and the case id to ask for:
 * counted against the agency's per-minute limit first; one `GenerateMac` per index probed; candidates of
 * the caller's own agency are never opened nor returned; each candidate confirmed on its full token.
 */
export async function findMatches(
  deps: MatchServiceDeps,
  caller: Caller,
  body: MatchBody,
  trail: AuditTrail,
): Promise<MatchList> {
  const now = deps.clock();
  const { minute, endsAt } = minuteOf(now);
  try {
    await deps.store.countLookup(caller.agency, minute, deps.matching.lookupsPerMinute);
  } catch (error) {
    if (error instanceof MatchRateLimitedError) throw new MatchRateLimitedError(endsAt);
    throw error;
  }
  const probes = await probe(deps, distinctInputs(matchSubjects(body)));
  const opened = await Promise.all(
    probes.flatMap((probed) =>
      probed.candidates
        .filter((candidate) => candidate.ownerAgency !== caller.agency)
        .map((candidate) => confirm(deps.cipher, candidate, probed)),
    ),
  );
  const matches = strongestPerCase(opened);
  const { audit, found } = lookupRecords(caller, matches, trail, now);
  await deps.store.recordLookup(audit, found);
  trail.recorded(audit.at(-1) as AuditEvent);
  return { matches };
}

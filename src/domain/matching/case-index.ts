import { randomUUID } from 'node:crypto';
import type { SectionCipher, SectionContext } from '../cases/ports';
import type { CaseMetadata, Sections } from '../cases/schemas';
import type { BlindIndexInput, BlindIndexName } from './blind-index';
import { NORMALISER_VERSION } from './normalise-name';
import { MAX_INDEX_ENTRIES, type MatchingPolicy } from './policy';
import type { BlindIndexer, IndexEntry } from './ports';
import { identityInputs } from './subjects';

export interface CaseIndexDeps {
  indexer: BlindIndexer;
  cipher: SectionCipher;
  matching: MatchingPolicy;
}

/** What a sealed entry holds: the case it points to, the index, the full token (base64url). */
export interface SealedEntry {
  caseId: string;
  index: BlindIndexName;
  token: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The section name of an index entry's sealed content; its `caseId` context pair is the entry's id. */
const ENTRY_SECTION = 'blind-index';
/** The section name of the case's list of its entries' ids (kept on the case item, encrypted). */
const REFS_SECTION = 'blind-index-refs';

export const entryContext = (entryId: string, ownerAgency: string): SectionContext => ({
  caseId: entryId,
  section: ENTRY_SECTION,
  ownerAgency,
});

const refsContext = (meta: Pick<CaseMetadata, 'caseId' | 'ownerAgency'>): SectionContext => ({
  caseId: meta.caseId,
  section: REFS_SECTION,
  ownerAgency: meta.ownerAgency,
});

/**
 * The lookup key of a token: version, index, truncation and the token's first `bits` bits. Truncated on
 * purpose (see `tokenTruncation`): unrelated children share it, so the key alone tells no one apart.
 */
export function truncatedKey(index: BlindIndexName, token: Uint8Array, bits: number): string {
  const head = ((token[0] ?? 0) << 24) | ((token[1] ?? 0) << 16) | ((token[2] ?? 0) << 8) | (token[3] ?? 0);
  const value = bits >= 32 ? head >>> 0 : head >>> (32 - bits);
  return `${NORMALISER_VERSION}#${index}#${bits}#${value}`;
}

export const tokenText = (token: Uint8Array) => Buffer.from(token).toString('base64url');

/** The tokens of the inputs, with one index entry each, sealed under the owner's key. */
async function entriesFor(
  deps: CaseIndexDeps,
  meta: Pick<CaseMetadata, 'caseId' | 'ownerAgency'>,
  inputs: readonly BlindIndexInput[],
): Promise<IndexEntry[]> {
  const tokens = await deps.indexer.tokens(inputs);
  return Promise.all(
    inputs.map(async ({ index }, i): Promise<IndexEntry> => {
      const token = tokens[i] as Uint8Array;
      const entryId = randomUUID();
      const content: SealedEntry = { caseId: meta.caseId, index, token: tokenText(token) };
      const sealed = await deps.cipher.encrypt(
        entryContext(entryId, meta.ownerAgency),
        encoder.encode(JSON.stringify(content)),
      );
      return {
        entryId,
        key: truncatedKey(index, token, deps.matching.truncationBits),
        ownerAgency: meta.ownerAgency,
        sealed,
      };
    }),
  );
}

/**
 * The index entries of an identity section (none without one) and the encrypted list of their ids that
 * the case item keeps, so that a later write can remove exactly them.
 */
export async function indexIdentity(
  deps: CaseIndexDeps,
  meta: Pick<CaseMetadata, 'caseId' | 'ownerAgency'>,
  identity: Sections['identity'] | null,
): Promise<{ entries: IndexEntry[]; refs: Uint8Array | undefined }> {
  const inputs = identity ? identityInputs(identity).slice(0, MAX_INDEX_ENTRIES) : [];
  if (inputs.length === 0) return { entries: [], refs: undefined };
  const entries = await entriesFor(deps, meta, inputs);
  const ids = entries.map((entry) => entry.entryId);
  const refs = await deps.cipher.encrypt(refsContext(meta), encoder.encode(JSON.stringify(ids)));
  return { entries, refs };
}

/** The ids of the entries a case item's encrypted list names (none without a list). */
export async function indexedEntryIds(
  cipher: SectionCipher,
  meta: Pick<CaseMetadata, 'caseId' | 'ownerAgency'>,
  refs: Uint8Array | undefined,
): Promise<string[]> {
  if (!refs) return [];
  const ids: unknown = JSON.parse(decoder.decode(await cipher.decrypt(refsContext(meta), refs)));
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

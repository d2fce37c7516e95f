import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SectionIntegrityError } from '../../domain/cases/ports';
import type { Sections } from '../../domain/cases/schemas';
import { type CaseIndexDeps, indexedEntryIds, indexIdentity } from '../../domain/matching/case-index';
import { forEachCaseItem } from './case-scan';
import { caseKey, indexEntryItem, indexEntryKey } from './cases-layout';
import { type TransactItem, transactWrite } from './transactions';

export interface ReindexCount {
  /** Case items read. */
  seen: number;
  /** Whose entries were written again under the current normaliser version and truncation. */
  reindexed: number;
  /** Updated by a request while being re-indexed: left (that write indexed it under the current rules). */
  changed: number;
  /** Whose identity section or list of entries failed its integrity check: left, for an investigation. */
  refused: string[];
}

type Item = Record<string, unknown>;
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Rebuilds every case's blind-index entries (after a new normaliser version, a new truncation, or for
 * cases written before matching existed): the identity section is decrypted, its entries made again,
 * and the old ones replaced in one transaction conditional on the case's version, so it can run while
 * the API serves; a case updated meanwhile was indexed by its update. Running it again only renews the
 * entries (new ids, the same keys).
 */
export async function reindexCases(
  documents: DynamoDBDocumentClient,
  table: string,
  deps: CaseIndexDeps,
): Promise<ReindexCount> {
  const count: ReindexCount = { seen: 0, reindexed: 0, changed: 0, refused: [] };
  await forEachCaseItem(documents, table, (item) => reindexCase(documents, table, deps, item, count));
  return count;
}

async function reindexCase(
  documents: DynamoDBDocumentClient,
  table: string,
  deps: CaseIndexDeps,
  item: Item,
  count: ReindexCount,
): Promise<void> {
  count.seen += 1;
  const meta = { caseId: String(item.caseId), ownerAgency: String(item.ownerAgency) };
  const sealed = (item.sections as Record<string, Uint8Array> | undefined)?.identity;
  let identity: Sections['identity'] | null = null;
  let previous: string[];
  try {
    if (sealed) {
      const plaintext = await deps.cipher.decrypt({ ...meta, section: 'identity' }, sealed);
      identity = JSON.parse(decoder.decode(plaintext)) as Sections['identity'];
    }
    previous = await indexedEntryIds(deps.cipher, meta, item.indexRefs as Uint8Array | undefined);
  } catch (error) {
    if (!(error instanceof SectionIntegrityError)) throw error;
    count.refused.push(meta.caseId);
    return;
  }
  const { entries, refs } = await indexIdentity(deps, meta, identity);
  const items: TransactItem[] = [
    {
      Update: {
        TableName: table,
        Key: caseKey(meta.caseId),
        UpdateExpression: refs ? 'SET indexRefs = :refs' : 'REMOVE indexRefs',
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': item.version, ...(refs ? { ':refs': refs } : {}) },
      },
    },
    ...previous.map(
      (entryId): TransactItem => ({ Delete: { TableName: table, Key: indexEntryKey(entryId) } }),
    ),
    ...entries.map((entry): TransactItem => ({ Put: { TableName: table, Item: indexEntryItem(entry) } })),
  ];
  try {
    await transactWrite(documents, items);
    count.reindexed += 1;
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    count.changed += 1;
  }
}

import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type SectionContext, SectionIntegrityError } from '../../domain/cases/ports';
import type { EncryptionSdkCipher } from '../section-cipher';
import { forEachCaseItem } from './case-scan';

export interface ReencryptionCount {
  /** Sections and notes read. */
  seen: number;
  /** Written again under the owner's branch key. */
  moved: number;
  /** Changed by a request while being moved: left as they were (a request writes under the branch key). */
  changed: number;
  /** Failing their integrity check (moved or altered): left as they were, for an investigation. */
  refused: string[];
}

type Item = Record<string, unknown>;

/**
 * Moves every section and note that the first version encrypted under an agency's KMS key directly to the
 * agency's branch key, case by case. Each item is written back only if its ciphertext is still the one
 * read, so it can run while the API serves; running it again moves nothing twice.
 */
export async function reencryptFirstVersionMessages(
  documents: DynamoDBDocumentClient,
  table: string,
  cipher: EncryptionSdkCipher,
): Promise<ReencryptionCount> {
  const count: ReencryptionCount = { seen: 0, moved: 0, changed: 0, refused: [] };
  await forEachCaseItem(documents, table, (item) => reencryptCase(documents, table, cipher, item, count));
  return count;
}

async function reencryptCase(
  documents: DynamoDBDocumentClient,
  table: string,
  cipher: EncryptionSdkCipher,
  item: Item,
  count: ReencryptionCount,
): Promise<void> {
  const caseId = String(item.caseId);
  const ownerAgency = String(item.ownerAgency);
  const sections = (item.sections ?? {}) as Record<string, Uint8Array>;
  for (const [section, ciphertext] of Object.entries(sections)) {
    const moved = await moveOrRefuse(cipher, { caseId, section, ownerAgency }, ciphertext, count);
    await writeBack(
      documents,
      table,
      item,
      { attribute: 'sections', name: section },
      ciphertext,
      moved,
      count,
    );
  }
  const notes = await documents.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :note)',
      ExpressionAttributeValues: { ':pk': item.pk, ':note': 'NOTE#' },
    }),
  );
  for (const note of notes.Items ?? []) {
    const context: SectionContext = { caseId, section: `note:${note.noteId}`, ownerAgency };
    const ciphertext = note.ciphertext as Uint8Array;
    const moved = await moveOrRefuse(cipher, context, ciphertext, count);
    await writeBack(documents, table, note, { attribute: 'ciphertext' }, ciphertext, moved, count);
  }
}

async function moveOrRefuse(
  cipher: EncryptionSdkCipher,
  context: SectionContext,
  ciphertext: Uint8Array,
  count: ReencryptionCount,
): Promise<Uint8Array | undefined> {
  try {
    return await cipher.reencryptFirstVersion(context, ciphertext);
  } catch (error) {
    if (!(error instanceof SectionIntegrityError)) throw error;
    count.refused.push(`${context.caseId} ${context.section}`);
    return undefined;
  }
}

/** `sections.<name>` or `ciphertext`, replaced only if it still holds what was read. */
async function writeBack(
  documents: DynamoDBDocumentClient,
  table: string,
  item: Item,
  path: { attribute: string; name?: string },
  read: Uint8Array,
  moved: Uint8Array | undefined,
  count: ReencryptionCount,
): Promise<void> {
  count.seen += 1;
  if (!moved) return;
  const target = path.name === undefined ? '#a' : '#a.#n';
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET ${target} = :moved`,
        ConditionExpression: `${target} = :read`,
        ExpressionAttributeNames: {
          '#a': path.attribute,
          ...(path.name === undefined ? {} : { '#n': path.name }),
        },
        ExpressionAttributeValues: { ':moved': moved, ':read': read },
      }),
    );
    count.moved += 1;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    count.changed += 1;
  }
}

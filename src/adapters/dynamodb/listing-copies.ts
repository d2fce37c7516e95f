import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseMetadata } from '../../domain/cases/schemas';
import { CASE_SK, casePartition, listingKey, metadataOf } from './cases-layout';
import type { CasesTable } from './transactions';

/**
 * The grantees' listing entries carry a copy of the case's metadata. Neither an update of the case nor a
 * change of access waits for the other (they share no item), so each brings the copies up to date after
 * it commits: the update refreshes every entry it finds, a new or extended entry is refreshed from the
 * case as it stands. Whichever commits last sees the other's write, so no copy stays behind; a copy only
 * ever moves to a newer version, and an entry revoked meanwhile is never brought back.
 */
export function listingCopyOf(meta: CaseMetadata) {
  return {
    UpdateExpression:
      'SET category = :category, urgency = :urgency, #status = :status, #region = :region, updatedAt = :updatedAt, #version = :version, gsi1sk = :gsi1sk',
    ConditionExpression: 'attribute_exists(pk) AND #version < :version',
    ExpressionAttributeNames: { '#status': 'status', '#region': 'region', '#version': 'version' },
    ExpressionAttributeValues: {
      ':category': meta.category,
      ':urgency': meta.urgency,
      ':status': meta.status,
      ':region': meta.region,
      ':updatedAt': meta.updatedAt,
      ':version': meta.version,
      ':gsi1sk': `${meta.updatedAt}#${meta.caseId}`,
    },
  };
}

async function refreshCopy(table: CasesTable, meta: CaseMetadata, agency: string): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: listingKey(meta.caseId, agency),
        ...listingCopyOf(meta),
      }),
    );
  } catch (error) {
    // Gone (revoked) or already as new: nothing to do.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** After an update of the case: every grantee's copy, to the new metadata. */
export async function refreshListings(table: CasesTable, meta: CaseMetadata): Promise<void> {
  const entries = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :listed)',
      ExpressionAttributeValues: { ':pk': casePartition(meta.caseId), ':listed': 'LISTED#' },
      ProjectionExpression: 'agency',
      ConsistentRead: true,
    }),
  );
  await Promise.all((entries.Items ?? []).map((entry) => refreshCopy(table, meta, String(entry.agency))));
}

/** After a change of access listed the case for an agency: its copy, to the case as it stands. */
export async function refreshListing(table: CasesTable, caseId: string, agency: string): Promise<void> {
  const head = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: casePartition(caseId), sk: CASE_SK },
      ConsistentRead: true,
    }),
  );
  if (head.Item) await refreshCopy(table, metadataOf(head.Item), agency);
}

import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * Every case item of the Cases table (`sk = CASE`), page after page, one at a time: what the maintenance
 * jobs (re-encryption, re-indexing) walk. `visit` finishes with an item before the next is given.
 */
export async function forEachCaseItem(
  documents: DynamoDBDocumentClient,
  table: string,
  visit: (item: Item) => Promise<void>,
): Promise<void> {
  let start: Item | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'sk = :case',
        ExpressionAttributeValues: { ':case': 'CASE' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) await visit(item);
    start = page.LastEvaluatedKey;
  } while (start);
}

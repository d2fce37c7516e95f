import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import type { StoreConditionError } from '../../domain/cases/ports';
import type { AuditStore } from './audit-store';
import { failClosed, failedConditions, writeOrUnknown } from './errors';

/** One item of a TransactWriteItems call, as the document client takes it. */
export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** What an operation of a Cases table store reaches: the table, and the audit log its writes go with. */
export interface CasesTable {
  client: DynamoDBDocumentClient;
  tableName: string;
  audit: AuditStore;
}

export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItem[]) {
  return client.send(new TransactWriteCommand({ TransactItems: items }));
}

/** A transaction of the API's writes: one DynamoDB did not confirm or refuse has an unknown outcome. */
export async function writeTransaction(client: DynamoDBDocumentClient, items: TransactItem[]) {
  return writeOrUnknown(() => transactWrite(client, items));
}

/**
 * Writes `items` and the audit event that records them in one transaction, failing closed. A failed
 * condition on the item at position i throws `refusals[i]`, the first position first.
 */
export async function writeAudited(
  table: CasesTable,
  items: TransactItem[],
  event: AuditEvent,
  refusals: (new () => StoreConditionError)[],
): Promise<void> {
  await failClosed(async () => {
    try {
      await writeTransaction(table.client, [...items, table.audit.putItem(event)]);
    } catch (error) {
      const failed = failedConditions(error) ?? [];
      for (const [index, Refusal] of refusals.entries()) {
        if (failed.some((c) => c.index === index)) throw new Refusal();
      }
      throw error;
    }
  });
}

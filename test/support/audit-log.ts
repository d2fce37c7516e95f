import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type CliIo, type ListingSizes, runAuditCli } from '../../scripts/audit/cli';
import type { AuditEvent } from '../../src/domain/audit/event';
import { type LocalDynamoDbAccess, localDynamoDb } from './local-dynamodb';

/** Polls `probe` until it returns a value, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Direct access to an AuditLog table (as a tamperer, or to watch the sealer). */
export function auditTable(access: LocalDynamoDbAccess, tableName: string) {
  const documents = DynamoDBDocumentClient.from(localDynamoDb(access));
  const latestCheckpointSize = async (): Promise<number> => {
    const result = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CHECKPOINT' },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return (result.Items?.[0]?.size as number | undefined) ?? -1;
  };
  return {
    documents,
    tableName,
    latestCheckpointSize,
    /** Resolves once the event has a leaf index inside a signed checkpoint; returns the index. */
    async sealed(eventId: string, timeoutMs?: number): Promise<number> {
      return waitFor(
        `event ${eventId} in a signed checkpoint`,
        async () => {
          const item = await documents.send(
            new GetCommand({ TableName: tableName, Key: { pk: `EVENT#${eventId}`, sk: 'EVENT' } }),
          );
          const index = item.Item?.leafIndex as number | undefined;
          return index !== undefined && (await latestCheckpointSize()) > index ? index : undefined;
        },
        timeoutMs,
      );
    },
    /** The events of a user, oldest first (through the byTime index). */
    async eventsOf(user: string): Promise<AuditEvent[]> {
      const events: AuditEvent[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byTime',
            KeyConditionExpression: 'gsi1pk = :log',
            FilterExpression: '#user = :user',
            ExpressionAttributeNames: { '#user': 'user' },
            ExpressionAttributeValues: { ':log': 'LOG', ':user': user },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        events.push(...((page.Items ?? []) as AuditEvent[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return events;
    },
    close: () => documents.destroy(),
  };
}

/** Runs the verifier CLI in this process; returns its exit code and what it printed. */
export async function auditCli(
  args: string[],
  sizes?: ListingSizes,
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), now: () => new Date() };
  const code = await runAuditCli(args, io, sizes);
  return { code, out, err };
}

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildSealer } from '../../src/adapters/audit-sealer';
import { folderCheckpointArchive } from '../../src/adapters/checkpoint-archive';
import { auditItem } from '../../src/adapters/dynamodb/audit-store';
import { type AuditEvent, newEventId } from '../../src/domain/audit/event';
import { auditTable, waitFor } from './audit-log';
import { fetchChecked } from './contract';
import { scanItems } from './local-dynamodb';

export type Item = Record<string, unknown>;

/**
 * A local stack of a test file's own, for tests that change the AuditLog table beneath the API (the shared
 * stack must stay intact): its sealer seals quickly and logs into `sealerLog`; `table` is raw access to
 * the AuditLog table, as an attacker with write access would have it.
 */
export interface OwnAuditStack {
  local: LocalStack;
  dataDir: string;
  table: ReturnType<typeof auditTable>;
  kms: KMSClient;
  compliance: string;
  police: string;
  sealerLog: string[];
  /** `count` audited requests by the police, one after the other. */
  traffic(count: number, user?: string): Promise<void>;
  /** Puts `events` into the AuditLog table beneath the API, as the request functions store them, 25 a call. */
  writeEvents(events: readonly AuditEvent[]): Promise<void>;
  /** The items of the AuditLog table that `filter` keeps. */
  scan(filter: (item: Item) => boolean): Promise<Item[]>;
  /** Waits until every event written so far is sealed and signed; the signed size. */
  settled(): Promise<number>;
  /** A sealer started cold against the same table, archive and key (a new Lambda container). */
  coldSealer(): ReturnType<typeof buildSealer>;
  stop(): Promise<void>;
}

export async function startOwnAuditStack(name: string): Promise<OwnAuditStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `himaya-${name}-`));
  const sealerLog: string[] = [];
  const local = await startLocalStack({
    dataDir,
    inMemory: true,
    port: 0,
    sealer: { pollIntervalMs: 100, batchWindowMs: 200, heartbeatMs: 1500 },
    log: (line) => sealerLog.push(line),
  });
  const table = auditTable(local.endpoints, local.endpoints.tables.AuditLog);
  const kms = new KMSClient({
    endpoint: local.endpoints.kms,
    region: local.endpoints.region,
    credentials: local.endpoints.credentials,
  });
  const [compliance, police] = await Promise.all([
    local.issuer.issue('compliance'),
    local.issuer.issue('police'),
  ]);
  const scan = async (filter: (item: Item) => boolean) =>
    (await scanItems(table.documents, table.tableName)).filter(filter);
  return {
    local,
    dataDir,
    table,
    kms,
    compliance,
    police,
    sealerLog,
    scan,
    async writeEvents(events) {
      for (let i = 0; i < events.length; i += 25) {
        const puts = events.slice(i, i + 25).map((event) => ({ PutRequest: { Item: auditItem(event) } }));
        await table.documents.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: puts } }));
      }
    },
    async traffic(count, user = 'officer-1') {
      for (let i = 0; i < count; i++) {
        await fetchChecked(`${local.endpoints.gateway}/v1/agencies`, {
          headers: { authorization: `Bearer ${police}`, 'x-himaya-user': user },
        }).then((response) => response.text());
      }
    },
    settled: () => settledSize(table, scan),
    coldSealer: () =>
      buildSealer({
        documents: table.documents,
        auditTable: table.tableName,
        kms,
        signingKeyArn: local.environment.SIGNING_KEY_ARN as string,
        archive: folderCheckpointArchive(local.endpoints.checkpointArchive as string),
      }),
    async stop() {
      table.close();
      kms.destroy();
      await local.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function settledSize(table: ReturnType<typeof auditTable>, scan: OwnAuditStack['scan']): Promise<number> {
  return waitFor(
    'every event sealed in a signed checkpoint',
    async () => {
      const events = await scan((item) => item.sk === 'EVENT');
      const signed = await table.latestCheckpointSize();
      return events.every((e) => typeof e.leafIndex === 'number' && (e.leafIndex as number) < signed)
        ? signed
        : undefined;
    },
    60_000,
  );
}

/**
 * A case read as the request functions write its event, with a fresh id: for tests that put events in
 * the AuditLog table beneath the API.
 */
export function storedReadEvent(at: Date, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: newEventId(at),
    time: at.toISOString(),
    agency: 'cfpc',
    clientId: 'cfpc',
    user: 'caseworker-2',
    action: 'case.read',
    resource: '/v1/cases/0b6a2f1e-9c3d-4e5f-8a7b-6c5d4e3f2a1b',
    caseId: '0b6a2f1e-9c3d-4e5f-8a7b-6c5d4e3f2a1b',
    purpose: 'child-protection',
    outcome: 200,
    requestId: randomUUID(),
    sourceIp: '10.1.2.3',
    ...overrides,
  };
}
